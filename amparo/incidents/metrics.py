"""How well the network answers: time to a verdict, outcomes, towns (issue 4, part 7).

Figures are about incidents (anonymous facts), so they survive the retention
purge of reports. Incidents merged into another are left out: their reports
and facts count in the incident they joined.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q

from amparo.core.bench import percentile
from amparo.incidents.models import Incident, Outcome


def summary(since: dt.datetime) -> dict[str, Any]:
    """Incidents opened since ``since``: counts by outcome and town, minutes to a verdict.

    ``minutes_to_decision_p50``/``p90`` measure from the first report to the
    confirmation or false alarm (None when nothing was decided); an incident
    that expired unconfirmed had no decision and is counted under its outcome
    only. ``by_town`` lists towns by number of incidents, ``None`` for
    incidents whose town is unknown.
    """
    incidents = Incident.objects.filter(opened_at__gte=since, merged_into=None)
    by_outcome = {
        row["outcome"] or "open": row["count"]
        for row in incidents.values("outcome").annotate(count=Count("pk")).order_by()
    }
    by_town = [
        {
            "town": row["town__name"],
            "incidents": row["count"],
            "confirmed": row["confirmed"],
            "false_alarm": row["false_alarm"],
        }
        for row in incidents.values("town__name")
        .annotate(
            count=Count("pk"),
            confirmed=Count("pk", filter=Q(outcome=Outcome.CONFIRMED)),
            false_alarm=Count("pk", filter=Q(outcome=Outcome.FALSE_ALARM)),
        )
        .order_by("-count", "town__name")
    ]
    minutes = sorted(
        (decided - opened).total_seconds() / 60
        for opened, decided in incidents.filter(decided_at__isnull=False).values_list(
            "opened_at", "decided_at"
        )
        if decided is not None
    )
    return {
        "since": since.isoformat(),
        "incidents": sum(by_outcome.values()),
        "by_outcome": {key: by_outcome.get(key, 0) for key in ["open", *Outcome.values]},
        "by_town": by_town,
        "decided": len(minutes),
        "minutes_to_decision_p50": round(percentile(minutes, 0.5), 1) if minutes else None,
        "minutes_to_decision_p90": round(percentile(minutes, 0.9), 1) if minutes else None,
    }
