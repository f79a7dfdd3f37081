"""Family plans on the public web: register one, then change or delete it with code and PIN.

No account and no JavaScript. No plan code, PIN or personal detail ever goes
into a URL, a log line or a cookie, so no referrer can carry one; every page is
``no-store``. The site's ``Referrer-Policy: same-origin`` stays: ``no-referrer``
would make browsers send ``Origin: null`` with the forms, which the CSRF check
refuses.

**Showing the code once.** A successful registration redirects (POST, then
redirect, then GET) to a page that shows the code: reloading it never
registers a second plan. The code crosses the redirect in the session (kept on
the server; the cookie holds only the session's random key) as a
:func:`issue_token` token: signed, the code sealed inside it, good for the
wallet card only (``CARD``: it opens neither the plan nor its PIN, so a
volunteer who registered a family's plan at a clinic cannot read it later).
The page takes it out of the session as it shows it (and drops an anonymous
visitor's session row altogether), so the page cannot be shown again.

**Managing without an account.** Code and PIN (:func:`~amparo.plans.actions.check_pin`,
which counts failures and locks the plan) open the plan's form. From then on
the pages carry, in a hidden field, the same kind of token (``MANAGE``): the
plan's id and its code (sealed), signed with a timestamp, and the time the code
and PIN were given. Each page renews it, but it ends 15 minutes after the last
step (:data:`TOKEN_MAX_AGE_SECONDS`) and 20 minutes after the code and PIN
however busy the page (:data:`TOKEN_LIFETIME_SECONDS`), when the PIN changes
and while the plan is locked. Never the PIN. A new PIN needs the current one
too. The wallet card is served only for a token, by POST: there is no URL that
gives a card.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from amparo.core import ratelimit
from amparo.crypto import plan_keys
from amparo.crypto.vault import DecryptionError, digests_match, seal_text, unseal_text
from amparo.intake.forms import ErrorLink
from amparo.intake.views import client_key
from amparo.plans import codes
from amparo.plans.actions import (
    PinCheck,
    change_pin,
    check_pin,
    check_unknown_code,
    delete_plan,
    register_plan,
    update_plan,
)
from amparo.plans.cards import plan_hotline, render_wallet_card
from amparo.plans.errors import PlansError
from amparo.plans.forms import ChangePinForm, DeleteForm, ManageForm, PlanEntry
from amparo.plans.models import Plan, PlanSource
from amparo.plans.queries import find_plan
from amparo.plans.sealing import open_contents

REGISTER_SCOPE = "plans-register-web"
REGISTER_LIMIT = 5
REGISTER_WINDOW_SECONDS = 60 * 60
# Code-and-PIN tries from one client, whatever the code: a brake on guessing codes.
MANAGE_SCOPE = "plans-manage-web"
MANAGE_LIMIT = 10
MANAGE_WINDOW_SECONDS = 10 * 60

TOKEN_SALT = "amparo.plans.manage"  # noqa: S105 (a namespace for signatures, not a secret)
# A token ends this long after the last page that renewed it...
TOKEN_MAX_AGE_SECONDS = 15 * 60
# ... and this long after the code and PIN (or the registration), renewed or not.
TOKEN_LIFETIME_SECONDS = 20 * 60
# What a token opens: the plan (change, new PIN, delete, card), or only the wallet card.
MANAGE = "manage"
CARD = "card"
TOKEN_CODE_CONTEXT = "plans.manage-token.code"  # noqa: S105 (a context label)
JUST_REGISTERED = "plans.just_registered"

V = TypeVar("V", bound=Callable[..., HttpResponse])


def private_page(view: V) -> V:
    """No copy of the page in the browser's or any other cache (``no-store``)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return wrapper  # type: ignore[return-value]


# --- tokens: a plan opened with code and PIN a short while ago ------------------------


def _now() -> int:
    return int(time.time())


