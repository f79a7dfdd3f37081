"""Amparo's only settings module. Every value comes from the environment.

``AMPARO_MODE`` picks the safety profile:

- ``production`` (the default): refuses to start without a secret key, real
  encryption keys and allowed hosts, or with DEBUG on; every staff account must
  enroll MFA before it sees anything.
- ``demo``: what ``make run`` uses. Generates keys into ``var/``, shows a
  "DEMO - not for real data" banner on every page and relaxes MFA.
- ``test``: for the test suite; throw-away keys held in memory.
"""

from __future__ import annotations

import sys
from pathlib import Path

import dj_database_url

from amparo import envconf
from amparo.alerts import mapconf
from amparo.crypto import keyfile
from amparo.envconf import ConfigError

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envconf.text("AMPARO_VAR_DIR") or BASE_DIR / "var")


def _fail(message: str) -> None:
    sys.stderr.write(f"\nAmparo cannot start: {message}\n\n")
    raise ConfigError(message)


try:
    AMPARO_MODE = envconf.choice("AMPARO_MODE", "production", ("production", "demo", "test"))
    PRODUCTION = AMPARO_MODE == "production"
    AMPARO_DEMO = AMPARO_MODE == "demo"
    TESTING = AMPARO_MODE == "test"
    DEBUG = envconf.flag("AMPARO_DEBUG", False)
except ConfigError as exc:
    _fail(str(exc))

# --- secrets -----------------------------------------------------------------


def _demo_secret(path: Path, make: str) -> str:
    if not path.exists():
        keyfile.write_private_file(path, make)
    return path.read_text(encoding="utf-8")


if PRODUCTION:
    if DEBUG:
        _fail("AMPARO_DEBUG is on in production mode. Turn it off (AMPARO_DEBUG=0).")
    _secret = envconf.text("AMPARO_SECRET_KEY")
    _keys = envconf.text("AMPARO_KEYS")
    if not _secret or len(_secret) < 50:
        _fail(
            "AMPARO_SECRET_KEY (or AMPARO_SECRET_KEY_FILE) must be set to at least 50 random "
            "characters. Generate one with: amparo keys secret"
        )
    if not _keys:
        _fail(
            "AMPARO_KEYS (or AMPARO_KEYS_FILE) must hold the encryption key set. "
            "Generate one with: amparo keys generate > keys.json (keep it off the database host "
            "backups), then set AMPARO_KEYS_FILE=keys.json"
        )
elif AMPARO_DEMO:
    _secret = envconf.text("AMPARO_SECRET_KEY") or _demo_secret(
        VAR_DIR / "demo-secret-key", keyfile.generate_secret_key()
    )
    _keys = envconf.text("AMPARO_KEYS") or _demo_secret(
        VAR_DIR / "demo-keys.json", keyfile.dump_key_set(keyfile.generate_key_set())
    )
else:
    # Tests: a fresh key set per process; nothing is written anywhere.
    _secret = keyfile.generate_secret_key()
    _keys = envconf.text("AMPARO_KEYS") or keyfile.dump_key_set(keyfile.generate_key_set())

try:
    AMPARO_KEYS: keyfile.KeySet = keyfile.parse_key_set(_keys or "")
except keyfile.KeySetError as exc:
    _fail(f"AMPARO_KEYS: {exc}")
SECRET_KEY = _secret or ""

# --- hosts and HTTPS ---------------------------------------------------------

