"""Django settings for Connexion. Every deployment choice comes from the
environment through `connexion.config`; nothing here needs editing."""

import os
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from connexion.config import load_config

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent

CONFIG = load_config(os.environ, BASE_DIR)

DEBUG = CONFIG.debug
SECRET_KEY = CONFIG.secret_key
ALLOWED_HOSTS = CONFIG.allowed_hosts
CSRF_TRUSTED_ORIGINS = CONFIG.csrf_trusted_origins
DATA_DIR = CONFIG.data_dir

INSTALLED_APPS = [
    "connexion.accounts",
    "connexion.audit",
    "connexion.people",
    "connexion.privacy",
    "connexion.imports",
    "connexion.sales",
    "connexion.comms",
    "connexion.documents",
    "connexion.portal",
    "connexion.api",
    "connexion.ui",
    "connexion.ops",
    # Django's admin, behind our sign-in (accounts.admin_site).
    "connexion.accounts.apps.AdminSiteConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "django_tasks_rq",
    "ninja",
]

MIDDLEWARE = [
    # First: only a trusted proxy's X-Forwarded-Proto reaches SecurityMiddleware.
    "connexion.lib.http.ForwardedProtoMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "connexion.audit.context.AuditOriginMiddleware",
    "connexion.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "connexion.accounts.middleware.SessionSecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "connexion.ui.security.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "connexion.urls"
WSGI_APPLICATION = "connexion.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "connexion.ui.context_processors.navigation",
            ],
            "builtins": ["connexion.ui.templatetags.connexion"],
        },
    },
]

DATABASES = {"default": CONFIG.database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "ui:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# NIST SP 800-63B: length, a breach list, nothing like the account; no
# composition rules (see accounts.passwords).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "connexion.accounts.passwords.MinimumLengthValidator"},
    {"NAME": "connexion.accounts.passwords.MaximumLengthValidator"},
    {"NAME": "connexion.accounts.passwords.BreachedPasswordValidator"},
    {"NAME": "connexion.accounts.passwords.SimilarToAccountValidator"},
]
# Failed sign-ins in a sliding window (accounts.services.sign_in_refusal): this
# many against one account lock it; this many from one address, under any
# usernames, make that address wait without locking any account.
LOGIN_FAILURE_LIMIT = 5
LOGIN_ADDRESS_FAILURE_LIMIT = 20
LOGIN_FAILURE_WINDOW_MINUTES = 15
# Reverse proxies whose X-Forwarded-For is believed (lib.http.client_ip).
CONNEXION_TRUSTED_PROXIES = CONFIG.trusted_proxies

SESSION_COOKIE_AGE = CONFIG.session_hours * 3600
# Signed out after this long without a request, and after SESSION_COOKIE_AGE
# in any case (accounts.middleware.SessionSecurityMiddleware).
SESSION_IDLE_SECONDS = CONFIG.session_idle_minutes * 60
# Calls per minute one API token may make (api.services.check_rate_limit).
API_RATE_LIMIT_PER_MINUTE = CONFIG.api_rate_limit
API_RATE_LIMIT_CACHE = "default"
AUDIT_RETENTION_DAYS = CONFIG.audit_retention_days
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
PASSWORD_RESET_TIMEOUT = 60 * 60  # a reset link lives one hour

if CONFIG.is_production:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_CONTENT_TYPE_NOSNIFF = True
# HTTPS as the TLS proxy saw it: read only from CONNEXION_TRUSTED_PROXIES
# (lib.http.ForwardedProtoMiddleware drops the header from anyone else).
if CONFIG.trusted_proxies:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = CONFIG.default_language
LANGUAGES = [("th", _("Thai")), ("en", _("English"))]
LANGUAGE_COOKIE_NAME = "connexion_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it to exist
# Static files are vendored in the apps and served straight from them.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"
# Every uploaded or generated file is encrypted at rest (connexion.lib.storage);
# static files are public and stay as they are.
CONNEXION_MASTER_KEYS = CONFIG.master_keys
STORAGES = {
    "default": {"BACKEND": "connexion.lib.storage.EncryptedFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

globals().update(CONFIG.email)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Connexion CRM <no-reply@localhost>")
# Text messages (connexion.lib.sms): files in the outbox unless a gateway is set.
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN", "")

if CONFIG.redis_url:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CONFIG.redis_url,
        }
    }
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# The RQ queues are only used when the RQ backend is chosen (REDIS_URL).
RQ_QUEUES = {"default": {"URL": CONFIG.redis_url or "redis://127.0.0.1:6379/0"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        # 4xx responses are logged with their reason (django.request warns on them).
        "django.request": {"level": "WARNING"},
        "django.db.backends": {"level": "INFO"},
    },
}