def issue_token(plan: Plan, code: str, *, use: str = MANAGE, since: int | None = None) -> str:
    """A signed, timestamped token of the plan's id and code (sealed); never the PIN.

    ``use``: :data:`MANAGE` or :data:`CARD`; ``since``: when the code and PIN were
    given (now, unless a token is being renewed).
    """
    return signing.dumps(
        {
            "plan": str(plan.pk),
            "code": seal_text(code, context=TOKEN_CODE_CONTEXT),
            # A changed PIN ends every token issued before it.
            "pin": plan.pin_digest[:16],
            "use": use,
            "since": _now() if since is None else since,
        },
        salt=TOKEN_SALT,
    )


@dataclass(frozen=True)
class Held:
    """A plan whose code and PIN were given a short while ago (see :func:`read_token`)."""

    plan: Plan
    code: str
    token: str
    since: int  # when the code and PIN were given

    @classmethod
    def opened(cls, plan: Plan, code: str, *, since: int | None = None) -> Held:
        """The plan with a fresh MANAGE token (``since``: keep an earlier start)."""
        since = _now() if since is None else since
        return cls(plan=plan, code=code, token=issue_token(plan, code, since=since), since=since)


def read_token(token: str, *, use: str = MANAGE) -> Held | None:
    """The plan a token opens for ``use``, renewed; or None.

    None if the token is altered, idle too long, past its whole lifetime, only
    for the card when ``use`` is :data:`MANAGE`, or if the plan is deleted,
    locked or has another PIN.
    """
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE_SECONDS)
        since, token_use = int(data["since"]), str(data["use"])
        if not 0 <= _now() - since <= TOKEN_LIFETIME_SECONDS or token_use not in (use, MANAGE):
            return None
        plan = Plan.objects.filter(pk=data["plan"]).first()
        if plan is None or not digests_match(plan.pin_digest[:16], str(data["pin"])):
            return None
        code = unseal_text(str(data["code"]), context=TOKEN_CODE_CONTEXT)
    except (
        signing.BadSignature,
        DecryptionError,
        ValidationError,
        KeyError,
        TypeError,
        ValueError,
    ):
        return None
    if not digests_match(codes.code_index(code), plan.code_index):
        return None
    if plan.locked_until is not None and plan.locked_until > timezone.now():
        return None
    if not plan_keys.has_plan_key(plan.pk):
        return None  # shredded, and deleting the row then failed: the plan is gone
    token = issue_token(plan, code, use=token_use, since=since)
    return Held(plan=plan, code=code, token=token, since=since)


# --- pages -------------------------------------------------------------------------


def _refused(request: HttpRequest, window_seconds: int, *, template: str) -> HttpResponse:
    context = {"minutes": max(1, math.ceil(window_seconds / 60)), "hotline": plan_hotline()}
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(window_seconds)
    return response


@login_not_required
@private_page
@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "plans/public/landing.html", {"hotline": plan_hotline()})


def entry_context(entry: PlanEntry) -> dict[str, Any]:
    return {
        "entry": entry,
        "member_rows": entry.member_rows(),
        "contact_rows": entry.contact_rows(),
        "error_links": entry.error_links(),
        "hotline": plan_hotline(),
    }


@login_not_required
@private_page
@require_http_methods(["GET", "POST"])
def new_plan(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "plans/public/new.html", entry_context(PlanEntry()))
    entry = PlanEntry(request.POST)
    if not entry.is_valid():
        return render(request, "plans/public/new.html", entry_context(entry), status=400)
    # Only plans that would be stored count: a typo does not use up the limit.
    if not ratelimit.allow(
        scope=REGISTER_SCOPE,
        key=client_key(request),
        limit=REGISTER_LIMIT,
        window_seconds=REGISTER_WINDOW_SECONDS,
    ):
        return _refused(
            request, REGISTER_WINDOW_SECONDS, template="plans/public/register_refused.html"
        )
    try:
        plan, code = register_plan(
            contents=entry.contents(),
            pin=entry.new_pin,
            language=entry.language,
            source=PlanSource.WEB,
        )
    except PlansError as exc:
        entry.details.add_error(None, str(exc))
        return render(request, "plans/public/new.html", entry_context(entry), status=400)
    remember_registration(request, plan, code)
    return redirect("plans_public:registered")