try:
    ALLOWED_HOSTS = envconf.listing(
        "AMPARO_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
    )
    if PRODUCTION and not ALLOWED_HOSTS:
        _fail("AMPARO_ALLOWED_HOSTS must list the host names this site answers to.")
    CSRF_TRUSTED_ORIGINS = envconf.listing("AMPARO_CSRF_TRUSTED_ORIGINS", [])
    if envconf.flag("AMPARO_BEHIND_HTTPS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        # Rate limits count per client, not per proxy: one caller must not be
        # able to lock every operator out during a raid.
        ALLAUTH_TRUSTED_PROXY_COUNT = envconf.integer("AMPARO_TRUSTED_PROXY_COUNT", 1, minimum=1)
    SECURE_SSL_REDIRECT = PRODUCTION and envconf.flag("AMPARO_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envconf.integer("AMPARO_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
    SECURE_HSTS_PRELOAD = PRODUCTION
    SESSION_COOKIE_SECURE = PRODUCTION
    CSRF_COOKIE_SECURE = PRODUCTION
except ConfigError as exc:
    _fail(str(exc))

SECURE_CONTENT_TYPE_NOSNIFF = True
# "no-referrer" would make Chrome send "Origin: null" on form posts and fail CSRF;
# "same-origin" still gives no other site a referrer.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True

# --- applications ------------------------------------------------------------

INSTALLED_APPS = [
    "amparo.core",
    "amparo.accounts",
    "amparo.crypto",
    "amparo.audit",
    "amparo.places",
    "amparo.contacts",
    "amparo.channels",
    "amparo.intake",
    "amparo.incidents",
    "amparo.dispatch",
    "amparo.alerts",
    "amparo.cases",
    "amparo.plans",
    "amparo.rights",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "amparo.core.middleware.SecurityHeadersMiddleware",
    # Webhooks skip everything below, made for people in browsers.
    "amparo.core.middleware.ProviderWebhookMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages: a timed-out user is told why they were signed out.
    "amparo.accounts.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "amparo.accounts.middleware.RequireMFAMiddleware",
]

ROOT_URLCONF = "amparo.urls"
WSGI_APPLICATION = "amparo.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "amparo.core.context_processors.amparo",
            ],
        },
    }
]

# --- database ----------------------------------------------------------------

VAR_DIR.mkdir(parents=True, exist_ok=True)
try:
    # The demo has its own file, so a production start in the same checkout never
    # finds the demo accounts and their public password.
    _default_db = VAR_DIR / ("demo.sqlite3" if AMPARO_DEMO else "amparo.sqlite3")
    _database_url = envconf.text("DATABASE_URL") or f"sqlite:///{_default_db}"
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
except (ValueError, ConfigError) as exc:
    _fail(f"DATABASE_URL cannot be used: {exc}")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, with one process's threads taking turns to write
    # (amparo/core/sqlite/base.py says why).
    DATABASES["default"]["ENGINE"] = "amparo.core.sqlite"
    # Tests run in memory, as Django does for its own SQLite engine (pytest-django
    # recognises only that engine's name when it adds a suffix per xdist worker).
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
    # Persistent too: opening a SQLite file runs four PRAGMAs and closing it a WAL
    # checkpoint, about 2-3 ms of every webhook (measured by `amparo bench intake`).
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write
        # lock at BEGIN so two writers queue instead of failing half-way.
        # secure_delete: purged rows are overwritten with zeros, not left in free pages.
        # wal_autocheckpoint=0: the backend checkpoints outside the writers' turn.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
            " PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON; PRAGMA wal_autocheckpoint=0;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 5,
    }
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

CACHES = {
    # Rate-limit counters live in memory for their window only: nothing about a
    # caller (not even a hashed IP) is written to disk.
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# --- accounts, sessions, MFA -------------------------------------------------

AUTHENTICATION_BACKENDS = [
    # allauth authenticates; permissions come from the role alone (no superusers,
    # no per-user permission rows to drift).
    "allauth.account.auth_backends.AuthenticationBackend",
    "amparo.accounts.backends.RolePermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "amparo.accounts.adapter.StaffAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    # Per client only. A per-username limit would let anyone who knows an
    # operator's username lock them out; MFA guards against password guessing.
    "login_failed": "5/5m/ip",
    "reauthenticate": "10/m/user",
    "change_password": "5/m/user",
}
MFA_ADAPTER = "amparo.accounts.mfa.StaffMFAAdapter"  # TOTP secrets sealed, not plaintext
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_TOTP_ISSUER = "Amparo"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION

AMPARO_REQUIRE_MFA = not AMPARO_DEMO
try:
    AMPARO_SESSION_IDLE_SECONDS = envconf.integer(
        "AMPARO_SESSION_IDLE_SECONDS", 30 * 60, minimum=60
    )
    AMPARO_SESSION_ABSOLUTE_SECONDS = envconf.integer(
        "AMPARO_SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60, minimum=300
    )
except ConfigError as exc:
    _fail(str(exc))
SESSION_COOKIE_AGE = AMPARO_SESSION_ABSOLUTE_SECONDS
# Flash messages name staff accounts: keep them server-side, not in a cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- languages and time ------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
    ("pt", "Português"),
    ("ht", "Kreyòl ayisyen"),
]
LOCALE_PATHS = [BASE_DIR / "amparo" / "locale"]
USE_I18N = True
USE_TZ = True
try:
    TIME_ZONE = envconf.text("AMPARO_TIME_ZONE", "America/New_York") or "America/New_York"
    AMPARO_REGION = envconf.text("AMPARO_REGION", "CT") or "CT"
    AMPARO_NETWORK_NAME = envconf.text("AMPARO_NETWORK_NAME", "Amparo") or "Amparo"
    AMPARO_WORKER_STALE_SECONDS = envconf.integer("AMPARO_WORKER_STALE_SECONDS", 120, minimum=5)
