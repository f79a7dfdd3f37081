"""Reads of the alerts app, one module per subject; staff reads are audited."""

# Subscriptions (a redundant alias re-exports: each subject adds its own block).
from amparo.alerts.queries.subscriptions import (
    access_subscriber_counts as access_subscriber_counts,
)
from amparo.alerts.queries.subscriptions import (
    subscribers_of as subscribers_of,
)
