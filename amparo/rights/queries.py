"""Reads of the rights library.

Published texts are public: the functions at the top need no user. Drafts and
the library's working view are for staff (:func:`access_library`,
:func:`access_version`), with a role check. Rights texts hold nothing about
any person, so reading them is not audited; every change is (actions).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from amparo.accounts.models import User
from amparo.contacts.models import Language
from amparo.rights.actions import READERS, WRITERS
from amparo.rights.models import Topic, TopicVersion, VersionStatus

FALLBACK_LANGUAGE = Language.ENGLISH


def _current() -> Q:
    return Q(status=VersionStatus.PUBLISHED)


def _preferred(versions: list[TopicVersion], language: str) -> list[TopicVersion]:
    """One version per topic: in ``language`` where there is one, else in English."""
    chosen: dict[int, TopicVersion] = {}
    for version in versions:
        if version.topic_id not in chosen or version.language == language:
            chosen[version.topic_id] = version
    return sorted(chosen.values(), key=lambda v: v.topic.order)


def current_versions(language: str) -> list[TopicVersion]:
    """The current text of every topic, in ``language`` (else English), in topic order."""
    versions = TopicVersion.objects.filter(
        _current(), language__in={language, FALLBACK_LANGUAGE}
    ).select_related("topic")
    return _preferred(list(versions), language)


def current_version(slug: str, language: str) -> TopicVersion | None:
    """The current text of the topic ``slug`` in ``language`` (else English)."""
    versions = TopicVersion.objects.filter(
        _current(), topic__slug=slug, language__in={language, FALLBACK_LANGUAGE}
    ).select_related("topic")
    found = _preferred(list(versions), language)
    return found[0] if found else None


def current_by_number(number: int, language: str) -> TopicVersion | None:
    """The topic people pick by its number ("RIGHTS 3"), in ``language`` (else English)."""
    versions = TopicVersion.objects.filter(
        _current(), topic__order=number, language__in={language, FALLBACK_LANGUAGE}
    ).select_related("topic")
    found = _preferred(list(versions), language)
    return found[0] if found else None


def published_version(slug: str, language: str, number: int) -> TopicVersion | None:
    """A version that was published (current or retired) by its permanent link."""
    return (
        TopicVersion.objects.filter(
            topic__slug=slug, language=language, number=number, published_at__isnull=False
        )
        .select_related("topic", "reviewer")
        .first()
    )


@dataclass(frozen=True)
class PublishedEntry:
    language: str
    number: int
    published_at: dt.datetime
    current: bool


def publication_history(topic: Topic) -> list[PublishedEntry]:
    """Every published version of ``topic`` in every language, newest first (one query)."""
    rows = (
        TopicVersion.objects.filter(topic=topic, published_at__isnull=False)
        .order_by("language", "-number")
        .values_list("language", "number", "published_at", "status")
    )
    return [
        PublishedEntry(language, number, published_at, status == VersionStatus.PUBLISHED)
        for language, number, published_at, status in rows
        if published_at is not None
    ]


def script_for(kind_or_slug: str, language: str) -> TopicVersion | None:
    """The current operator script of a topic (by kind, "door", or slug), in ``language``.

    Falls back to English; None if the topic has no current text.
    """
    versions = TopicVersion.objects.filter(
        _current(),
        Q(topic__kind=kind_or_slug) | Q(topic__slug=kind_or_slug),
        language__in={language, FALLBACK_LANGUAGE},
    ).select_related("topic")
    found = [v for v in _preferred(list(versions), language) if v.script]
    return found[0] if found else None


def intake_scripts(language: str) -> list[TopicVersion]:
    """The current operator script of every topic that has one, for the call intake page."""
    return [v for v in current_versions(language) if v.script]


# --- staff -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LibraryRow:
    topic: Topic
    current: TopicVersion | None
    drafts: list[TopicVersion]
    stale: bool


@dataclass(frozen=True)
class Library:
    rows: list[LibraryRow]
    stale: list[TopicVersion]  # current texts past their review date, in every language
    can_write: bool


def _require_reader(user: User) -> None:
    if not user.has_role(*READERS):
        raise PermissionDenied


def access_library(user: User, language: str, *, today: dt.date | None = None) -> Library:
    """Every topic with its current text and drafts in ``language``; stale texts in all."""
    _require_reader(user)
    today = today or timezone.localdate()
    can_write = user.has_role(*WRITERS)
    topics = list(Topic.objects.all())
    versions = TopicVersion.objects.filter(language=language).select_related("topic")
    if not can_write:
        versions = versions.filter(_current())
    current: dict[int, TopicVersion] = {}
    drafts: dict[int, list[TopicVersion]] = {}
    for version in versions:
        if version.status == VersionStatus.PUBLISHED:
            current[version.topic_id] = version
        elif version.status == VersionStatus.DRAFT:
            drafts.setdefault(version.topic_id, []).append(version)
    rows = [
        LibraryRow(
            topic=topic,
            current=current.get(topic.pk),
            drafts=drafts.get(topic.pk, []),
            stale=topic.pk in current and current[topic.pk].is_stale(today),
        )
        for topic in topics
    ]
    stale = list(
        TopicVersion.objects.filter(_current(), review_by__lt=today)
        .select_related("topic")
        .order_by("topic__order", "language")
    )
    return Library(rows=rows, stale=stale, can_write=can_write)


def access_version(user: User, version_id: int) -> TopicVersion:
    """One version for its staff page: drafts to writers only."""
    _require_reader(user)
    version = (
        TopicVersion.objects.select_related("topic", "author", "reviewer")
        .filter(pk=version_id)
        .first()
    )
    if version is None:
        raise Http404("no such version")
    if version.status == VersionStatus.DRAFT and not user.has_role(*WRITERS):
        raise PermissionDenied
    return version


def access_topic(user: User, topic_id: int) -> Topic:
    """A topic, for a writer starting a new version of it."""
    if not user.has_role(*WRITERS):
        raise PermissionDenied
    topic = Topic.objects.filter(pk=topic_id).first()
    if topic is None:
        raise Http404("no such topic")
    return topic


def latest_version(topic: Topic, language: str) -> TopicVersion | None:
    """The newest version of ``topic`` in ``language``, whatever its status (to start from)."""
    return TopicVersion.objects.filter(topic=topic, language=language).order_by("-number").first()
