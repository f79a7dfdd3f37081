"""Staff pages for messaging: the operators' inbox, conversations, the log, health, the simulator.

Every page works without JavaScript. Reads go through :mod:`amparo.channels.queries`
(role check and audit), writes through actions.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amparo.accounts.decorators import role_required, signed_in_user
from amparo.accounts.models import User
from amparo.channels import actions, queries
from amparo.channels.forms import (
    DEFAULT_SIMULATED_PHONE,
    MessageLogFilterForm,
    ReplyForm,
    SimulatedTextForm,
)
from amparo.channels.gateways.base import InboundText, PermanentError, TransientError
from amparo.channels.models import Lane, OutboundStatus
from amparo.channels.queries import (
    CONVERSATION_ROLES,
    HEALTH_ROLES,
    LOG_ROLES,
    OPERATOR_ROLES,
    QUEUED_STATUSES,
    SIMULATOR_CHANNEL,
    SIMULATOR_ROLES,
    Conversation,
)
from amparo.channels.registry import gateway_for
from amparo.contacts import actions as contact_actions
from amparo.contacts.models import Language
from amparo.intake import actions as intake_actions

# The simulated phone lives in the session, so no number ends up in a URL or an access log.
SIMULATED_PHONE_KEY = "channels_simulated_phone"


@role_required(*CONVERSATION_ROLES)
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    page = queries.access_inbox(signed_in_user(request), page=request.GET.get("page"))
    return render(request, "channels/inbox.html", {"page": page})


@role_required(*CONVERSATION_ROLES)
@require_GET
def conversation(request: HttpRequest, contact_id: uuid.UUID) -> HttpResponse:
    user = signed_in_user(request)
    return _conversation_page(request, queries.access_conversation(user, contact_id), ReplyForm())


@role_required(*OPERATOR_ROLES)
@require_POST
def reveal_phone(request: HttpRequest, contact_id: uuid.UUID) -> HttpResponse:
    # Shown on this response only: a reload or the next page masks the number again.
    found, phone = queries.access_phone(signed_in_user(request), contact_id)
    return _conversation_page(request, found, ReplyForm(), revealed_phone=phone)


@role_required(*OPERATOR_ROLES)
@require_POST
def reply(request: HttpRequest, contact_id: uuid.UUID) -> HttpResponse:
    user = signed_in_user(request)
    contact = queries.contact_for_reply(user, contact_id)
    form = ReplyForm(request.POST)
    if form.is_valid():
        queued = actions.queue_message(
            contact=contact,
            body=form.cleaned_data["body"],
            lane=Lane.REPLY,
            sent_by=user,
            in_reply_to=queries.latest_inbound(contact),
        )
        if queued is not None:
            messages.success(request, _("Your reply is queued and will be sent in a moment."))
            return redirect("channels:conversation", contact_id=contact.pk)
        form.add_error(None, _("Nothing was sent: this number has opted out of texts."))
    found = queries.access_conversation(user, contact_id)
    return _conversation_page(request, found, form, status=400)


@role_required(*CONVERSATION_ROLES)
@require_GET
def inbound_without_contact(request: HttpRequest, message_id: uuid.UUID) -> HttpResponse:
    user = signed_in_user(request)
    entry = queries.access_inbound_without_contact(user, message_id)
    context = {"entry": entry, "is_operator": user.has_role(*OPERATOR_ROLES)}
    return render(request, "channels/inbound.html", context)


@role_required(*OPERATOR_ROLES)
@require_GET
def recording(request: HttpRequest, message_id: uuid.UUID) -> HttpResponse:
    """A voicemail's audio, fetched from the provider for this operator and not cached."""
    url = queries.access_recording(signed_in_user(request), message_id)
    try:
        audio, content_type = gateway_for("sms").fetch_recording(url)
    except TransientError:
        return HttpResponse(
            _("The recording cannot be fetched right now. Try again in a minute."), status=503
        )
    except PermanentError:
        return HttpResponse(_("This recording is no longer kept."), status=410)
    response = HttpResponse(audio, content_type=content_type)
    response["Content-Disposition"] = "inline"
    return response


