from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amparo.accounts.models import User
from amparo.incidents import actions
from amparo.incidents.errors import IncidentsError
from amparo.incidents.models import Incident, IncidentEvent, IncidentState, Outcome
from amparo.incidents.states import ALLOWED, UNVERIFIED_STATES, allowed
from amparo.incidents.tests.factories import coordinator, make_gazetteer, texted

pytestmark = pytest.mark.django_db

S = IncidentState
STATES = list(S.values)
FAR_FUTURE = timezone.now() + dt.timedelta(days=3650)


class _Rollback(Exception):
    pass


@contextmanager
def rolled_back() -> Iterator[None]:
    """Each Hypothesis example in a savepoint of its own, undone at the end."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


def test_closed_is_final() -> None:
    assert not any(allowed(S.CLOSED, to) for to in STATES)


def test_every_state_has_a_row_and_no_state_moves_to_itself() -> None:
    assert set(ALLOWED) == set(STATES)
    assert not any(allowed(state, state) for state in STATES)


def test_verdicts_are_never_swapped() -> None:
    assert not allowed(S.CONFIRMED, S.FALSE_ALARM)
    assert not allowed(S.FALSE_ALARM, S.CONFIRMED)


@given(st.text(max_size=12), st.text(max_size=12))
def test_unknown_states_are_never_allowed(from_state: str, to_state: str) -> None:
    if from_state in STATES and to_state in STATES:
        return
    assert not allowed(from_state, to_state)


# --- the actions against the table ---------------------------------------------------

# Each step: (name, the state it would lead to, or None if the rule is not a transition)
Step = Callable[[Incident, User], object]
STEPS: dict[str, tuple[str | None, Step]] = {
    "verify": (S.VERIFYING, lambda i, u: actions.start_verifying(incident=i, by=u)),
    "confirm-on-site": (
        S.CONFIRMED,
        lambda i, u: actions.confirm_incident(
            incident=i, by=u, note="responder saw it", responder_on_site=True
        ),
    ),
    "confirm-by-reporters": (
        S.CONFIRMED,
        lambda i, u: actions.confirm_incident(
            incident=i, by=u, note="three callers", responder_on_site=False
        ),
    ),
    "false-alarm": (
        S.FALSE_ALARM,
        lambda i, u: actions.mark_false_alarm(incident=i, by=u, note="only a delivery van"),
    ),
    "close": (S.CLOSED, lambda i, u: actions.close_incident(incident=i, by=u)),
    "expire": (S.UNCONFIRMED, lambda i, u: actions.expire_incident(incident=i, now=FAR_FUTURE)),
    "note": (None, lambda i, u: actions.add_note(incident=i, by=u, note="called back")),
}


def expected_after(state: str, step: str, reporter_count: int) -> str | None:
    """The state the step leads to from ``state``, or None if the step must be refused."""
    target, _ = STEPS[step]
    if step == "note":
        return state if state != S.CLOSED else None
    if step == "expire":
        return S.UNCONFIRMED if state in UNVERIFIED_STATES else None
    if step == "confirm-by-reporters" and reporter_count < 3:
        return None
    assert target is not None
    return target if allowed(state, target) else None


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(st.sampled_from(sorted(STEPS)), min_size=1, max_size=8),
    reporters=st.integers(min_value=1, max_value=4),
)
def test_any_sequence_of_decisions_follows_the_table(steps: list[str], reporters: int) -> None:
    with rolled_back():
        run_sequence(steps, reporters)


def run_sequence(steps: list[str], reporters: int) -> None:
    make_gazetteer()
    user = coordinator()
    first = texted()
    for _ in range(reporters - 1):
        texted()
    incident = Incident.objects.get(pk=first.incident_id)
    assert incident.reporter_count == reporters

    for step in steps:
        before = Incident.objects.get(pk=incident.pk)
        events_before = IncidentEvent.objects.filter(incident=incident).count()
        expected = expected_after(before.state, step, reporters)
        refused = False
        try:
            result = STEPS[step][1](before, user)
        except IncidentsError:
            refused = True
        after = Incident.objects.get(pk=incident.pk)
        events_after = IncidentEvent.objects.filter(incident=incident).count()
        if step == "expire":
            refused = result is False
        if expected is None:
            assert refused, (before.state, step)
            assert after.state == before.state
            assert events_after == events_before
        else:
            assert not refused, (before.state, step)
            assert after.state == expected
            assert events_after == events_before + 1
        if after.state in (S.CONFIRMED, S.FALSE_ALARM, S.UNCONFIRMED):
            assert after.outcome == after.state
            assert after.expires_at is None
        if after.state in UNVERIFIED_STATES:
            assert after.expires_at is not None


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(from_state=st.sampled_from(STATES), step=st.sampled_from(sorted(STEPS)))
def test_from_any_state_an_action_works_exactly_when_the_table_allows_it(
    from_state: str, step: str
) -> None:
    with rolled_back():
        run_one(from_state, step)


def run_one(from_state: str, step: str) -> None:
    make_gazetteer()
    user = coordinator()
    incident = texted().incident
    assert incident is not None
    Incident.objects.filter(pk=incident.pk).update(state=from_state, expires_at=timezone.now())
    expected = expected_after(from_state, step, reporter_count=1)
    try:
        result = STEPS[step][1](incident, user)
        refused = step == "expire" and result is False
    except IncidentsError:
        refused = True
    assert refused == (expected is None)
    assert Incident.objects.get(pk=incident.pk).state == (expected or from_state)


def test_the_refusal_names_both_states() -> None:
    make_gazetteer()
    incident = texted().incident
    assert incident is not None
    with pytest.raises(IncidentsError, match="reported cannot become closed"):
        actions.close_incident(incident=incident, by=coordinator())


def test_an_unconfirmed_incident_picked_up_again_gets_a_fresh_expiry() -> None:
    make_gazetteer()
    incident = texted(received_at=timezone.now() - dt.timedelta(hours=7)).incident
    assert incident is not None
    assert actions.expire_incident(incident=incident)
    again = actions.start_verifying(incident=incident, by=coordinator())
    assert again.state == S.VERIFYING and again.outcome == ""
    assert again.expires_at is not None and again.expires_at > timezone.now()


def test_a_closed_incident_keeps_its_outcome() -> None:
    make_gazetteer()
    user = coordinator()
    incident = texted().incident
    assert incident is not None
    actions.mark_false_alarm(incident=incident, by=user, note="a film crew")
    closed = actions.close_incident(incident=incident, by=user)
    assert closed.state == S.CLOSED and closed.outcome == Outcome.FALSE_ALARM
    assert closed.closed_at is not None
