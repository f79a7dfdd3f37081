"""Reports on the web: the public form (no account, no JavaScript) and the operators' call intake.

Both forms may carry a photo. It is kept in memory, never in a temporary file,
up to ``AMPARO_REPORT_PHOTO_MAX_BYTES`` for the whole request, and goes to
``submit_report``, which strips its metadata and seals it. Choosing upload
handlers must happen before the body is read, and the CSRF check reads it, so
these views are ``csrf_exempt`` on the outside and ``csrf_protect`` inside
(the pattern Django's upload-handler documentation gives).
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import phonenumbers
from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from amparo.accounts.decorators import role_required, signed_in_user
from amparo.accounts.models import Role
from amparo.channels.registry import channel_configs
from amparo.contacts.actions import find_or_create_contact
from amparo.contacts.models import Contact, Language
from amparo.core import ratelimit
from amparo.incidents.actions import submit_report
from amparo.incidents.errors import IncidentsError
from amparo.incidents.models import PlaceKind, Report, ReportSource
from amparo.intake.forms import OperatorReportForm, PublicReportForm
from amparo.places.lookup import locate

OPERATOR_INTAKE_ROLES = (Role.OPERATOR, Role.COORDINATOR)
WEB_REPORT_SCOPE = "report-web"


# --- uploads -----------------------------------------------------------------------


class PhotoInMemoryUploadHandler(FileUploadHandler):
    """Keep uploaded files in memory, up to ``max_bytes`` for all of them together.

    Django's default handlers write any file over 2.5 MB to a temporary file: a
    photo of a raid would then sit on the server's disk. Past the cap the file
    is skipped and ``too_large`` is set, so the form can say so.
    """

    def __init__(self, request: HttpRequest, *, max_bytes: int) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes
        self.received = 0
        self.too_large = False
        self.file = BytesIO()

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.file = BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.too_large = True
            raise SkipFile()
        self.file.write(raw_data)

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.file.seek(0)
        return InMemoryUploadedFile(
            file=self.file,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


def _keep_uploads_in_memory(request: HttpRequest) -> PhotoInMemoryUploadHandler:
    handler = PhotoInMemoryUploadHandler(request, max_bytes=settings.AMPARO_REPORT_PHOTO_MAX_BYTES)
    request.upload_handlers = [handler]
    return handler


# --- shared helpers ----------------------------------------------------------------


@dataclass(frozen=True)
class Hotline:
    e164: str
    display: str


def hotline() -> Hotline | None:
    """The network's number (the first SMS sender), as people dial it; None if there is none."""
    for raw in channel_configs()["sms"].senders[:1]:
        try:
            number = phonenumbers.parse(raw, "US")
        except phonenumbers.NumberParseException:
            return None
        if not phonenumbers.is_valid_number(number):
            return None
        return Hotline(
            e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
            display=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL),
        )
    return None


def client_key(request: HttpRequest) -> str:
    """Who a public request comes from, for rate limits only: never stored, never logged.

    The client's address as allauth reads it (``ALLAUTH_TRUSTED_PROXY_COUNT``
    behind a proxy, else ``REMOTE_ADDR``). An IPv6 client usually holds a whole
    /64, so it counts as one client.
    """
    address = ipaddress.ip_address(get_adapter(request).get_client_ip(request))
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _page_language() -> str:
    code = (translation.get_language() or "").split("-")[0]
    return code if code in Language.values else Language.ENGLISH


def _form_context(
    form: PublicReportForm | OperatorReportForm, handler: PhotoInMemoryUploadHandler | None
) -> dict[str, Any]:
    photo_dropped = bool(form.is_bound and form.errors and form.files.get("photo"))
    return {
        "form": form,
        "error_links": form.error_links() if form.is_bound else [],
        # A file input cannot be filled again by the server: say so.
        "photo_dropped": photo_dropped and not (handler and handler.too_large),
        "hotline": hotline(),
    }


def _place_kwargs(cleaned: dict[str, Any]) -> dict[str, Any]:
    """The place arguments of submit_report: a ZIP code is located here, the rest there."""
    zip_code: str = cleaned["zip_code"]
    kwargs: dict[str, Any] = {"where": cleaned["where"], "town": cleaned["town"]}
    if zip_code:
        town = cleaned["town"]
        kwargs["place"] = locate(
            text=f"{cleaned['where']} {cleaned['text']}",
            zip_code=zip_code,
            town=town.name if town else "",
        )
    return kwargs


# --- the public form ---------------------------------------------------------------


@login_not_required
@never_cache  # a re-shown form holds the report's words: no copy in the browser's cache
@csrf_exempt  # only so the upload handlers can be chosen; _public_report checks the token
@require_http_methods(["GET", "POST"])
def public_report(request: HttpRequest) -> HttpResponse:
    handler = _keep_uploads_in_memory(request)
    return _public_report(request, handler)


@csrf_protect
def _public_report(request: HttpRequest, handler: PhotoInMemoryUploadHandler) -> HttpResponse:
    if request.method != "POST":
        form = PublicReportForm()
        return render(request, "intake/report_form.html", _form_context(form, None))
    form = PublicReportForm(request.POST, request.FILES, photo_too_large=handler.too_large)
    if form.is_valid():
        # Only reports that would be stored count: a typo does not use up the limit.
        if not ratelimit.allow(
            scope=WEB_REPORT_SCOPE,
            key=client_key(request),
            limit=settings.AMPARO_WEB_REPORT_LIMIT,
            window_seconds=settings.AMPARO_WEB_REPORT_WINDOW_SECONDS,
        ):
            return _refused(request)
        try:
            _submit_public_report(form)
        except IncidentsError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("intake:report_thanks")
    return render(request, "intake/report_form.html", _form_context(form, handler), status=400)


