"""Know-your-rights content: topics, and their versions in every language.

Rights content is data, never code (CONTEXT.md "Warrants"): what the law allows
changes and is contested, so every text has an author, the staff who changed
it, a second person (none of those) who reviewed it, the date it was reviewed
and the date by which it must be reviewed again. A version once published
stays readable at its own link (``/rights/<slug>/<lang>/v<N>/``) after a newer
one replaces it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amparo.contacts.models import Language


class TopicKind(models.TextChoices):
    AT_THE_DOOR = "door", _("At the door")
    ON_THE_STREET = "street", _("On the street")
    AT_WORK = "work", _("At work")
    IN_A_CAR = "car", _("In a car")
    CHECK_IN_OR_COURT = "checkin", _("At a check-in or court")
    IF_DETAINED = "detained", _("If you are detained")
    WARRANTS = "warrants", _("Warrants explained")
    LOCAL_PROTECTIONS = "local", _("Local protections")


class Topic(models.Model):
    """One situation a person may be in; its texts are its versions."""

    kind = models.CharField(_("kind"), max_length=16, choices=TopicKind.choices, unique=True)
    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    # The number people text ("RIGHTS 3") and the order of every list.
    order = models.PositiveSmallIntegerField(_("order"), unique=True)

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return self.slug


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    RETIRED = "retired", _("retired")


class TopicVersion(models.Model):
    """One text of a topic in one language. Numbered per topic and language from 1.

    ``draft``: being written or reviewed, seen by staff only;
    ``published``: the current text (at most one per topic and language);
    ``retired``: an earlier published text, still readable by its link.
    """

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="versions")
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text for the web"))
    sms_text = models.TextField(_("text for SMS"))
    script = models.TextField(_("operator script"), blank=True, default="")
    needs_legal_review = models.BooleanField(_("needs legal review"), default=True)
    status = models.CharField(
        _("status"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    # None: seed content loaded by ``amparo rights seed``, written by nobody on staff.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # Everyone on staff who wrote any of its words: the author and each later editor
    # (the seed counts as nobody). None of them may review it.
    editors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", blank=True, verbose_name=_("edited by")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_by = models.DateField(_("review again by"))
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Set when the coordinators were told this text is past its review date: once.
    stale_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["topic__order", "language", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "language", "number"], name="rights_version_number_unique"
            ),
            models.UniqueConstraint(
                fields=["topic", "language"],
                condition=models.Q(status="published"),
                name="rights_one_current_version",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(reviewer__isnull=False),
                name="rights_published_was_reviewed",
            ),
            models.CheckConstraint(
                condition=~models.Q(reviewer=models.F("author")),
                name="rights_reviewer_is_not_author",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic.slug}/{self.language}/v{self.number}"

    @property
    def is_current(self) -> bool:
        return self.status == VersionStatus.PUBLISHED

    @property
    def was_published(self) -> bool:
        return self.published_at is not None

    def was_written_by(self, user_id: int | None) -> bool:
        """``user_id`` wrote or changed any of its words (one query unless it is the author)."""
        if user_id is None:
            return False
        return self.author_id == user_id or self.editors.filter(pk=user_id).exists()

    def is_stale(self, today: dt.date | None = None) -> bool:
        """Past its "review again by" date."""
        return self.review_by < (today or timezone.localdate())


class RightsMenuSent(models.Model):
    """A contact was sent the rights menu: a bare number from them picks a topic for a while.

    One row per contact, deleted by a sweep once it no longer counts.
    """

    contact = models.OneToOneField("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"rights menu sent to contact {self.contact_id}"
