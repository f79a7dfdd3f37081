"""Settings for the worker subprocesses of the crash-safety test: short leases, quick retries.

Everything else comes from the environment, as for any Amparo process (the
test points DATABASE_URL at a SQLite file of its own and the Twilio settings
at a fake Twilio on 127.0.0.1).
"""

from amparo.settings import *  # noqa: F403
from amparo.settings import AMPARO_CHANNELS

AMPARO_OUTBOX = {
    "lease_seconds": 2.0,
    "reconcile_delay_seconds": 0.3,
    "reconcile_batch": 500,
    "backoff_seconds": 0.1,
    "max_backoff_seconds": 0.5,
    "max_attempts": 100,
}
AMPARO_CHANNELS["sms"]["options"] = {"timeout": (1.0, 1.0)}
