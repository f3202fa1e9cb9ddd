"""Print the app's settings that scripts/backup.sh and scripts/restore.sh need, as shell
assignments (`eval "$(.venv/bin/python scripts/settings_env.py)"`): the same defaults and the
same *_FILE secrets as the app, read from its own settings."""
import os
import shlex

# Read the settings without making the embedded keys (settings.py writes them into VAR_DIR when
# the environment gives none): this script copies keys, it must not invent them.
for name in ("OPENCITY_SECRET_KEY", "OPENCITY_IDENTITY_SECRET", "OPENCITY_OIDC_RSA_PRIVATE_KEY"):
    if not os.environ.get(name) and not os.environ.get(f"{name}_FILE"):
        os.environ[name] = "unused"
from django.conf import settings  # noqa: E402 — after the keys' stand-ins above

db = settings.DATABASES["default"]
values = {
    "ENGINE": "postgres" if "postgresql" in db["ENGINE"] else "sqlite",
    "DB_NAME": str(db["NAME"]), "DB_HOST": str(db.get("HOST") or ""), "DB_PORT": str(db.get("PORT") or ""),
    "DB_USER": str(db.get("USER") or ""), "DB_PASSWORD": str(db.get("PASSWORD") or ""),
    "MEDIA_ROOT": str(settings.MEDIA_ROOT), "VAR_DIR": str(settings.VAR_DIR),
    "ARCHIVE_DIR": str(settings.OPENCITY_ARCHIVE_DIR),
    "S3": "1" if settings.STORAGES["default"]["BACKEND"].endswith("S3Storage") else "",
    "S3_BUCKET": str(settings.STORAGES["default"].get("OPTIONS", {}).get("bucket_name") or ""),
    "S3_ENDPOINT": str(settings.STORAGES["default"].get("OPTIONS", {}).get("endpoint_url") or ""),
}
for key, value in values.items():
    print(f"{key}={shlex.quote(value)}")
