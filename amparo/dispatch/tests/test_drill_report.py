"""The report of a scripted drill: who answered and how fast, per area, per skill, in all."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from amparo.accounts.models import Role
from amparo.accounts.tests.factories import make_staff
from amparo.audit.models import AuditEvent
from amparo.dispatch import actions
from amparo.dispatch.models import Drill, Offer, Responder, Skill
from amparo.dispatch.queries.drills import Readiness, access_drill_report, drill_report
from amparo.dispatch.tests.factories import next_phone
from amparo.incidents.tests.factories import make_gazetteer
from amparo.places.models import Town

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 4, 18, 0, tzinfo=dt.UTC)


def minutes(value: float) -> dt.timedelta:
    return dt.timedelta(minutes=value)


def volunteer(name: str, town: Town | None, *skills: str) -> Responder:
    return actions.add_responder(
        by=None, display_name=name, phone=next_phone(), skills=skills, home_town=town
    )


def scripted_drill() -> Drill:
    """Seven responders in Hartford, Stamford and nowhere; answers at scripted times.

    ==========  ========  =======================  =====================================
    responder   area      skills                   answer
    ==========  ========  =======================  =====================================
    A           Hartford  verifier, driver         yes after 2 min
    B           Hartford  verifier                 no after 5 min
    C           Hartford  legal observer           none (a yes after the end: too late)
    D           Stamford  verifier, interpreter    yes after 1 min
    E           Stamford  driver                   yes after 10 min, no after 12 min
    F           Stamford  legal observer           none
    G           no area   accompaniment            yes after 30 s
    ==========  ========  =======================  =====================================
    """
    towns = make_gazetteer()
    hartford, stamford = towns["Hartford"], towns["Stamford"]
    people = {
        "A": volunteer("Invented A", hartford, Skill.VERIFIER, Skill.DRIVER),
        "B": volunteer("Invented B", hartford, Skill.VERIFIER),
        "C": volunteer("Invented C", hartford, Skill.LEGAL_OBSERVER),
        "D": volunteer("Invented D", stamford, Skill.VERIFIER, Skill.INTERPRETER),
        "E": volunteer("Invented E", stamford, Skill.DRIVER),
        "F": volunteer("Invented F", stamford, Skill.LEGAL_OBSERVER),
        "G": volunteer("Invented G", None, Skill.ACCOMPANIMENT),
    }
    drill = actions.start_drill(by=make_staff(Role.COORDINATOR), now=START)
    offer = {key: Offer.objects.get(drill=drill, responder=r) for key, r in people.items()}
    script: list[tuple[str, bool, dt.timedelta]] = [
        ("G", True, minutes(0.5)),
        ("D", True, minutes(1)),
        ("A", True, minutes(2)),
        ("B", False, minutes(5)),
        ("E", True, minutes(10)),
        ("E", False, minutes(12)),
    ]
    for key, accept, after in script:
        actions.answer_drill_offer(offer=offer[key], accept=accept, now=START + after)
    actions.end_drill(drill=drill, now=START + minutes(20))
    actions.answer_drill_offer(offer=offer["C"], accept=True, now=START + minutes(25))
    drill.refresh_from_db()
    return drill


def figures(row: Readiness) -> tuple[Any, ...]:
    return (
        row.label,
        row.offered,
        row.answered,
        row.would_go,
        row.cant_go,
        row.no_answer,
        row.median,
        row.slowest,
    )


def test_the_report_of_a_scripted_drill_has_the_exact_figures(
    django_assert_num_queries: Any,
) -> None:
    drill = scripted_drill()

    with translation.override("en"), django_assert_num_queries(1):
        report = drill_report(drill)

    assert not report.running
    #       label, offered, answered, would go, can't go, no answer, median, slowest
    assert [figures(row) for row in report.by_area] == [
        ("Hartford", 3, 2, 1, 1, 1, minutes(3.5), minutes(5)),
        ("Stamford", 3, 2, 1, 1, 1, minutes(5.5), minutes(10)),
        ("no area", 1, 1, 1, 0, 0, minutes(0.5), minutes(0.5)),
    ]
    assert [figures(row) for row in report.by_skill] == [
        ("verifier", 3, 3, 2, 1, 0, minutes(2), minutes(5)),
        ("legal observer", 2, 0, 0, 0, 2, None, None),
        ("interpreter", 1, 1, 1, 0, 0, minutes(1), minutes(1)),
        ("driver", 2, 2, 1, 1, 0, minutes(6), minutes(10)),
        ("accompaniment", 1, 1, 1, 0, 0, minutes(0.5), minutes(0.5)),
    ]
    assert figures(report.total) == ("all", 7, 5, 3, 2, 2, minutes(2), minutes(10))
    times = {a.offer.responder.display_name[-1]: a.time for a in report.answers}
    assert times == {
        "A": minutes(2),
        "B": minutes(5),
        "C": None,
        "D": minutes(1),
        "E": minutes(10),
        "F": None,
        "G": minutes(0.5),
    }


def test_a_running_drill_counts_the_unanswered_as_no_answer_yet() -> None:
    make_gazetteer()
    volunteer("Invented A", None, Skill.VERIFIER)
    volunteer("Invented B", None)
    drill = actions.start_drill(by=make_staff(Role.COORDINATOR), now=START)

    with translation.override("en"):
        report = drill_report(drill)

    assert report.running
    assert figures(report.total) == ("all", 2, 0, 0, 0, 2, None, None)
    assert [row.label for row in report.by_skill] == ["verifier", "no skill"]


def test_reading_the_report_is_for_coordinators_and_audited() -> None:
    drill = scripted_drill()
    boss = make_staff(Role.COORDINATOR)

    report = access_drill_report(boss, drill.pk)

    assert report.total.offered == 7
    event = AuditEvent.objects.get(action="dispatch.drill_view")
    assert event.actor_id == boss.pk and event.target_id == str(drill.pk)
    for role in (Role.OPERATOR, Role.RESPONDER, Role.ADMIN, Role.LEGAL, Role.TREASURER):
        with pytest.raises(PermissionDenied):
            access_drill_report(make_staff(role), drill.pk)
    assert AuditEvent.objects.filter(action="dispatch.drill_view").count() == 1
