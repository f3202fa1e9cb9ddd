"""OpenCity settings.

Every knob is read from the environment with a safe embedded default: SQLite, local disk,
huey on SQLite, e-mail to the console, DEBUG off. See docs/configuration.md for each variable.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
SRC_DIR = BASE_DIR / "src"


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value not in ("True", "False"):
        raise ImproperlyConfigured(f"{name} must be True or False, not {value!r}")
    return value == "True"


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from exc


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}") from exc


def env_secret(name: str, default: str = "") -> str:
    """Read a secret from NAME, or from the file named by NAME_FILE (Docker/systemd style)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text().strip()
    return os.environ.get(name, default)


VAR_DIR = Path(env_str("OPENCITY_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("OPENCITY_DEBUG", False)


def _embedded_secret_key() -> str:
    """A per-installation key kept in var/, so the embedded default is not a shared secret."""
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        from django.core.management.utils import get_random_secret_key

        key_file.write_text(get_random_secret_key())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = env_secret("OPENCITY_SECRET_KEY") or _embedded_secret_key()
# Former keys (comma-separated; in a _FILE one a line), still accepted while SECRET_KEY is replaced:
# signed cookies and the encrypted credentials (docs/credentials.md) keep working meanwhile.
_fallbacks = env_secret("OPENCITY_SECRET_KEY_FALLBACKS")
SECRET_KEY_FALLBACKS = [k.strip() for k in (_fallbacks.splitlines() if "\n" in _fallbacks else _fallbacks.split(","))
                        if k.strip()]
ALLOWED_HOSTS = [h for h in env_str("OPENCITY_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env_str("OPENCITY_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SITE_URL = env_str("OPENCITY_SITE_URL", "http://127.0.0.1:8000")
SITE_NAME = env_str("OPENCITY_SITE_NAME", "OpenCity Huế")

INSTALLED_APPS = [
    "opencity.lib.apps.OpenCityAdminConfig",  # django.contrib.admin with our site (lib/admin.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "oauth2_provider",  # the OpenID Connect provider (accounts/oidc.py, docs/identity.md)
    "opencity.accounts",
    "opencity.geo",
    "opencity.orgs",
    "opencity.worktime",  # the working calendar of deadlines (worktime/, under reports)
    "opencity.reports",
    "opencity.notifications",
    "opencity.ioc",
    "opencity.open311",
    "opencity.alerts",
    "opencity.emergency",
    "opencity.hotline",
    "opencity.incidents",  # command support: incidents, teams, shelters, situation reports (above the apps it ties)
    "opencity.privacy",  # the privacy centre (Law 91/2025/QH15): reads every app's personal data
    "opencity.catalog",  # the super app's service catalogue and the city's news
    "opencity.monitoring",  # sensors, cameras, vessels: ingest, rules, events (above incidents, which it links to)
    "opencity.dossiers",  # one-stop dossiers: import from the one-stop system, figures, overdue events, lookup
    "opencity.press",  # press and social monitoring: feeds, sitemaps, exports → items → field reports
    "opencity.demo",  # manage.py load_demo and demo_logins (the demo pack, above every app)
    "opencity.lib",  # shared helpers' tables: leases (lib/locks.py), the audit log, idempotency records
    # after our apps: notifications' run_huey (the worker, refusing the console SMS backend in
    # production) takes the place of djhuey's own
    "huey.contrib.djhuey",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files, before everything else: the collected, hashed names with their gzip and
    # Brotli copies, compressed once at collectstatic, never per request (lib/staticfiles.py).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compress HTML and JSON. BREACH: the only secret in our pages is the CSRF token,
    # which Django masks afresh on every response, and since Django 4.2 this middleware pads
    # each response by a random length ("Heal the Breach"); session cookies are never in a body.
    "opencity.lib.compression.GZipMiddleware",  # not server-sent events (lib/compression.py)
    "opencity.lib.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Oversized bodies (413) and visitors' uploads to sign-in-only views are refused here,
    # before the CSRF check reads the body (opencity/lib/uploads.py).
    "opencity.lib.uploads.UploadLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Staff who have not passed the second factor see only the two-factor pages.
    "opencity.accounts.middleware.SecondFactorMiddleware",
    # The browsers signed in (security page) and who a page is for (the service worker's cache).
    "opencity.accounts.middleware.BrowserSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "opencity.errors.DomainErrorMiddleware",
    # A NUL character in a page's path, query or form: 400, before a view hands it to the
    # database (PostgreSQL refuses it outright; lib/params.py).
    "opencity.lib.params.RefuseNulMiddleware",
]

ROOT_URLCONF = "opencity.urls"
WSGI_APPLICATION = "opencity.wsgi.application"
ASGI_APPLICATION = "opencity.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "opencity" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "opencity.context_processors.site",  # above the apps (context_processors.py)
                # the CSRF token's placeholder in pages kept for visitors (lib/pagecache.py)
                "opencity.lib.pagecache.csrf_placeholder",
            ],
            # {% icon "name" %} in every template: SVG icons, never emoji (lib/templatetags/icons.py)
            "builtins": ["opencity.lib.templatetags.icons"],
        },
    }
]

# --- Database -------------------------------------------------------------------------
DB_ENGINE = env_str("OPENCITY_DB_ENGINE", "sqlite")
if DB_ENGINE == "sqlite":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("OPENCITY_DB_NAME", str(VAR_DIR / "opencity.sqlite3")),
            # IMMEDIATE transactions serialise writers up front, so two operators acting on
            # the same report cannot both read the old state and both write.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # A file, not memory: threads in tests (live server, concurrency) share it.
            "TEST": {"NAME": env_str("OPENCITY_TEST_DB_NAME", str(VAR_DIR / "test.sqlite3"))},
        }
    }
elif DB_ENGINE == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": env_str("OPENCITY_DB_NAME", "opencity"),
            "USER": env_str("OPENCITY_DB_USER", "postgres"),
            "PASSWORD": env_secret("OPENCITY_DB_PASSWORD"),
            "HOST": env_str("OPENCITY_DB_HOST", "127.0.0.1"),
            "PORT": env_str("OPENCITY_DB_PORT", "5432"),
            "CONN_MAX_AGE": env_int("OPENCITY_DB_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
        }
    }
