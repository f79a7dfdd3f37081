"""Rights pages: public under /rights/ (no account, no JavaScript), staff under /staff/rights/.

Public pages:

- ``/rights/``: every topic's current text title, in the visitor's language
  (the language switch every public page has; English where a topic has no
  text in that language yet);
- ``/rights/<slug>/``: a topic's current text, its review date and the links
  to every version ever published;
- ``/rights/<slug>/<lang>/v<N>/``: one published version for good, marked as
  older when a newer one replaced it;
- ``/rights/card/<lang>.pdf``: the printable red card (amparo/rights/card.py).

Pages are small, load nothing from another origin and print cleanly.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from amparo.accounts.decorators import role_required, signed_in_user
from amparo.accounts.models import Role
from amparo.contacts.models import Language
from amparo.rights import actions
from amparo.rights import queries as q
from amparo.rights.card import render_card
from amparo.rights.errors import RightsError
from amparo.rights.forms import ReviewForm, VersionForm
from amparo.rights.models import TopicVersion, VersionStatus

LANGUAGE_NAMES = dict(Language.choices)


def page_language() -> str:
    code = (translation.get_language() or "").split("-")[0]
    return code if code in Language.values else Language.ENGLISH


# --- public ---------------------------------------------------------------------------


@login_not_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    language = page_language()
    context = {
        "versions": q.current_versions(language),
        "language": language,
        "card_languages": Language.choices,
    }
    return render(request, "rights/index.html", context)


def _topic_page(
    request: HttpRequest, version: TopicVersion, current: TopicVersion | None
) -> HttpResponse:
    context = {
        "version": version,
        "current": current,
        "is_current": version.is_current,
        "history": [
            entry
            for entry in q.publication_history(version.topic)
            if entry.language == version.language
        ],
        "language_name": LANGUAGE_NAMES.get(version.language, version.language),
        "shown_in_other_language": version.language != page_language(),
    }
    return render(request, "rights/topic.html", context)


@login_not_required
@require_safe
def topic(request: HttpRequest, slug: str) -> HttpResponse:
    version = q.current_version(slug, page_language())
    if version is None:
        raise Http404("no current text")
    return _topic_page(request, version, version)


@login_not_required
@require_safe
def version(request: HttpRequest, slug: str, language: str, number: int) -> HttpResponse:
    found = q.published_version(slug, language, number)
    if found is None:
        raise Http404("never published")
    current = found if found.is_current else q.current_version(slug, language)
    if current is not None and current.language != language:
        current = None  # no current text in this language: the English one is another text
    return _topic_page(request, found, current)


@login_not_required
@require_safe
def card(request: HttpRequest, language: str) -> HttpResponse:
    if language not in Language.values:
        raise Http404("not a language the network offers")
    base = str(settings.AMPARO_PUBLIC_URL or "").rstrip("/") or request.build_absolute_uri("/")[:-1]
    pdf = render_card(language=language, url=base + reverse("public_rights:index"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="rights-card-{language}.pdf"'
    return response


# --- staff ----------------------------------------------------------------------------


def _staff_language(request: HttpRequest) -> str:
    asked = request.GET.get("language", "")
    return asked if asked in Language.values else page_language()


@role_required(*actions.READERS)
@require_safe
def library(request: HttpRequest) -> HttpResponse:
    language = _staff_language(request)
    context = {
        "library": q.access_library(signed_in_user(request), language),
        "language": language,
        "text_languages": Language.choices,
    }
    return render(request, "rights/library.html", context)


@role_required(*actions.READERS)
@require_safe
def version_detail(request: HttpRequest, version_id: int) -> HttpResponse:
    user = signed_in_user(request)
    found = q.access_version(user, version_id)
    can_write = user.has_role(*actions.WRITERS)
    is_draft = found.status == VersionStatus.DRAFT
    is_legal = user.has_role(Role.LEGAL)
    editors = list(found.editors.order_by("username"))
    wrote_it = found.author_id == user.pk or any(editor.pk == user.pk for editor in editors)
    review_form = None
    if can_write and is_draft and not wrote_it:
        review_form = ReviewForm(initial={"review_by": found.review_by})
        if not is_legal:
            del review_form.fields["legal_review_done"]  # only legal staff clear the flag
    edit_form = None
    if can_write and is_draft:
        edit_form = VersionForm(initial=_initial(found), legal=is_legal)
    context = {
        "version": found,
        "editors": editors,
        "wrote_it": wrote_it,
        "is_legal": is_legal,
        "can_write": can_write,
        "is_draft": is_draft,
        "edit_form": edit_form,
        "review_form": review_form,
        "can_publish": can_write and is_draft and found.reviewer_id is not None,
        "language_name": LANGUAGE_NAMES.get(found.language, found.language),
    }
    return render(request, "rights/version.html", context)


def _initial(version: TopicVersion | None) -> dict[str, object]:
    if version is None:
        return {"review_by": actions.default_review_by(), "needs_legal_review": True}
    return {
        "title": version.title,
        "body": version.body,
        "sms_text": version.sms_text,
        "script": version.script,
        "review_by": version.review_by
        if version.status == VersionStatus.DRAFT
        else actions.default_review_by(),
        "needs_legal_review": version.needs_legal_review,
    }


def _back(version: TopicVersion) -> HttpResponse:
    return redirect("rights:version", version_id=version.pk)


@role_required(*actions.WRITERS)
def new_version(request: HttpRequest, topic_id: int, language: str) -> HttpResponse:
    user = signed_in_user(request)
    topic = q.access_topic(user, topic_id)
    if language not in Language.values:
        raise Http404("not a language the network offers")
    legal = user.has_role(Role.LEGAL)
    if request.method == "POST":
        form = VersionForm(request.POST, legal=legal)
        if form.is_valid():
            created = actions.draft_version(
                topic=topic, language=language, by=user, **form.cleaned_data
            )
            messages.success(
                request, _("Draft saved. Someone else must review it before it is published.")
            )
            return _back(created)
    else:
        form = VersionForm(initial=_initial(q.latest_version(topic, language)), legal=legal)
    context = {
        "form": form,
        "topic": topic,
        "language": language,
        "language_name": LANGUAGE_NAMES[language],
        "is_legal": legal,
    }
    return render(request, "rights/version_form.html", context)


@role_required(*actions.WRITERS)
@require_POST
def edit_version(request: HttpRequest, version_id: int) -> HttpResponse:
    user = signed_in_user(request)
    found = q.access_version(user, version_id)
    form = VersionForm(request.POST, legal=user.has_role(Role.LEGAL))
    if not form.is_valid():
        context = {
            "form": form,
            "topic": found.topic,
            "language": found.language,
            "language_name": LANGUAGE_NAMES[found.language],
            "editing": found,
            "is_legal": user.has_role(Role.LEGAL),
        }
        return render(request, "rights/version_form.html", context, status=400)
    try:
        actions.update_draft(version=found, by=user, **form.cleaned_data)
    except RightsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _(
                "Draft changed. Any earlier review no longer counts, and someone who did not "
                "change it must review it."
            ),
        )
    return _back(found)


@role_required(*actions.WRITERS)
@require_POST
def review(request: HttpRequest, version_id: int) -> HttpResponse:
    user = signed_in_user(request)
    found = q.access_version(user, version_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the review date."))
        return _back(found)
    try:
        actions.review_version(version=found, by=user, **form.cleaned_data)
    except RightsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Review recorded. The text can now be published."))
    return _back(found)


@role_required(*actions.WRITERS)
@require_POST
def publish(request: HttpRequest, version_id: int) -> HttpResponse:
    user = signed_in_user(request)
    found = q.access_version(user, version_id)
    try:
        actions.publish_version(version=found, by=user)
    except RightsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Published. The earlier text stays readable at its link."))
    return _back(found)


@role_required(*actions.WRITERS)
@require_POST
def discard(request: HttpRequest, version_id: int) -> HttpResponse:
    user = signed_in_user(request)
    found = q.access_version(user, version_id)
    try:
        actions.discard_draft(version=found, by=user)
    except RightsError as exc:
        messages.error(request, str(exc))
        return _back(found)
    messages.success(request, _("Draft discarded."))
    return redirect(reverse("rights:library") + f"?language={found.language}")