@role_required(*OPERATOR_ROLES)
@require_POST
def mark_handled(request: HttpRequest, message_id: uuid.UUID) -> HttpResponse:
    user = signed_in_user(request)
    message = queries.inbound_for_operator(user, message_id)
    actions.mark_handled(message=message, by=user)
    messages.success(request, _("Marked as handled. It has left the inbox."))
    if message.contact_id is None:
        return redirect("channels:inbox")
    return redirect("channels:conversation", contact_id=message.contact_id)


def _conversation_page(
    request: HttpRequest,
    found: Conversation,
    form: ReplyForm,
    *,
    revealed_phone: str = "",
    status: int = 200,
) -> HttpResponse:
    user = signed_in_user(request)
    is_operator = user.has_role(*OPERATOR_ROLES)
    if found.opted_out:
        form.fields["body"].disabled = True
    context = {
        "conversation": found,
        "form": form,
        "is_operator": is_operator,
        "can_reply": is_operator and not found.opted_out,
        "revealed_phone": revealed_phone,
    }
    return render(request, "channels/conversation.html", context, status=status)


@role_required(*LOG_ROLES)
@require_GET
def message_log(request: HttpRequest) -> HttpResponse:
    form = MessageLogFilterForm(request.GET)
    filters: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    page = queries.access_message_log(
        signed_in_user(request),
        status=filters.get("status") or "",
        lane=filters.get("lane"),
        page=request.GET.get("page"),
    )
    # Pagination links keep the filters.
    query = request.GET.copy()
    query.pop("page", None)
    context = {"page": page, "form": form, "filter_query": query.urlencode()}
    return render(request, "channels/log.html", context)


@role_required(*HEALTH_ROLES)
@require_GET
def health(request: HttpRequest) -> HttpResponse:
    states = queries.channel_health(signed_in_user(request))
    statuses = [OutboundStatus(status).label for status in QUEUED_STATUSES]
    return render(request, "channels/health.html", {"channels": states, "statuses": statuses})


@role_required(*SIMULATOR_ROLES)
@require_http_methods(["GET", "POST"])
def simulator(request: HttpRequest) -> HttpResponse:
    if not queries.simulator_available():
        raise Http404
    user = signed_in_user(request)
    phone = request.session.get(SIMULATED_PHONE_KEY, DEFAULT_SIMULATED_PHONE)
    if request.method == "POST":
        sending = "show" not in request.POST
        form = SimulatedTextForm(request.POST, sending=sending)
        if form.is_valid():
            phone = form.cleaned_data["phone"]
            request.session[SIMULATED_PHONE_KEY] = phone
            if sending:
                _text_from_fake_phone(
                    user=user,
                    phone=phone,
                    language=form.cleaned_data["language"],
                    text=form.cleaned_data["text"],
                )
                messages.success(
                    request,
                    _("The fake phone sent your text. Replies appear once the worker sends them."),
                )
            return redirect("channels:simulator")
        status = 400
    else:
        form = None
        status = 200
    phone_view = queries.access_simulated_phone(user, phone)
    if form is None:
        language = phone_view.contact.language if phone_view.contact else Language.ENGLISH
        form = SimulatedTextForm(initial={"phone": phone_view.phone, "language": language})
    context = {"phone": phone_view, "form": form, "sender": queries.simulator_sender()}
    return render(request, "channels/simulator.html", context, status=status)


def _text_from_fake_phone(*, user: User, phone: str, language: str, text: str) -> None:
    """Hand a text to intake as if a phone had sent it to the channel's first sender."""
    contact = contact_actions.find_or_create_contact(phone=phone, by=user)
    # Only a language picked on purpose is a choice; otherwise the router may guess it.
    if contact.language != language:
        contact_actions.set_language(contact=contact, language=language, by=user)
    intake_actions.receive_text(
        channel=SIMULATOR_CHANNEL,
        text=InboundText(
            provider_id=f"sim-{uuid.uuid4().hex}",
            from_phone=phone,
            to=queries.simulator_sender(),
            body=text,
        ),
    )
