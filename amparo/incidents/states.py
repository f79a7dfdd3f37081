"""The verification state machine of an incident (issue 4, part 4).

::

    reported ──> verifying ──> confirmed ───> closed
        │            │    └──> false-alarm ─> closed
        │            └───────> unconfirmed ─> closed
        ├──> confirmed / false-alarm   (decided without a "verifying" step)
        └──> unconfirmed                (expired)
                                 unconfirmed ──> verifying (picked up again)

Decisions, and why they are shaped like this:

- **reported -> confirmed | false-alarm directly.** A responder may already be
  on site when the first report lands, or a coordinator may know at once that a
  report is a drill. The confirmation rule (a responder on site or enough
  independent reporters, :func:`amparo.incidents.actions.confirm_incident`)
  applies either way, so skipping "verifying" skips no check.
- **reported | verifying -> unconfirmed** is the expiry sweep: nobody verified
  it within ``AMPARO_INCIDENT_TTL_HOURS`` of the last report. A verdict never
  expires.
- **unconfirmed -> verifying**: a coordinator may pick an expired incident up
  again (say a responder reaches the place late). New *reports* never reopen
  it: an unconfirmed incident is not in ``OPEN_STATES``, so a new report opens
  a new incident, which a coordinator can merge if it is the same event. By
  the time an incident expires (6 hours after its last report) the clustering
  window (2 hours) has long passed anyway.
- **closed only from a verdict or from unconfirmed.** Closing a reported or
  verifying incident would end it with no answer for the community; it is
  decided (or left to expire) first. The one exception is a merge, which closes
  the absorbed incident from any state but closed (:data:`MERGEABLE`).
- **confirmed <-> false-alarm is refused.** A verdict that turns out wrong is
  corrected by a note and a new incident, not by rewriting the record.
- **closed is final.**
"""

from __future__ import annotations

from amparo.incidents.models import IncidentState

S = IncidentState

ALLOWED: dict[str, frozenset[str]] = {
    S.REPORTED: frozenset({S.VERIFYING, S.CONFIRMED, S.FALSE_ALARM, S.UNCONFIRMED}),
    S.VERIFYING: frozenset({S.CONFIRMED, S.FALSE_ALARM, S.UNCONFIRMED}),
    S.CONFIRMED: frozenset({S.CLOSED}),
    S.FALSE_ALARM: frozenset({S.CLOSED}),
    S.UNCONFIRMED: frozenset({S.VERIFYING, S.CLOSED}),
    S.CLOSED: frozenset(),
}

# States an incident may be in while waiting for a verdict; they expire.
UNVERIFIED_STATES = (S.REPORTED, S.VERIFYING)

# States an absorbed incident may be in when it is merged (it then becomes closed).
MERGEABLE = frozenset(ALLOWED) - {S.CLOSED}


def allowed(from_state: str, to_state: str) -> bool:
    """Whether an incident in ``from_state`` may move to ``to_state`` by a decision."""
    return to_state in ALLOWED.get(from_state, frozenset())