else:
    raise ImproperlyConfigured("OPENCITY_DB_ENGINE must be 'sqlite' or 'postgres'")
# A streaming replica (PostgreSQL only; docs/deployment.md#read-replica): the console's figures,
# /statistics/, open data and digital reports read from it (lib/dbrouter.py), all else from the
# primary. Unset: no replica. Name, user and password default to the primary's.
OPENCITY_DB_REPLICA_HOST = env_str("OPENCITY_DB_REPLICA_HOST", "")
OPENCITY_DB_REPLICA_RETRY_SECONDS = env_int("OPENCITY_DB_REPLICA_RETRY_SECONDS", 30)
if OPENCITY_DB_REPLICA_HOST:
    if DB_ENGINE != "postgres":
        raise ImproperlyConfigured("OPENCITY_DB_REPLICA_HOST needs OPENCITY_DB_ENGINE=postgres")
    DATABASES["replica"] = {
        **DATABASES["default"],
        "NAME": env_str("OPENCITY_DB_REPLICA_NAME", DATABASES["default"]["NAME"]),
        "USER": env_str("OPENCITY_DB_REPLICA_USER", DATABASES["default"]["USER"]),
        "PASSWORD": env_secret("OPENCITY_DB_REPLICA_PASSWORD") or DATABASES["default"]["PASSWORD"],
        "HOST": OPENCITY_DB_REPLICA_HOST,
        "PORT": env_str("OPENCITY_DB_REPLICA_PORT", DATABASES["default"]["PORT"]),
        # an unreachable replica must not hold a page long: it falls back to the primary
        "OPTIONS": {"connect_timeout": env_int("OPENCITY_DB_REPLICA_CONNECT_TIMEOUT", 2)},
        # the tests' replica is the test database itself (no second test database)
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["opencity.lib.dbrouter.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (INCLUDE) are a PostgreSQL speed-up; SQLite keeps the key columns only.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# --- Accounts ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("OPENCITY_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HTTPS, opt-in (production: see docs/deployment.md; `manage.py check --deploy` must be clean).
# Redirect plain HTTP to HTTPS (not /healthz: a load balancer's probe may come over HTTP).
SECURE_SSL_REDIRECT = env_bool("OPENCITY_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Strict-Transport-Security: browsers use only HTTPS for this long (seconds; 0: no header).
SECURE_HSTS_SECONDS = env_int("OPENCITY_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("OPENCITY_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("OPENCITY_HSTS_PRELOAD", False)
if SECURE_HSTS_SECONDS < 0:
    raise ImproperlyConfigured("OPENCITY_HSTS_SECONDS must be 0 or more")
# Behind a TLS-terminating proxy: the header (and value) by which it says the client used HTTPS,
# as "X-Forwarded-Proto: https". Only when the proxy always sets (or strips) that header.
_proxy_ssl_header = env_str("OPENCITY_PROXY_SSL_HEADER", "")
if _proxy_ssl_header:
    _name, _sep, _value = _proxy_ssl_header.partition(":")
    if not _sep or not _name.strip() or not _value.strip():
        raise ImproperlyConfigured('OPENCITY_PROXY_SSL_HEADER must look like "X-Forwarded-Proto: https"')
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _name.strip().upper().replace("-", "_"), _value.strip())
OTP_TOTP_ISSUER = SITE_NAME
# Staff roles (and admin-site access) sign in with a second factor (TOTP): enrolment is asked
# at their first sign-in, and it cannot be turned off (accounts/signin.py, docs/security.md).
OPENCITY_STAFF_2FA_REQUIRED = env_bool("OPENCITY_STAFF_2FA_REQUIRED", True)
# API tokens expire this many days after they are issued (or rotated).
OPENCITY_API_TOKEN_DAYS = env_int("OPENCITY_API_TOKEN_DAYS", 90)
if OPENCITY_API_TOKEN_DAYS < 1:
    raise ImproperlyConfigured("OPENCITY_API_TOKEN_DAYS must be at least 1")

# Limits on guessing and costly actions (accounts/throttle.py): counters in the cache above
# (shared by every process only with OPENCITY_CACHE_URL). OPENCITY_LIMITS overrides a limit:
# "report.submit.account=20/600,sms.send.phone=5/900". Behind reverse proxies, say how many
# (OPENCITY_TRUSTED_PROXIES) so that the client's address is read from X-Forwarded-For.
OPENCITY_THROTTLE_ENABLED = env_bool("OPENCITY_THROTTLE_ENABLED", True)
OPENCITY_LIMITS = env_str("OPENCITY_LIMITS", "")
OPENCITY_TRUSTED_PROXIES = env_int("OPENCITY_TRUSTED_PROXIES", 0)

# Text messages (one-time codes for sign-up and phone login, a visitor's rescue steps):
# notifications/sms.py. The console backend only prints them: the start is refused with it
# while DEBUG is off unless OPENCITY_SMS_ALLOW_CONSOLE=True (the demo, `make run`).
OPENCITY_SMS_BACKEND = env_str("OPENCITY_SMS_BACKEND", "opencity.notifications.sms.ConsoleBackend")
OPENCITY_SMS_ALLOW_CONSOLE = env_bool("OPENCITY_SMS_ALLOW_CONSOLE", False)
OPENCITY_SMS_GATEWAY_URL = env_str("OPENCITY_SMS_GATEWAY_URL")
OPENCITY_SMS_GATEWAY_USER = env_str("OPENCITY_SMS_GATEWAY_USER")
OPENCITY_SMS_GATEWAY_PASSWORD = env_secret("OPENCITY_SMS_GATEWAY_PASSWORD")
OPENCITY_SMS_SENDER = env_str("OPENCITY_SMS_SENDER")
OPENCITY_SMS_UNACCENTED = env_bool("OPENCITY_SMS_UNACCENTED", False)
OPENCITY_SMS_TIMEOUT = env_float("OPENCITY_SMS_TIMEOUT", 10.0)
OPENCITY_OTP_TTL_SECONDS = env_int("OPENCITY_OTP_TTL_SECONDS", 300)
OPENCITY_OTP_MAX_ATTEMPTS = env_int("OPENCITY_OTP_MAX_ATTEMPTS", 5)

# --- Identity provider: OpenID Connect (accounts/oidc.py, docs/identity.md) ------------------


def _embedded_oidc_key() -> str:
    """The RS256 signing key of the embedded default, made once into var/ (like SECRET_KEY)."""
    key_file = VAR_DIR / "oidc_rsa_key.pem"
    if not key_file.exists():
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _embedded_identity_secret() -> str:
    """The key of the pairwise subjects and of the national ID hashes, made once into var/."""
    key_file = VAR_DIR / "identity_secret"
    if not key_file.exists():
        import secrets

        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _pem_list(text: str) -> list[str]:
    marker = "-----BEGIN"
    return [marker + part.strip() for part in text.split(marker) if part.strip()]


OPENCITY_OIDC_RSA_PRIVATE_KEY = env_secret("OPENCITY_OIDC_RSA_PRIVATE_KEY") or _embedded_oidc_key()
# Keys replaced by a rotation, still published in the JWKS until the tokens they signed expired.
OPENCITY_OIDC_RSA_PREVIOUS_KEYS = _pem_list(env_secret("OPENCITY_OIDC_RSA_PREVIOUS_KEYS"))
# Pairwise `sub` and the keyed hash of national ID numbers: changing it changes every subject.
OPENCITY_IDENTITY_SECRET = env_secret("OPENCITY_IDENTITY_SECRET") or _embedded_identity_secret()
OPENCITY_OIDC_ACCESS_TOKEN_SECONDS = env_int("OPENCITY_OIDC_ACCESS_TOKEN_SECONDS", 600)
OPENCITY_OIDC_ID_TOKEN_SECONDS = env_int("OPENCITY_OIDC_ID_TOKEN_SECONDS", 600)
OPENCITY_OIDC_CODE_SECONDS = env_int("OPENCITY_OIDC_CODE_SECONDS", 60)
OPENCITY_OIDC_REFRESH_TOKEN_DAYS = env_int("OPENCITY_OIDC_REFRESH_TOKEN_DAYS", 30)
for _name in ("OPENCITY_OIDC_ACCESS_TOKEN_SECONDS", "OPENCITY_OIDC_ID_TOKEN_SECONDS", "OPENCITY_OIDC_CODE_SECONDS",
              "OPENCITY_OIDC_REFRESH_TOKEN_DAYS"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be at least 1")
# http:// redirect URIs (a relying party on a developer's machine, the browser tests); https only otherwise.
OPENCITY_OIDC_HTTP_REDIRECTS = env_bool("OPENCITY_OIDC_HTTP_REDIRECTS", DEBUG)
# Empty: the issuer is this site's address + /o, from the request.
OPENCITY_OIDC_ISSUER = env_str("OPENCITY_OIDC_ISSUER")
# The library's own client model (our ServiceClient is keyed to it); named so migrations resolve it.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_ISS_ENDPOINT": OPENCITY_OIDC_ISSUER,
    "OIDC_RSA_PRIVATE_KEY": OPENCITY_OIDC_RSA_PRIVATE_KEY,
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": OPENCITY_OIDC_RSA_PREVIOUS_KEYS,
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OIDC_SUBJECT_TYPES_SUPPORTED": ["pairwise"],
    "OIDC_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED": ["client_secret_basic", "client_secret_post", "none"],
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,
    "OAUTH2_VALIDATOR_CLASS": "opencity.accounts.oidc.OpenCityValidator",
    "SCOPES_BACKEND_CLASS": "opencity.accounts.oidc.ClientScopes",
    # Names and descriptions of the scopes: accounts/oidc.py SCOPES (translated on the consent page).
    "SCOPES": {"openid": "OpenID Connect", "profile": "Name", "phone": "Phone number",
               "address": "Address (ward)", "verification": "Identity verification",
               "national_id": "National ID number"},
    "DEFAULT_SCOPES": ["openid"],
    "PKCE_REQUIRED": True,
    "ACCESS_TOKEN_EXPIRE_SECONDS": OPENCITY_OIDC_ACCESS_TOKEN_SECONDS,
    "ID_TOKEN_EXPIRE_SECONDS": OPENCITY_OIDC_ID_TOKEN_SECONDS,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": OPENCITY_OIDC_CODE_SECONDS,
    "REFRESH_TOKEN_EXPIRE_SECONDS": OPENCITY_OIDC_REFRESH_TOKEN_DAYS * 86400,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,  # a rotated refresh token used again revokes its family
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"] if OPENCITY_OIDC_HTTP_REDIRECTS else ["https"],
    "REQUEST_APPROVAL_PROMPT": "force",  # the consent ledger decides (accounts/oidc.py)
    # RFC 9700: no implicit grant, no password grant, no plain PKCE, tokens in headers only,
    # `iss` in the authorization response, tokens hashed at rest.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
}

# --- i18n ------------------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
# Numbers a person reads: one way per language (issue 14). Django's Vietnamese formats have no
# digit grouping, so intcomma wrote "1802" in Vietnamese but "1,802" in English; ours group by
# three ("1.802", "12,5%"). Grouping stays opt-in (opencity.lib.numbers, intcomma): with
# USE_THOUSAND_SEPARATOR every {{ id }} in a URL or attribute would become "1.924".
FORMAT_MODULE_PATH = ["opencity.formats"]
USE_THOUSAND_SEPARATOR = False

# --- Files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [SRC_DIR / "opencity" / "static"]
MEDIA_ROOT = Path(env_str("OPENCITY_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names + gzip/Brotli copies once collected (make setup); plain names before.
    "staticfiles": {"BACKEND": "opencity.lib.staticfiles.HashedStaticFilesStorage"},
}
# Photos and files in S3-compatible object storage (django-storages; docs/deployment.md). The
# bucket stays private: report photos are read through the storage API and served by the app's
# photo view, which checks who may see them; a file's .url (news images) is a signed, expiring
# link unless OPENCITY_S3_QUERYSTRING_AUTH=False (a public bucket or a CDN's custom domain).
if env_bool("OPENCITY_USE_S3", False):
    _s3 = {
        "bucket_name": env_str("OPENCITY_S3_BUCKET"),
        "endpoint_url": env_str("OPENCITY_S3_ENDPOINT_URL") or None,
        "region_name": env_str("OPENCITY_S3_REGION") or None,
        "access_key": env_secret("OPENCITY_S3_ACCESS_KEY_ID"),
        "secret_key": env_secret("OPENCITY_S3_SECRET_ACCESS_KEY"),
    }
    _missing = [
        f"OPENCITY_S3_{key}"
        for key, value in (("BUCKET", _s3["bucket_name"]), ("ACCESS_KEY_ID", _s3["access_key"]),
                           ("SECRET_ACCESS_KEY", _s3["secret_key"]))
        if not value
    ]
    if not (_s3["endpoint_url"] or _s3["region_name"]):
        _missing.append("OPENCITY_S3_ENDPOINT_URL or OPENCITY_S3_REGION")
    if _missing:
        raise ImproperlyConfigured(f"OPENCITY_USE_S3=True needs {', '.join(_missing)}")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_s3,
            "custom_domain": env_str("OPENCITY_S3_CUSTOM_DOMAIN") or None,
            "querystring_auth": env_bool("OPENCITY_S3_QUERYSTRING_AUTH", True),
            "querystring_expire": env_int("OPENCITY_S3_QUERYSTRING_EXPIRE", 3600),
            "default_acl": None,  # the bucket's own policy (private)
            "file_overwrite": False,  # as on disk: a name in use gets a suffix, nothing is replaced
            "addressing_style": env_str("OPENCITY_S3_ADDRESSING_STYLE") or None,
        },
    }
# The source files too (a fresh checkout, a file added since the last collectstatic); the
# collected ones, with their compressed copies, take precedence under their hashed names.
WHITENOISE_USE_FINDERS = True


def _static_headers(headers, path: str, url: str) -> None:
    """What SecurityMiddleware adds, on the static files answered before Django is entered
    (``lib/staticfiles.StaticFirst``)."""
    headers["X-Content-Type-Options"] = "nosniff"


WHITENOISE_ADD_HEADERS_FUNCTION = _static_headers
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 60 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 10

# Photos: limits enforced at the edge (see opencity/lib/images.py)
OPENCITY_PHOTO_MAX_BYTES = env_int("OPENCITY_PHOTO_MAX_BYTES", 10 * 1024 * 1024)
OPENCITY_PHOTO_MAX_COUNT = env_int("OPENCITY_PHOTO_MAX_COUNT", 5)
OPENCITY_PHOTO_MAX_PIXELS = env_int("OPENCITY_PHOTO_MAX_PIXELS", 40_000_000)
# Any request body: refused by its Content-Length before it is read (opencity/lib/uploads.py).
OPENCITY_UPLOAD_MAX_BYTES = env_int(
    "OPENCITY_UPLOAD_MAX_BYTES", OPENCITY_PHOTO_MAX_BYTES * OPENCITY_PHOTO_MAX_COUNT + 1024 * 1024
)
FILE_UPLOAD_HANDLERS = [
    "opencity.lib.uploads.LimitedUploadHandler",  # counts bytes; keeps no file past the limit
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- E-mail ----------------------------------------------------------------------------
EMAIL_BACKEND = env_str("OPENCITY_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("OPENCITY_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("OPENCITY_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("OPENCITY_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("OPENCITY_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("OPENCITY_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("OPENCITY_DEFAULT_FROM_EMAIL", "OpenCity <no-reply@opencity.local>")

# --- Background jobs (huey) ------------------------------------------------------------
# Both backends honour task priorities (life-safety work first: notifications/outbox.py). No
# task result is kept: nothing reads them, and on Redis they were never deleted.
HUEY_BACKEND = env_str("OPENCITY_HUEY_BACKEND", "sqlite")
if HUEY_BACKEND == "sqlite":
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "opencity",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "results": False,
        "immediate": env_bool("OPENCITY_HUEY_IMMEDIATE", False),
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
elif HUEY_BACKEND == "redis":
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",  # a sorted set: needs Redis 5 or later
        "name": "opencity",
        "url": env_str("OPENCITY_REDIS_URL", "redis://127.0.0.1:6379/0"),
        "results": False,
        "immediate": env_bool("OPENCITY_HUEY_IMMEDIATE", False),
        "consumer": {"workers": 4, "worker_type": "thread"},
    }
else:
    raise ImproperlyConfigured("OPENCITY_HUEY_BACKEND must be 'sqlite' or 'redis'")
# A periodic job runs under a lease (lib/locks.py) its worker renews while it runs: a worker
# killed mid-job holds the job back for at most this long.
OPENCITY_JOB_LEASE_SECONDS = env_int("OPENCITY_JOB_LEASE_SECONDS", 120)
if OPENCITY_JOB_LEASE_SECONDS < 8:
    raise ImproperlyConfigured("OPENCITY_JOB_LEASE_SECONDS must be at least 8")
# The outbox (notifications/outbox.py): how long a worker holds a side effect before another
# takes it again (a worker killed mid-way), and how long rows done are kept.
OPENCITY_OUTBOX_LEASE_SECONDS = env_int("OPENCITY_OUTBOX_LEASE_SECONDS", 300)
if OPENCITY_OUTBOX_LEASE_SECONDS < 10:
    raise ImproperlyConfigured("OPENCITY_OUTBOX_LEASE_SECONDS must be at least 10")
OPENCITY_OUTBOX_KEEP_DAYS = env_int("OPENCITY_OUTBOX_KEEP_DAYS", 7)
# Rows one drain task carries out before it hands the rest to a new task (and its thread back).
OPENCITY_OUTBOX_DRAIN_BATCH = env_int("OPENCITY_OUTBOX_DRAIN_BATCH", 100)
if OPENCITY_OUTBOX_DRAIN_BATCH < 1:
    raise ImproperlyConfigured("OPENCITY_OUTBOX_DRAIN_BATCH must be at least 1")

# --- Cache -------------------------------------------------------------------------------
# Shared by every server process with Redis (production: OPENCITY_CACHE_URL=redis://…/1); this
# process's memory without. Holds the map's clusters and the city's numbers (lib/cache.py).
OPENCITY_CACHE_URL = env_str("OPENCITY_CACHE_URL", "")
if OPENCITY_CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": OPENCITY_CACHE_URL, "KEY_PREFIX": "opencity"}}
elif OPENCITY_CACHE_URL:
    raise ImproperlyConfigured("OPENCITY_CACHE_URL must be a redis:// URL or empty")
else:
    # room for the pages kept for visitors (~40 KB each) beside the rest (the default is 300)
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "opencity",
                          "OPTIONS": {"MAX_ENTRIES": 3000}}}

# Pages and API answers kept for visitors (lib/pagecache.py), under a fingerprint read from the
# database on each request; the entries expire after this many seconds (0: nothing is kept).
OPENCITY_PAGE_CACHE_SECONDS = env_int("OPENCITY_PAGE_CACHE_SECONDS", 600)
if OPENCITY_PAGE_CACHE_SECONDS < 0:
    raise ImproperlyConfigured("OPENCITY_PAGE_CACHE_SECONDS must be 0 or more")

# --- IOC console live feed (ioc/live.py) -----------------------------------------------
# Redis pub/sub wakes the server-sent-event streams when several processes serve; empty: the
# streams poll the LiveEvent table. A stream ends after STREAM_SECONDS and the browser reconnects.
OPENCITY_LIVE_REDIS_URL = env_str("OPENCITY_LIVE_REDIS_URL", "")
OPENCITY_LIVE_POLL_SECONDS = env_float("OPENCITY_LIVE_POLL_SECONDS", 2.0)
OPENCITY_LIVE_STREAM_SECONDS = env_float("OPENCITY_LIVE_STREAM_SECONDS", 25.0)
OPENCITY_LIVE_KEEP_DAYS = env_int("OPENCITY_LIVE_KEEP_DAYS", 7)
# Streams served over WSGI at once per process (each holds a thread); ASGI streams hold none.
OPENCITY_LIVE_WSGI_STREAMS = env_int("OPENCITY_LIVE_WSGI_STREAMS", 4)

# --- Monitoring (monitoring/): sensors, cameras, vessels ------------------------------------
# Readings older than MAX_AGE_DAYS or later than now + CLOCK_TOLERANCE_SECONDS are refused (a
# device whose clock says 1970); an HTTP batch holds at most MAX_BATCH rows (413 beyond).
OPENCITY_MONITORING_MAX_AGE_DAYS = env_int("OPENCITY_MONITORING_MAX_AGE_DAYS", 3650)
OPENCITY_MONITORING_CLOCK_TOLERANCE_SECONDS = env_int("OPENCITY_MONITORING_CLOCK_TOLERANCE_SECONDS", 300)
OPENCITY_MONITORING_MAX_BATCH = env_int("OPENCITY_MONITORING_MAX_BATCH", 5000)
# PostgreSQL: the raw readings of the last KEEP_MONTHS months (this one included) stay in the
# database; older monthly partitions are written to ARCHIVE_DIR/monitoring/ (gzip CSV) and
# dropped by a monthly job; the hourly roll-ups stay (monitoring/partitions.py). 0: never.
OPENCITY_MONITORING_KEEP_MONTHS = env_int("OPENCITY_MONITORING_KEEP_MONTHS", 36)
OPENCITY_ARCHIVE_DIR = Path(env_str("OPENCITY_ARCHIVE_DIR", str(VAR_DIR / "archive")))
# The MQTT broker the ingest worker subscribes to (manage.py mqtt_ingest) and the simulator
# publishes to; topics ``<PREFIX>/<datastream code>`` (readings) and ``<PREFIX>/items/<source>``.
OPENCITY_MQTT_HOST = env_str("OPENCITY_MQTT_HOST", "127.0.0.1")
OPENCITY_MQTT_PORT = env_int("OPENCITY_MQTT_PORT", 1883)
OPENCITY_MQTT_USERNAME = env_str("OPENCITY_MQTT_USERNAME", "")
OPENCITY_MQTT_PASSWORD = env_secret("OPENCITY_MQTT_PASSWORD", "")
OPENCITY_MQTT_TOPIC_PREFIX = env_str("OPENCITY_MQTT_TOPIC_PREFIX", "opencity/ingest")

# --- One-stop dossiers (dossiers/): the provincial one-stop system's JSON endpoint ----------
# Empty URL: no scheduled pull (CSV imports still work). The token is sent in TOKEN_HEADER
# ("Authorization": as "Bearer <token>"; any other header: the token as it is). A pull runs every
# PULL_MINUTES; a failed one is retried after PULL_MINUTES × 2^(failures − 1), RETRY_MAX_MINUTES
# at most. TIMEOUT bounds each page's request (seconds); MAX_PAGES the pages of one pull.
OPENCITY_DOSSIERS_URL = env_str("OPENCITY_DOSSIERS_URL", "")
OPENCITY_DOSSIERS_TOKEN = env_secret("OPENCITY_DOSSIERS_TOKEN", "")
OPENCITY_DOSSIERS_TOKEN_HEADER = env_str("OPENCITY_DOSSIERS_TOKEN_HEADER", "Authorization")
OPENCITY_DOSSIERS_TIMEOUT = env_int("OPENCITY_DOSSIERS_TIMEOUT", 20)
OPENCITY_DOSSIERS_PULL_MINUTES = env_int("OPENCITY_DOSSIERS_PULL_MINUTES", 15)
OPENCITY_DOSSIERS_RETRY_MAX_MINUTES = env_int("OPENCITY_DOSSIERS_RETRY_MAX_MINUTES", 240)
OPENCITY_DOSSIERS_MAX_PAGES = env_int("OPENCITY_DOSSIERS_MAX_PAGES", 200)

# --- Press and social monitoring (press/) ----------------------------------------------------
# Feeds and pages are fetched with at most MAX_BYTES read (larger: refused), one deadline of
# TIMEOUT_SECONDS, MAX_REDIRECTS hops (each rechecked) and one request per host every
# HOST_INTERVAL_SECONDS per worker. Addresses must be public unless inside ALLOWED_NETWORKS
# (comma-separated CIDRs; the tests allow 127.0.0.1/32). A failing source waits
# every_minutes × 2^failures, at most MAX_BACKOFF_HOURS. PAGES_PER_FETCH: article pages read per
# fetch of a summary-only feed. Items scoring FEED_SCORE or more appear on the console's feed.
OPENCITY_PRESS_MAX_BYTES = env_int("OPENCITY_PRESS_MAX_BYTES", 5 * 1024 * 1024)
OPENCITY_PRESS_TIMEOUT_SECONDS = env_float("OPENCITY_PRESS_TIMEOUT_SECONDS", 15.0)
OPENCITY_PRESS_MAX_REDIRECTS = env_int("OPENCITY_PRESS_MAX_REDIRECTS", 5)
OPENCITY_PRESS_HOST_INTERVAL_SECONDS = env_float("OPENCITY_PRESS_HOST_INTERVAL_SECONDS", 2.0)
OPENCITY_PRESS_ALLOWED_NETWORKS = [n.strip() for n in env_str("OPENCITY_PRESS_ALLOWED_NETWORKS").split(",")
                                   if n.strip()]
for _network in OPENCITY_PRESS_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(f"OPENCITY_PRESS_ALLOWED_NETWORKS: {_exc}") from _exc
OPENCITY_PRESS_MAX_BACKOFF_HOURS = env_int("OPENCITY_PRESS_MAX_BACKOFF_HOURS", 24)
OPENCITY_PRESS_PAGES_PER_FETCH = env_int("OPENCITY_PRESS_PAGES_PER_FETCH", 20)
OPENCITY_PRESS_FEED_SCORE = env_int("OPENCITY_PRESS_FEED_SCORE", 60)
OPENCITY_PRESS_IMPORT_MAX_BYTES = env_int("OPENCITY_PRESS_IMPORT_MAX_BYTES", 10 * 1024 * 1024)

# --- Digital reports (ioc/digital) -------------------------------------------------------
# A TrueType/OpenType font with Vietnamese letters for the PDF reports; empty: the first found
# of DejaVu Sans (Debian fonts-dejavu-core), Noto Sans, Liberation Sans, FreeSans.
OPENCITY_PDF_FONT = env_str("OPENCITY_PDF_FONT", "")

# --- City and maps ---------------------------------------------------------------------
OPENCITY_CITY_CODE = env_str("OPENCITY_CITY_CODE", "46")  # Thành phố Huế
OPENCITY_MAP_CENTER = (16.4637, 107.5909)
# --- Map tiles, geocoder, staged photos (issue 14; docs/configuration.md) ----------------
# Streets by default (OpenStreetMap's standard tiles); a test session (pytest sets
# PYTEST_VERSION) stays offline unless it sets a URL itself. Empty URL: ward boundaries only.
_UNDER_TEST = "PYTEST_VERSION" in os.environ
_OSM_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
_OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
OPENCITY_MAP_TILE_URL = env_str("OPENCITY_MAP_TILE_URL", "" if _UNDER_TEST else _OSM_TILE_URL)
OPENCITY_MAP_TILE_ATTRIBUTION = env_str(
    "OPENCITY_MAP_TILE_ATTRIBUTION", _OSM_ATTRIBUTION if OPENCITY_MAP_TILE_URL == _OSM_TILE_URL else ""
)
# Typed address -> place (opencity/geo/geocode.py): "none" (wards only) or "nominatim" (OSM's
# service or a city's own Nominatim-compatible one at OPENCITY_GEOCODER_URL).
OPENCITY_GEOCODER = env_str("OPENCITY_GEOCODER", "none")
if OPENCITY_GEOCODER not in ("none", "nominatim"):
    raise ImproperlyConfigured("OPENCITY_GEOCODER must be 'none' or 'nominatim'")
OPENCITY_GEOCODER_URL = env_str("OPENCITY_GEOCODER_URL", "https://nominatim.openstreetmap.org")
OPENCITY_GEOCODER_USER_AGENT = env_str("OPENCITY_GEOCODER_USER_AGENT", "OpenCity (self-hosted)")
OPENCITY_GEOCODER_TIMEOUT = env_float("OPENCITY_GEOCODER_TIMEOUT", 3.0)
OPENCITY_GEOCODER_CACHE_SECONDS = env_int("OPENCITY_GEOCODER_CACHE_SECONDS", 7 * 24 * 3600)
# Photos uploaded for a form not yet sent (lib/staging.py): kept this long, at most this many
# per person at a time.
OPENCITY_STAGING_KEEP_HOURS = env_int("OPENCITY_STAGING_KEEP_HOURS", 24)
OPENCITY_STAGING_MAX_PER_USER = env_int("OPENCITY_STAGING_MAX_PER_USER", 30)
OPENCITY_ROUTING_HOOKS = env_str("OPENCITY_ROUTING_HOOKS", "opencity.reports.routing_hooks.default")

# --- Field reports ---------------------------------------------------------------------
OPENCITY_RATING_WINDOW_DAYS = env_int("OPENCITY_RATING_WINDOW_DAYS", 7)
OPENCITY_DISPUTE_WINDOW_DAYS = env_int("OPENCITY_DISPUTE_WINDOW_DAYS", 7)
OPENCITY_DUPLICATE_RADIUS_M = env_int("OPENCITY_DUPLICATE_RADIUS_M", 50)
OPENCITY_DESCRIPTION_MAX_CHARS = env_int("OPENCITY_DESCRIPTION_MAX_CHARS", 4000)
# Deadlines (reports/deadlines.py): "due soon" below this share of the deadline's working hours
# left; escalate to the IOC and the leaders when overdue by this share of the deadline again.
OPENCITY_DUE_SOON_FRACTION = env_float("OPENCITY_DUE_SOON_FRACTION", 0.25)
OPENCITY_ESCALATE_IOC_AFTER = env_float("OPENCITY_ESCALATE_IOC_AFTER", 0.5)
# The IOC's target for verifying a new report (calendar minutes: the control room is staffed
# round the clock); the triage queue marks the reports that have waited longer.
OPENCITY_TRIAGE_TARGET_MINUTES = env_int("OPENCITY_TRIAGE_TARGET_MINUTES", 120)
if OPENCITY_TRIAGE_TARGET_MINUTES < 1:
    raise ImproperlyConfigured("OPENCITY_TRIAGE_TARGET_MINUTES must be at least 1")
if not 0 < OPENCITY_DUE_SOON_FRACTION < 1 or OPENCITY_ESCALATE_IOC_AFTER < 0:
    raise ImproperlyConfigured("OPENCITY_DUE_SOON_FRACTION must be in (0, 1), OPENCITY_ESCALATE_IOC_AFTER ≥ 0")
# Public map: zoomed-out clusters of the whole city are recounted at most this often (0: every
# request). Zoomed-in points are always live (reports/selectors.py, lib/cache.py).
OPENCITY_MAP_CLUSTER_CACHE_SECONDS = env_int("OPENCITY_MAP_CLUSTER_CACHE_SECONDS", 60)
# The city's numbers (reports/kpi.py figures) are at most this many seconds old while someone
# asks for them: public ones (statistics page, API) and those with private reports (the IOC
# console, whose live feed refreshes them). 0: computed on every request.
OPENCITY_KPI_CACHE_SECONDS = env_int("OPENCITY_KPI_CACHE_SECONDS", 30)
OPENCITY_KPI_STAFF_CACHE_SECONDS = env_int("OPENCITY_KPI_STAFF_CACHE_SECONDS", 5)
OPENCITY_OPEN311_JURISDICTION = env_str("OPENCITY_OPEN311_JURISDICTION", "hue.gov.vn")
# Open-data exports (every public report, streamed: ~15 s of a core at 100,000 reports) running
# at once per server process; more are answered 503 with Retry-After (lib/concurrency.py).
OPENCITY_EXPORTS_AT_ONCE = env_int("OPENCITY_EXPORTS_AT_ONCE", 2)

# --- Warnings (CAP 1.2) and web push ---------------------------------------------------------
OPENCITY_CAP_SENDER = env_str("OPENCITY_CAP_SENDER", "ioc@hue.gov.vn")
OPENCITY_CAP_SENDER_NAME = env_str(
    "OPENCITY_CAP_SENDER_NAME", "Trung tâm Giám sát, điều hành đô thị thông minh Huế"
)
OPENCITY_ALERT_BATCH_SIZE = env_int("OPENCITY_ALERT_BATCH_SIZE", 1000)
# A citizen's last shared location counts for warnings for this many hours after sharing.
OPENCITY_ALERT_LOCATION_MAX_AGE_HOURS = env_int("OPENCITY_ALERT_LOCATION_MAX_AGE_HOURS", 72)
OPENCITY_PUSH_BACKEND = env_str("OPENCITY_PUSH_BACKEND", "opencity.notifications.push.WebPushBackend")
# Web push endpoints are accepted on these hosts and their subdomains only (the browsers' push
# services); the addresses they resolve to must be public, unless inside one of the networks
# (CIDR) listed — for a test receiver, never needed in production (opencity/lib/outbound.py).
OPENCITY_PUSH_ALLOWED_HOSTS = [h.strip() for h in env_str(
    "OPENCITY_PUSH_ALLOWED_HOSTS",
    "fcm.googleapis.com,updates.push.services.mozilla.com,push.apple.com,notify.windows.com",
).split(",") if h.strip()]
OPENCITY_PUSH_ALLOWED_NETWORKS = [n.strip() for n in env_str("OPENCITY_PUSH_ALLOWED_NETWORKS").split(",") if n.strip()]
for _network in OPENCITY_PUSH_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(f"OPENCITY_PUSH_ALLOWED_NETWORKS: {_exc}") from _exc
# CA bundle for the push services' certificates (empty: certifi's); seconds for one push in all.
OPENCITY_PUSH_CA_FILE = env_str("OPENCITY_PUSH_CA_FILE")
OPENCITY_PUSH_TIMEOUT = env_float("OPENCITY_PUSH_TIMEOUT", 10.0)
# Devices per account: a new subscription replaces the one not confirmed for the longest.
OPENCITY_PUSH_MAX_SUBSCRIPTIONS = env_int("OPENCITY_PUSH_MAX_SUBSCRIPTIONS", 10)
# Rescue requests (SOS): minutes before an unacknowledged request escalates to the IOC.
OPENCITY_SOS_ACK_MINUTES = env_int("OPENCITY_SOS_ACK_MINUTES", 5)
# The most people one citizen's own request may name (a larger group is filed by the hotline or
# the IOC, up to 500), and the city hotline shown, with 112/114/115, as tappable numbers.
OPENCITY_SOS_MAX_PEOPLE = env_int("OPENCITY_SOS_MAX_PEOPLE", 50)
if not 1 <= OPENCITY_SOS_MAX_PEOPLE <= 500:
    raise ImproperlyConfigured("OPENCITY_SOS_MAX_PEOPLE must be between 1 and 500")
OPENCITY_HOTLINE_NUMBER = env_str("OPENCITY_HOTLINE_NUMBER", "1900 1075")
# Hotline: the shared secret the telephone exchange signs its webhooks with (empty: the webhook
# answers 503 and accepts nothing), and how old a signed request may be, in seconds.
OPENCITY_HOTLINE_WEBHOOK_SECRET = env_secret("OPENCITY_HOTLINE_WEBHOOK_SECRET")
OPENCITY_HOTLINE_WEBHOOK_TOLERANCE = env_int("OPENCITY_HOTLINE_WEBHOOK_TOLERANCE", 300)
OPENCITY_VAPID_PUBLIC_KEY = env_str("OPENCITY_VAPID_PUBLIC_KEY")
OPENCITY_VAPID_PRIVATE_KEY = env_secret("OPENCITY_VAPID_PRIVATE_KEY")
OPENCITY_VAPID_SUBJECT = env_str("OPENCITY_VAPID_SUBJECT", f"mailto:{OPENCITY_CAP_SENDER}")
if bool(OPENCITY_VAPID_PUBLIC_KEY) != bool(OPENCITY_VAPID_PRIVATE_KEY):
    raise ImproperlyConfigured("Set both OPENCITY_VAPID_PUBLIC_KEY and OPENCITY_VAPID_PRIVATE_KEY, or neither")

# --- National eID connector (accounts/eid.py; docs/identity.md) ---------------------------------
# Off unless enabled: then the profile offers "verify with VNeID" and the log-in page "sign in with
# VNeID". The default adapter is an OpenID Connect relying party; another adapter (a transaction-style
# platform) is named by its dotted path and reads what it needs.
OPENCITY_EID_ENABLED = env_bool("OPENCITY_EID_ENABLED", False)
OPENCITY_EID_ADAPTER = env_str("OPENCITY_EID_ADAPTER", "opencity.accounts.eid.OidcAdapter")
OPENCITY_EID_ISSUER = env_str("OPENCITY_EID_ISSUER").rstrip("/")
OPENCITY_EID_CLIENT_ID = env_str("OPENCITY_EID_CLIENT_ID")
OPENCITY_EID_CLIENT_SECRET = env_secret("OPENCITY_EID_CLIENT_SECRET")
OPENCITY_EID_SCOPES = env_str("OPENCITY_EID_SCOPES", "openid profile verification national_id")
OPENCITY_EID_NATIONAL_ID_CLAIM = env_str("OPENCITY_EID_NATIONAL_ID_CLAIM", "national_id")
OPENCITY_EID_LEVEL_CLAIM = env_str("OPENCITY_EID_LEVEL_CLAIM", "acr")
OPENCITY_EID_NAME = env_str("OPENCITY_EID_NAME", "VNeID")
# Seconds each call to the platform may take (discovery, token, keys, userinfo).
OPENCITY_EID_TIMEOUT = env_float("OPENCITY_EID_TIMEOUT", 10.0)
if OPENCITY_EID_ENABLED and OPENCITY_EID_ADAPTER == "opencity.accounts.eid.OidcAdapter":
    _missing = [n for n in ("OPENCITY_EID_ISSUER", "OPENCITY_EID_CLIENT_ID", "OPENCITY_EID_CLIENT_SECRET")
                if not globals()[n]]
    if _missing:
        raise ImproperlyConfigured(f"OPENCITY_EID_ENABLED=True needs {', '.join(_missing)}")
    if "openid" not in OPENCITY_EID_SCOPES.split():
        raise ImproperlyConfigured("OPENCITY_EID_SCOPES must include openid")
if OPENCITY_EID_ENABLED and not OPENCITY_EID_NATIONAL_ID_CLAIM:
    raise ImproperlyConfigured("OPENCITY_EID_NATIONAL_ID_CLAIM must name a claim")
if not 0 < OPENCITY_EID_TIMEOUT <= 60:
    raise ImproperlyConfigured("OPENCITY_EID_TIMEOUT must be between 0 and 60 seconds")

# --- Privacy centre (privacy/; docs/privacy.md) -------------------------------------------
# Time limits for answering a data subject's request, in WORKING days from receipt (the city's
# working calendar), per kind of request; and the hours from the discovery of a breach to the
# notification of the authority (A05, Ministry of Public Security). The defaults follow our
# reading of Law 91/2025/QH15 and Decree 356/2025/ND-CP: the city's legal team must confirm them.
OPENCITY_PRIVACY_EXPORT_DAYS = env_int("OPENCITY_PRIVACY_EXPORT_DAYS", 2)
OPENCITY_PRIVACY_CORRECTION_DAYS = env_int("OPENCITY_PRIVACY_CORRECTION_DAYS", 2)
OPENCITY_PRIVACY_RESTRICTION_DAYS = env_int("OPENCITY_PRIVACY_RESTRICTION_DAYS", 2)
OPENCITY_PRIVACY_OBJECTION_DAYS = env_int("OPENCITY_PRIVACY_OBJECTION_DAYS", 2)
OPENCITY_PRIVACY_DELETION_DAYS = env_int("OPENCITY_PRIVACY_DELETION_DAYS", 2)
OPENCITY_PRIVACY_BREACH_NOTIFY_HOURS = env_int("OPENCITY_PRIVACY_BREACH_NOTIFY_HOURS", 72)
# The most rows of one kind an export carries (beyond it the export says it was cut short).
OPENCITY_PRIVACY_EXPORT_MAX_ROWS = env_int("OPENCITY_PRIVACY_EXPORT_MAX_ROWS", 5000)
# The name staff-side records show for a person who deleted their account.
OPENCITY_PRIVACY_ERASED_NAME = env_str("OPENCITY_PRIVACY_ERASED_NAME", "Người dân đã xoá tài khoản")
for _name in ("EXPORT", "CORRECTION", "RESTRICTION", "OBJECTION", "DELETION"):
    if not 1 <= globals()[f"OPENCITY_PRIVACY_{_name}_DAYS"] <= 60:
        raise ImproperlyConfigured(f"OPENCITY_PRIVACY_{_name}_DAYS must be between 1 and 60")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("OPENCITY_LOG_LEVEL", "WARNING")},
}
