"""Reporter trust and abuse signals (issue 4, part 6).

A reporter is known only by their contact, which is found by the blind index
of the number; nothing here reads or shows the number itself, and nothing here
is ever shown to the public. The signals help a coordinator weigh a report;
they never drop one.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from amparo.contacts.models import Contact
from amparo.incidents.models import Outcome, Report


def reporter_history(contact: Contact) -> dict[str, int]:
    """How the reports from ``contact`` turned out, counted by their incident's outcome.

    Keys: ``reports`` (all kept reports), ``confirmed``, ``false-alarm``,
    ``unconfirmed`` (expired unverified), ``open`` (not decided yet) and
    ``unplaced`` (no incident yet). Purged reports no longer name their
    reporter, so history reaches back ``AMPARO_REPORT_RETENTION_DAYS`` at most.
    """
    counts = Report.objects.filter(reporter=contact).aggregate(
        reports=Count("pk"),
        confirmed=Count("pk", filter=Q(incident__outcome=Outcome.CONFIRMED)),
        false_alarm=Count("pk", filter=Q(incident__outcome=Outcome.FALSE_ALARM)),
        unconfirmed=Count("pk", filter=Q(incident__outcome=Outcome.UNCONFIRMED)),
        open=Count("pk", filter=Q(incident__isnull=False, incident__outcome="")),
        unplaced=Count("pk", filter=Q(incident__isnull=True)),
    )
    counts["false-alarm"] = counts.pop("false_alarm")
    return counts


def new_number_reports(now: dt.datetime | None = None) -> int:
    """Reports within the burst window from numbers first seen within the "new" period."""
    now = now or timezone.now()
    window = dt.timedelta(minutes=settings.AMPARO_BURST_WINDOW_MINUTES)
    new = dt.timedelta(hours=settings.AMPARO_BURST_NEW_NUMBER_HOURS)
    return Report.objects.filter(
        purged_at=None,
        received_at__gte=now - window,
        received_at__lte=now,
        reporter__created_at__gte=now - new,
    ).count()


def burst_of_new_numbers(now: dt.datetime | None = None) -> bool:
    """Whether many reports came from numbers never seen before: a possible false-report flood.

    True once ``AMPARO_BURST_MIN_REPORTS`` reports arrived within
    ``AMPARO_BURST_WINDOW_MINUTES`` from numbers first seen within
    ``AMPARO_BURST_NEW_NUMBER_HOURS``. Real surges bring new callers too, so
    the board shows it as a caution, not a verdict.
    """
    return new_number_reports(now) >= settings.AMPARO_BURST_MIN_REPORTS
