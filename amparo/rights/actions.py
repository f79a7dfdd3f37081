"""Every write of the rights library: topics, drafts, review, publication, stale notices.

Who may write: coordinators and legal staff (:data:`WRITERS`). A version is
published only after someone who wrote none of its words reviewed it: not its
author, not anyone who changed it (``TopicVersion.editors``). Changing a draft
voids its review. Only legal staff lower "needs legal review"; a change of the
words by anyone else raises it again. Publishing retires the version it
replaces, which stays readable by its link.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.accounts.models import Role, User
from amparo.accounts.queries import staff_email_addresses
from amparo.audit.actions import record_event
from amparo.contacts.models import Contact, Language
from amparo.rights.errors import RightsError
from amparo.rights.models import RightsMenuSent, Topic, TopicKind, TopicVersion, VersionStatus

log = logging.getLogger("amparo.rights")

WRITERS = (Role.COORDINATOR, Role.LEGAL)
# Operators read the scripts during calls; writers read everything.
READERS = (Role.OPERATOR, Role.COORDINATOR, Role.LEGAL)
# A new text is due for review this long after it is drafted, unless its author says otherwise.
DEFAULT_REVIEW_PERIOD = dt.timedelta(days=180)


def _require_writer(by: User | None) -> None:
    if by is not None and not by.has_role(*WRITERS):
        raise RightsError(_("Only coordinators and legal staff may change rights content."))


def _lock(version: TopicVersion) -> TopicVersion:
    return TopicVersion.objects.select_for_update().select_related("topic").get(pk=version.pk)


def _may_clear_legal_review(by: User | None) -> bool:
    """Legal staff, or the seed command (``by`` None, which always asks for the review)."""
    return by is None or by.has_role(Role.LEGAL)


def _refuse_a_writer_as_reviewer(version: TopicVersion, reviewer_id: int) -> None:
    if version.author_id == reviewer_id:
        raise RightsError(_("Someone other than its author must review a text."))
    if version.was_written_by(reviewer_id):
        raise RightsError(
            _("Someone who did not change this text must review it: you changed its words.")
        )


def default_review_by() -> dt.date:
    return timezone.localdate() + DEFAULT_REVIEW_PERIOD


def create_topic(*, kind: TopicKind | str, slug: str, order: int, by: User | None) -> Topic:
    """A new topic (no text yet). ``by`` None: the seed command."""
    _require_writer(by)
    with transaction.atomic():
        topic = Topic.objects.create(kind=kind, slug=slug, order=order)
        record_event(actor=by, action="rights.topic_create", target=topic)
    return topic


def draft_version(
    *,
    topic: Topic,
    language: Language | str,
    title: str,
    body: str,
    sms_text: str,
    script: str,
    review_by: dt.date | None = None,
    needs_legal_review: bool = True,
    by: User | None,
) -> TopicVersion:
    """A new draft of ``topic`` in ``language``, numbered after the last one.

    Only legal staff may draft a text that does not need a legal review: from
    anyone else, ``needs_legal_review=False`` is ignored (new words were not
    seen by a lawyer).
    """
    _require_writer(by)
    if not _may_clear_legal_review(by):
        needs_legal_review = True
    with transaction.atomic():
        # Lock the topic: two drafts at once must not take the same number.
        Topic.objects.select_for_update().filter(pk=topic.pk).first()
        last = TopicVersion.objects.filter(topic=topic, language=language).aggregate(
            last=Max("number")
        )["last"]
        version = TopicVersion.objects.create(
            topic=topic,
            language=language,
            number=(last or 0) + 1,
            title=title,
            body=body,
            sms_text=sms_text,
            script=script,
            review_by=review_by or default_review_by(),
            needs_legal_review=needs_legal_review,
            author=by,
        )
        if by is not None:
            version.editors.add(by)
        record_event(actor=by, action="rights.version_draft", target=version)
    return version


def update_draft(
    *,
    version: TopicVersion,
    title: str,
    body: str,
    sms_text: str,
    script: str,
    review_by: dt.date,
    needs_legal_review: bool | None = None,
    by: User,
) -> TopicVersion:
    """Change a draft. A review it had no longer counts: the words it covered changed.

    ``by`` becomes one of its editors, so can no longer review it. Legal staff
    set "needs legal review" as they say (None: leave it). From anyone else
    the flag is never lowered, and it is raised again if they changed any of
    the words: a lawyer saw the words before, not these.
    """
    _require_writer(by)
    with transaction.atomic():
        locked = _lock(version)
        if locked.status != VersionStatus.DRAFT:
            raise RightsError(_("Only a draft can be changed. Start a new version instead."))
        words_changed = (locked.title, locked.body, locked.sms_text, locked.script) != (
            title,
            body,
            sms_text,
            script,
        )
        if _may_clear_legal_review(by):
            if needs_legal_review is not None:
                locked.needs_legal_review = needs_legal_review
        elif needs_legal_review or words_changed:
            locked.needs_legal_review = True
        locked.title, locked.body, locked.sms_text = title, body, sms_text
        locked.script, locked.review_by = script, review_by
        locked.reviewer, locked.reviewed_at = None, None
        locked.save()
        locked.editors.add(by)
        record_event(actor=by, action="rights.version_update", target=locked)
    return locked


def review_version(
    *,
    version: TopicVersion,
    by: User,
    review_by: dt.date | None = None,
    legal_review_done: bool = False,
) -> TopicVersion:
    """``by`` read the draft and vouches for it; only then may it be published.

    The reviewer is never the author nor anyone who changed the text.
    ``legal_review_done`` (legal staff only) lifts the "needs legal review"
    flag. ``review_by``: when to look again.
    """
    _require_writer(by)
    with transaction.atomic():
        locked = _lock(version)
        if locked.status != VersionStatus.DRAFT:
            raise RightsError(_("Only a draft can be reviewed."))
        _refuse_a_writer_as_reviewer(locked, by.pk)
        if legal_review_done and not by.has_role(Role.LEGAL):
            raise RightsError(_("Only legal staff can clear the legal review."))
        locked.reviewer, locked.reviewed_at = by, timezone.now()
        if review_by is not None:
            locked.review_by = review_by
        if legal_review_done:
            locked.needs_legal_review = False
        locked.save(update_fields=["reviewer", "reviewed_at", "review_by", "needs_legal_review"])
        record_event(actor=by, action="rights.version_review", target=locked)
    return locked


def publish_version(*, version: TopicVersion, by: User) -> TopicVersion:
    """Make a reviewed draft the current text; the one it replaces is retired, still readable."""
    _require_writer(by)
    with transaction.atomic():
        locked = _lock(version)
        if locked.status != VersionStatus.DRAFT:
            raise RightsError(_("Only a draft can be published."))
        if locked.reviewer_id is None:
            raise RightsError(_("A text is published only after someone else reviewed it."))
        # update_draft voids a review, so this holds already; it costs one query to be sure.
        if locked.was_written_by(locked.reviewer_id):
            raise RightsError(
                _("Its reviewer wrote or changed this text: someone else must review it first.")
            )
        now = timezone.now()
        TopicVersion.objects.filter(
            topic=locked.topic, language=locked.language, status=VersionStatus.PUBLISHED
        ).update(status=VersionStatus.RETIRED)
        locked.status, locked.published_at = VersionStatus.PUBLISHED, now
        locked.save(update_fields=["status", "published_at"])
        record_event(actor=by, action="rights.version_publish", target=locked)
    return locked


def discard_draft(*, version: TopicVersion, by: User) -> None:
    """Delete a draft nobody will publish (nothing public ever linked to it)."""
    _require_writer(by)
    with transaction.atomic():
        locked = _lock(version)
        if locked.status != VersionStatus.DRAFT:
            raise RightsError(_("Only a draft can be discarded."))
        record_event(actor=by, action="rights.version_discard", target=locked)
        locked.delete()


# --- stale texts -----------------------------------------------------------------------


def notify_stale_versions(*, today: dt.date | None = None) -> int:
    """Tell the coordinators, once, of each current text past its review date. Returns how many.

    One e-mail per coordinator per run, naming each newly stale text by its
    title with a link to its staff page; nothing else of the content. Safe to
    run twice at once: a version is claimed by a conditional update.
    """
    today = today or timezone.localdate()
    candidates = list(
        TopicVersion.objects.filter(
            status=VersionStatus.PUBLISHED, review_by__lt=today, stale_notified_at__isnull=True
        ).select_related("topic")
    )
    if not candidates:
        return 0
    now = timezone.now()
    claimed: list[TopicVersion] = []
    with transaction.atomic():
        for version in candidates:
            took = TopicVersion.objects.filter(
                pk=version.pk, stale_notified_at__isnull=True
            ).update(stale_notified_at=now)
            if took:
                claimed.append(version)
                record_event(actor=None, action="rights.version_stale", target=version)
        if claimed:
            _tell_coordinators_of_stale(claimed)
    return len(claimed)


def _tell_coordinators_of_stale(versions: list[TopicVersion]) -> None:
    addresses = staff_email_addresses(Role.COORDINATOR)
    if not addresses:
        return
    subject = _("%(network)s: rights texts due for review") % {
        "network": settings.AMPARO_NETWORK_NAME
    }
    lines = [_("These rights texts passed their review date. Please review them again:")]
    for version in versions:
        link = settings.AMPARO_PUBLIC_URL + reverse("rights:version", args=[version.pk])
        lines.append(f"- {version.title} ({version.language}, v{version.number}): {link}")
    body = "\n".join(lines)
    transaction.on_commit(lambda: _send_mails(subject, body, addresses))


def _send_mails(subject: str, body: str, addresses: list[str]) -> None:
    """One e-mail per coordinator (they do not see each other's addresses)."""
    try:
        send_mass_mail([(subject, body, None, [address]) for address in addresses])
    except (OSError, smtplib.SMTPException) as exc:
        # The stale flag stays on the staff page; never log the addresses.
        log.warning("rights: stale notice e-mail not sent (%s)", type(exc).__name__)


# --- the SMS menu ------------------------------------------------------------------------


def note_rights_menu_sent(*, contact: Contact) -> None:
    """Remember that ``contact`` was just sent the menu: a bare number may now pick a topic."""
    RightsMenuSent.objects.update_or_create(contact=contact, defaults={"sent_at": timezone.now()})


def forget_rights_menus(*, sent_before: dt.datetime) -> int:
    """Forget menus sent before ``sent_before``: they no longer give a number a meaning."""
    return RightsMenuSent.objects.filter(sent_at__lt=sent_before).delete()[0]
