"""Settings of the kill drill's worker subprocesses: short leases, quick retries.

Everything else comes from the environment, as for any Amparo process: the
drill points DATABASE_URL at a SQLite file of its own and the Twilio settings
at a fake Twilio on 127.0.0.1 (see :mod:`amparo.channels.killdrill`).
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
