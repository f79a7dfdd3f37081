"""Writes of the alerts app, one module per subject (subscriptions, broadcasts)."""

# Broadcasts.
from amparo.alerts.actions.broadcasts import (
    approve_broadcast as approve_broadcast,
)
from amparo.alerts.actions.broadcasts import (
    cancel_broadcast as cancel_broadcast,
)
from amparo.alerts.actions.broadcasts import (
    draft_broadcast as draft_broadcast,
)
from amparo.alerts.actions.broadcasts import (
    draft_correction as draft_correction,
)
from amparo.alerts.actions.broadcasts import (
    halt_broadcast as halt_broadcast,
)
from amparo.alerts.actions.broadcasts import (
    send_back_broadcast as send_back_broadcast,
)
from amparo.alerts.actions.broadcasts import (
    send_with_override as send_with_override,
)
from amparo.alerts.actions.broadcasts import (
    submit_broadcast as submit_broadcast,
)
from amparo.alerts.actions.broadcasts import (
    update_draft as update_draft,
)
from amparo.alerts.actions.broadcasts import (
    withdraw_from_feed as withdraw_from_feed,
)

# Subscriptions (a redundant alias re-exports: each subject adds its own block).
from amparo.alerts.actions.subscriptions import (
    add_towns as add_towns,
)
from amparo.alerts.actions.subscriptions import (
    confirm_subscription as confirm_subscription,
)
from amparo.alerts.actions.subscriptions import (
    forget_pending_subscriptions as forget_pending_subscriptions,
)
from amparo.alerts.actions.subscriptions import (
    forget_stopped_subscriptions as forget_stopped_subscriptions,
)
from amparo.alerts.actions.subscriptions import (
    remove_towns as remove_towns,
)
from amparo.alerts.actions.subscriptions import (
    stop_subscription as stop_subscription,
)
from amparo.alerts.actions.subscriptions import (
    subscribe as subscribe,
)