except ConfigError as exc:
    _fail(str(exc))

# --- messaging channels (issue 3) ---------------------------------------------

try:
    _sms_gateway = envconf.choice("AMPARO_SMS_GATEWAY", "console", ("console", "twilio"))
    AMPARO_PUBLIC_URL = (envconf.text("AMPARO_PUBLIC_URL") or "http://127.0.0.1:8000").rstrip("/")
    TWILIO_ACCOUNT_SID = envconf.text("TWILIO_ACCOUNT_SID") or ""
    TWILIO_AUTH_TOKEN = envconf.text("TWILIO_AUTH_TOKEN") or ""
    # Tests and benchmarks point the SDK at a fake Twilio on 127.0.0.1.
    TWILIO_API_BASE = (envconf.text("TWILIO_API_BASE") or "https://api.twilio.com").rstrip("/")
    AMPARO_CHANNELS = {
        "sms": {
            "gateway": {
                "console": "amparo.channels.gateways.console.ConsoleGateway",
                "twilio": "amparo.channels.gateways.twilio.TwilioSMSGateway",
            }[_sms_gateway],
            "senders": envconf.listing("AMPARO_SMS_SENDERS", ["+18605550100"]),
            # segments per second per sender: 1 for a US long code (CONTEXT.md)
            "rate_per_sender": float(envconf.text("AMPARO_SMS_RATE_PER_SENDER") or "1"),
            "validity_seconds": envconf.integer("AMPARO_SMS_VALIDITY_SECONDS", 10 * 60 * 60),
        }
    }
    # Calling codes that get automatic replies (menus, help); texts from
    # elsewhere still reach the operators. "1": the North American plan.
    AMPARO_AUTO_REPLY_COUNTRY_CODES = envconf.listing("AMPARO_AUTO_REPLY_COUNTRY_CODES", ["1"])
    # Texts, voicemails and replies are deleted this many days after they came or went.
    AMPARO_MESSAGE_RETENTION_DAYS = envconf.integer("AMPARO_MESSAGE_RETENTION_DAYS", 30, minimum=1)
    # Operators the voice hotline rings when no operator is on shift (amparo.dispatch).
    AMPARO_HOTLINE_OPERATORS = envconf.listing("AMPARO_HOTLINE_OPERATORS", [])
    if PRODUCTION and _sms_gateway == "twilio" and not (TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN):
        _fail("AMPARO_SMS_GATEWAY=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN(_FILE).")
except (ConfigError, ValueError) as exc:
    _fail(str(exc))

# --- reports and incidents (issue 4, incidents-core) ---------------------------

try:
    # Raw report text, exact places, photos and reporter numbers are purged after this.
    AMPARO_REPORT_RETENTION_DAYS = envconf.integer("AMPARO_REPORT_RETENTION_DAYS", 30, minimum=1)
    # An incident nobody verified becomes "unconfirmed" this long after its last report.
    AMPARO_INCIDENT_TTL_HOURS = envconf.integer("AMPARO_INCIDENT_TTL_HOURS", 6, minimum=1)
    # A report joins an open incident this near (metres) whose last report is this recent.
    AMPARO_CLUSTER_RADIUS_M = envconf.integer("AMPARO_CLUSTER_RADIUS_M", 1000, minimum=50)
    AMPARO_CLUSTER_WINDOW_MINUTES = envconf.integer("AMPARO_CLUSTER_WINDOW_MINUTES", 120, minimum=5)
    # Distinct reporters that confirm an incident without a responder on site.
    AMPARO_CONFIRM_MIN_REPORTERS = envconf.integer("AMPARO_CONFIRM_MIN_REPORTERS", 3, minimum=2)
    # A burst: this many reports within the window from numbers first seen this recently.
    AMPARO_BURST_MIN_REPORTS = envconf.integer("AMPARO_BURST_MIN_REPORTS", 10, minimum=2)
    AMPARO_BURST_WINDOW_MINUTES = envconf.integer("AMPARO_BURST_WINDOW_MINUTES", 30, minimum=1)
    AMPARO_BURST_NEW_NUMBER_HOURS = envconf.integer("AMPARO_BURST_NEW_NUMBER_HOURS", 24, minimum=1)