def _submit_public_report(form: PublicReportForm) -> Report:
    """The report, with a call-back number (if given) only among its sealed details.

    A number typed into a web form proves nothing (anyone may type anyone's),
    so it makes no contact, counts as no independent reporter and joins no
    number's history; it is purged with the report. No transaction here:
    ``submit_report`` decodes photos before it takes the write lock.
    """
    cleaned = form.cleaned_data
    details = {"callback_phone": cleaned["phone"]} if cleaned["phone"] else None
    return submit_report(
        source=ReportSource.WEB,
        text=cleaned["text"],
        agency=cleaned["agency"],
        agents_count=cleaned["agents_count"],
        someone_taken=cleaned["someone_taken"],
        warrant=cleaned["warrant"],
        place_kind=cleaned["place_kind"],
        photos=form.photo_bytes(),
        details=details,
        language=_page_language(),
        **_place_kwargs(cleaned),
    )


def _refused(request: HttpRequest) -> HttpResponse:
    window = settings.AMPARO_WEB_REPORT_WINDOW_SECONDS
    context = {"minutes": max(1, math.ceil(window / 60)), "hotline": hotline()}
    response = render(request, "intake/report_refused.html", context, status=429)
    response["Retry-After"] = str(window)
    return response


@login_not_required
@require_GET
def public_report_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/report_thanks.html", {"hotline": hotline()})


# --- the operators' call intake ----------------------------------------------------


@role_required(*OPERATOR_INTAKE_ROLES)
@csrf_exempt  # only so the upload handlers can be chosen; _operator_report checks the token
@require_http_methods(["GET", "POST"])
def operator_report(request: HttpRequest) -> HttpResponse:
    handler = _keep_uploads_in_memory(request)
    return _operator_report(request, handler)


@csrf_protect
def _operator_report(request: HttpRequest, handler: PhotoInMemoryUploadHandler) -> HttpResponse:
    if request.method != "POST":
        language = request.GET.get("language", "")
        initial = {"caller_language": language} if language in Language.values else {}
        form = OperatorReportForm(initial=initial)
        return _operator_page(request, form, None)
    form = OperatorReportForm(request.POST, request.FILES, photo_too_large=handler.too_large)
    if form.is_valid():
        try:
            report = _submit_operator_report(request, form)
        except IncidentsError as exc:
            form.add_error(None, str(exc))
        else:
            return _after_operator_report(request, report)
    return _operator_page(request, form, handler, status=400)


def _submit_operator_report(request: HttpRequest, form: OperatorReportForm) -> Report:
    user = signed_in_user(request)
    cleaned = form.cleaned_data
    language = cleaned["caller_language"]
    # No transaction around both: submit_report decodes photos before it takes the
    # write lock. A photo it refuses leaves at most the caller's contact behind.
    reporter: Contact | None = None
    if cleaned["phone"]:
        reporter = find_or_create_contact(phone=cleaned["phone"], language=language, by=user)
    return submit_report(
        source=ReportSource.OPERATOR,
        text=cleaned["text"],
        agency=cleaned["agency"],
        agents_count=cleaned["agents_count"],
        someone_taken=cleaned["someone_taken"],
        warrant=cleaned["warrant"],
        place_kind=cleaned["place_kind"],
        details=form.details() or None,
        photos=form.photo_bytes(),
        reporter=reporter,
        taken_by=user,
        language=language,
        **_place_kwargs(cleaned),
    )


def _after_operator_report(request: HttpRequest, report: Report) -> HttpResponse:
    if report.incident_id is None:
        messages.warning(
            request,
            _(
                "Report saved. No place could be found in it: it waits on the board for "
                "an operator to place it."
            ),
        )
        return redirect("intake:operator_report")
    try:
        incident_page = reverse("incidents:incident", args=[report.incident_id])
    except NoReverseMatch:  # the board is not installed
        messages.success(request, _("Report saved and added to an incident."))
        return redirect("intake:operator_report")
    messages.success(request, _("Report saved. This is its incident."))
    return redirect(incident_page)


def _operator_page(
    request: HttpRequest,
    form: OperatorReportForm,
    handler: PhotoInMemoryUploadHandler | None,
    *,
    status: int = 200,
) -> HttpResponse:
    caller_language = str(form["caller_language"].value() or Language.ENGLISH)
    if caller_language not in Language.values:
        caller_language = Language.ENGLISH
    # The caller's language first (the operator reads it out), English after it.
    order = [code for code in Language.values if code != Language.ENGLISH] + [Language.ENGLISH]
    coaching = [
        {
            "code": code,
            "name": Language(code).label,
            "shown": code in (caller_language, Language.ENGLISH),
        }
        for code in order
    ]
    context = _form_context(form, handler) | {
        "coaching": coaching,
        "caller_language": caller_language,
        "at_home": form["place_kind"].value() == PlaceKind.HOME,
        "caller_languages": Language.choices,
    }
    return render(request, "intake/operator_report.html", context, status=status)
