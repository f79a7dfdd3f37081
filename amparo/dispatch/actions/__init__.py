"""Writes of the dispatch app, one module per subject; every public action is here too.

- :mod:`~amparo.dispatch.actions.roster`: responders, shifts, calendar feeds.
- :mod:`~amparo.dispatch.actions.offers`: offers to go to an incident, answers, escalation.
- :mod:`~amparo.dispatch.actions.drills`: readiness drills, their answers and end.
- :mod:`~amparo.dispatch.actions.scene`: reports from the scene, safety check-ins.
"""

from amparo.dispatch.actions.drills import (
    answer_drill_offer,
    end_drill,
    end_overdue_drills,
    start_drill,
)
from amparo.dispatch.actions.offers import (
    answer_offer,
    auto_offer,
    escalate_dispatch,
    offer_dispatch,
)
from amparo.dispatch.actions.roster import (
    DISPATCH_ROLES,
    MANAGE_ROLES,
    STAFF_RESPONDER_ROLES,
    DispatchError,
    add_responder,
    add_shift,
    deactivate_responder,
    feed_token_digest,
    new_feed_token,
    reactivate_responder,
    remove_shift,
    update_responder,
)
from amparo.dispatch.actions.scene import (
    alert_missed_checkins,
    close_deployment,
    purge_field_notes,
    report_from_scene,
)

__all__ = [
    "DISPATCH_ROLES",
    "MANAGE_ROLES",
    "STAFF_RESPONDER_ROLES",
    "DispatchError",
    "add_responder",
    "add_shift",
    "alert_missed_checkins",
    "answer_drill_offer",
    "answer_offer",
    "auto_offer",
    "close_deployment",
    "deactivate_responder",
    "end_drill",
    "end_overdue_drills",
    "escalate_dispatch",
    "feed_token_digest",
    "new_feed_token",
    "offer_dispatch",
    "purge_field_notes",
    "reactivate_responder",
    "remove_shift",
    "report_from_scene",
    "start_drill",
    "update_responder",
]