except ConfigError as exc:
    _fail(str(exc))

# --- responders and shifts (issue 5) -------------------------------------------

try:
    # Warnings (never refusals) when a shift would give a responder more hours a
    # week than this, or less rest than this between two shifts.
    AMPARO_SHIFT_MAX_HOURS_WEEK = envconf.integer("AMPARO_SHIFT_MAX_HOURS_WEEK", 40, minimum=1)
    AMPARO_SHIFT_MIN_REST_HOURS = envconf.integer("AMPARO_SHIFT_MIN_REST_HOURS", 8, minimum=0)
    # Dispatch: how many responders an incident needs (the first K accepts go), and
    # how long a ring of offers waits for them before the next ring is offered.
    AMPARO_DISPATCH_WANTED = envconf.integer("AMPARO_DISPATCH_WANTED", 2, minimum=1)
    AMPARO_DISPATCH_ESCALATE_MINUTES = envconf.integer(
        "AMPARO_DISPATCH_ESCALATE_MINUTES", 5, minimum=1
    )
    # New incidents are offered to the responders proposed for them without
    # waiting for a coordinator (off by default: the network turns it on).
    AMPARO_DISPATCH_AUTO_OFFER = envconf.flag("AMPARO_DISPATCH_AUTO_OFFER", False)
    # How many responders an automatic ring (and an escalation) offers at most.
    AMPARO_DISPATCH_RING_SIZE = envconf.integer("AMPARO_DISPATCH_RING_SIZE", 5, minimum=1)
    # A responder on scene who sent no sign of life for this long raises an
    # alert to the coordinators (and is asked to check in).
    AMPARO_DISPATCH_CHECKIN_MINUTES = envconf.integer(
        "AMPARO_DISPATCH_CHECKIN_MINUTES", 20, minimum=1
    )
    # A readiness drill's offers close this long after it starts.
    AMPARO_DRILL_MINUTES = envconf.integer("AMPARO_DRILL_MINUTES", 30, minimum=1)
except ConfigError as exc:
    _fail(str(exc))

# --- report forms (issue 4, public-forms) --------------------------------------

try:
    # Texts from one number that become reports per window (more still reach operators).
    AMPARO_SMS_REPORT_LIMIT = envconf.integer("AMPARO_SMS_REPORT_LIMIT", 6, minimum=1)
    AMPARO_SMS_REPORT_WINDOW_SECONDS = envconf.integer(
        "AMPARO_SMS_REPORT_WINDOW_SECONDS", 3600, minimum=10
    )
    # Voicemails from withheld numbers that become reports per window, all callers together.
    AMPARO_WITHHELD_VOICEMAIL_REPORT_LIMIT = envconf.integer(
        "AMPARO_WITHHELD_VOICEMAIL_REPORT_LIMIT", 20, minimum=1
    )
    # Reports one client (address, or /64 for IPv6) may send through the public
    # form per window. Over Tor, everyone using one exit node counts as one client.
    AMPARO_WEB_REPORT_LIMIT = envconf.integer("AMPARO_WEB_REPORT_LIMIT", 5, minimum=1)
    AMPARO_WEB_REPORT_WINDOW_SECONDS = envconf.integer(
        "AMPARO_WEB_REPORT_WINDOW_SECONDS", 600, minimum=10
    )
    # A photo with a report is held in memory (never a temporary file) up to this size.
    AMPARO_REPORT_PHOTO_MAX_BYTES = envconf.integer(
        "AMPARO_REPORT_PHOTO_MAX_BYTES", 8 * 1024 * 1024, minimum=100_000
    )