def remember_registration(request: HttpRequest, plan: Plan, code: str) -> None:
    # For the wallet card only: whoever registers (a volunteer too) cannot open the plan.
    request.session[JUST_REGISTERED] = issue_token(plan, code, use=CARD)


def take_registration(request: HttpRequest) -> Held | None:
    """The plan registered just now, once: the session forgets it as it is read."""
    token = request.session.pop(JUST_REGISTERED, None)
    if not request.session.keys():
        # An anonymous visitor's session held only this: delete its row, not just the key.
        request.session.flush()
    return read_token(token, use=CARD) if isinstance(token, str) else None


@login_not_required
@private_page
@require_GET
def registered(request: HttpRequest) -> HttpResponse:
    held = take_registration(request)
    if held is None:
        return render(request, "plans/public/registered_gone.html", status=410)
    context = {
        "code": codes.show_code(held.code),
        "token": held.token,
        "hotline": plan_hotline(),
    }
    return render(request, "plans/public/registered.html", context)


# --- managing a plan with code and PIN ---------------------------------------------


def _manage_page(
    request: HttpRequest,
    form: ManageForm,
    *,
    status: int = 200,
    error_links: list[ErrorLink] | None = None,
) -> HttpResponse:
    context = {
        "form": form,
        "error_links": form.error_links() if form.is_bound else error_links or [],
        "hotline": plan_hotline(),
    }
    return render(request, "plans/public/manage.html", context, status=status)


def _wrong(form: ManageForm) -> None:
    # One answer, word for word and with the same status, for a code that is no plan's,
    # a wrong PIN and a locked plan: nothing tells whether a code exists.
    form.add_error(
        None,
        _(
            "That code and PIN do not open a plan now. Check them and try again later, "
            "or call {hotline}."
        ).format(hotline=plan_hotline().display),
    )


@login_not_required
@private_page
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _manage_page(request, ManageForm())
    form = ManageForm(request.POST)
    if not form.is_valid():
        return _manage_page(request, form, status=400)
    if not ratelimit.allow(
        scope=MANAGE_SCOPE,
        key=client_key(request),
        limit=MANAGE_LIMIT,
        window_seconds=MANAGE_WINDOW_SECONDS,
    ):
        return _refused(request, MANAGE_WINDOW_SECONDS, template="plans/public/manage_refused.html")
    code = form.cleaned_data["code"]
    plan = find_plan(code)
    answer = (
        # A code that is no plan's is counted as a real one would be, in the scope the SMS
        # door counts it too (a real plan's lock counts tries at every door).
        check_unknown_code(code=code)
        if plan is None
        else check_pin(plan=plan, pin=form.cleaned_data["pin"])
    )
    if answer is not PinCheck.OK or plan is None:
        _wrong(form)
        return _manage_page(request, form, status=400)
    try:
        return _plan_page(request, Held.opened(plan, code))
    except plan_keys.PlanKeyMissing:
        # Its key was shredded since find_plan looked: deleted, like a code that is no plan's.
        _wrong(form)
        return _manage_page(request, form, status=400)


def _plan_page(
    request: HttpRequest,
    held: Held,
    *,
    entry: PlanEntry | None = None,
    pin_form: ChangePinForm | None = None,
    done: str = "",
    status: int = 200,
) -> HttpResponse:
    if entry is None:
        entry = PlanEntry(
            contents=open_contents(held.plan), language=held.plan.language, with_pin=False
        )
    pin_form = pin_form or ChangePinForm()
    context = entry_context(entry) | {
        "token": held.token,
        "pin_form": pin_form,
        "pin_error_links": pin_form.error_links() if pin_form.is_bound else [],
        "done": done,
    }
    return render(request, "plans/public/edit.html", context, status=status)


def _expired(request: HttpRequest) -> HttpResponse:
    message = _(
        "For your safety, the page closed: it stays open 15 minutes after each step and "
        "20 minutes in all. Write your plan code and PIN again."
    )
    return _manage_page(request, ManageForm(), status=403, error_links=[ErrorLink("", message)])


def _with_plan(
    use: str = MANAGE,
) -> Callable[[Callable[[HttpRequest, Held], HttpResponse]], Callable[[HttpRequest], HttpResponse]]:
    """A POST that carries a valid token for ``use``; a GET (a language switch) goes back to
    code and PIN."""

    def decorator(
        view: Callable[[HttpRequest, Held], HttpResponse],
    ) -> Callable[[HttpRequest], HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest) -> HttpResponse:
            if request.method != "POST":
                return redirect("plans_public:manage")
            token = request.POST.get("token", "")
            held = read_token(token, use=use) if token else None
            if held is None:
                return _expired(request)
            return view(request, held)

        return wrapper

    return decorator


@login_not_required
@private_page
@require_http_methods(["GET", "POST"])
@_with_plan()
def edit_plan(request: HttpRequest, held: Held) -> HttpResponse:
    entry = PlanEntry(request.POST, contents=open_contents(held.plan), with_pin=False)
    if not entry.is_valid():
        return _plan_page(request, held, entry=entry, status=400)
    update_plan(plan=held.plan, contents=entry.contents(), language=entry.language)
    return _plan_page(request, held, done=_("Your plan is saved."))


@login_not_required
@private_page
@require_http_methods(["GET", "POST"])
@_with_plan()
def new_pin(request: HttpRequest, held: Held) -> HttpResponse:
    form = ChangePinForm(request.POST)
    if not form.is_valid():
        return _plan_page(request, held, pin_form=form, status=400)
    # The current PIN too: a page left open must not let somebody else take the plan over.
    answer = check_pin(plan=held.plan, pin=form.cleaned_data["current_pin"])
    if answer is PinCheck.LOCKED:
        return _expired(request)
    if answer is not PinCheck.OK:
        form.add_error("current_pin", _("That is not the plan's PIN now. Type it again."))
        return _plan_page(request, held, pin_form=form, status=400)
    plan = change_pin(plan=held.plan, new_pin=form.cleaned_data["pin"])
    # The renewed token keeps its start: a new PIN does not lengthen the page's life.
    renewed = Held.opened(plan, held.code, since=held.since)
    return _plan_page(request, renewed, done=_("Your new PIN is set. Use it from now on."))


@login_not_required
@private_page
@require_http_methods(["GET", "POST"])
@_with_plan()
def delete(request: HttpRequest, held: Held) -> HttpResponse:
    if "confirm_step" not in request.POST:
        context = {"form": DeleteForm(), "token": held.token, "error_links": []}
        return render(request, "plans/public/delete.html", context)
    form = DeleteForm(request.POST)
    if not form.is_valid():
        context = {"form": form, "token": held.token, "error_links": form.error_links()}
        return render(request, "plans/public/delete.html", context, status=400)
    delete_plan(plan=held.plan)
    return render(request, "plans/public/deleted.html", {"hotline": plan_hotline()})


@login_not_required
@private_page
@require_http_methods(["GET", "POST"])
@_with_plan(use=CARD)
def wallet_card(request: HttpRequest, held: Held) -> HttpResponse:
    pdf = render_wallet_card(code=held.code, language=held.plan.language)
    response = HttpResponse(pdf, content_type="application/pdf")
    # No code in the file's name: it may sit in a downloads folder.
    response["Content-Disposition"] = 'attachment; filename="family-plan-card.pdf"'
    return response