except ConfigError as exc:
    _fail(str(exc))

# --- static files ------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise expects it even before collectstatic
# Leaflet for the public map, from the xstatic-leaflet package: /static/leaflet/leaflet.js.
STATICFILES_DIRS = [("leaflet", mapconf.leaflet_dir())]

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- public alerts feed and map (issue 6) --------------------------------------

try:
    # Map tiles, as a template: https://tiles.example.org/{z}/{x}/{y}.png. Empty (the
    # default): no tiles are loaded from anywhere, and the map shows its pins on a plain
    # background with town names. When set, the map page's CSP img-src allows that one
    # origin; the tile server then sees each visitor's address and where they look.
    AMPARO_MAP_TILE_URL = envconf.text("AMPARO_MAP_TILE_URL") or ""
    AMPARO_MAP_TILE_ORIGIN = mapconf.tile_origin(AMPARO_MAP_TILE_URL, allow_http=not PRODUCTION)
    # Credit the tile server's terms ask for, shown on the map ("(c) OpenStreetMap ...").
    AMPARO_MAP_TILE_ATTRIBUTION = envconf.text("AMPARO_MAP_TILE_ATTRIBUTION") or ""
    # Pages of the public feed and map one client may load per window (a flood brake:
    # many phones may share one address during a raid).
    AMPARO_PUBLIC_ALERTS_LIMIT = envconf.integer("AMPARO_PUBLIC_ALERTS_LIMIT", 300, minimum=10)
    AMPARO_PUBLIC_ALERTS_WINDOW_SECONDS = envconf.integer(
        "AMPARO_PUBLIC_ALERTS_WINDOW_SECONDS", 60, minimum=10
    )
except ConfigError as exc:
    _fail(str(exc))

# --- family plans (issue 7) -----------------------------------------------------

try:
    # The plan key store: one data key per family plan (amparo/crypto/plan_keys.py).
    # Keep it on another volume than the database and out of the database's backups:
    # deleting a plan destroys its key here, which is what makes every older backup
    # of the database unable to show that plan. Production must name it.
    _plan_keystore = envconf.text("AMPARO_PLAN_KEYSTORE")
    if PRODUCTION and not _plan_keystore:
        _fail(
            "AMPARO_PLAN_KEYSTORE must name the plan key store's file, on a volume apart "
            "from the database and its backups (README: Family plans)."
        )
    AMPARO_PLAN_KEYSTORE = _plan_keystore or str(
        VAR_DIR / ("demo-plan-keys.sqlite3" if AMPARO_DEMO else "plan-keys.sqlite3")
    )
    # The number families and their contacts call; printed on wallet cards and put in
    # the text that tells a plan's contacts. Default: the first SMS sender.
    AMPARO_HOTLINE_NUMBER = (
        envconf.text("AMPARO_HOTLINE_NUMBER")
        or envconf.listing("AMPARO_SMS_SENDERS", ["+18605550100"])[0]
    )
    # Wrong PINs before a plan locks; each lock lasts twice the one before, from
    # AMPARO_PLAN_LOCK_MINUTES up to a day.
    AMPARO_PLAN_PIN_ATTEMPTS = envconf.integer("AMPARO_PLAN_PIN_ATTEMPTS", 5, minimum=1)
    AMPARO_PLAN_LOCK_MINUTES = envconf.integer("AMPARO_PLAN_LOCK_MINUTES", 15, minimum=1)
except ConfigError as exc:
    _fail(str(exc))

# --- e-mail (staff notifications only) ---------------------------------------

EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend"
)

# --- logging: never request bodies, never personal data ----------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "filters": {"mask_secret_paths": {"()": "amparo.core.logfilters.MaskSecretPaths"}},
    "root": {"handlers": ["console"], "level": "INFO" if not TESTING else "WARNING"},
    "loggers": {
        # Django logs the request path of 4xx answers; paths carry opaque ids, and
        # the one secret a path carries (a calendar feed's) is masked.
        "django.request": {"filters": ["mask_secret_paths"]},
        "django.security.DisallowedHost": {"handlers": [], "propagate": False},
    },
}
