"""Issue #20, backups: dump, drop, restore, and the app serves the same report.

Each test builds an installation of its own in fresh processes (its own var dir, media dir and
database: ``opencity_deploy_*`` on PostgreSQL), creates a report with a photo through the
product's service, runs ``scripts/backup.sh``, drops the database and removes the files,
checks the app no longer serves the report, runs ``scripts/restore.sh``, and checks the app
(Django's test client in a new process, pointed at the restored database) serves the same
page, the same API answer and the same photo bytes.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

SCRIPTS = Path(settings.BASE_DIR) / "scripts"
DESCRIPTION = "Đèn đường hỏng trước số nhà 31/32 Lê Văn Hưu — sao lưu và phục hồi"
ADDRESS = "Kiệt 32 Lê Văn Hưu, phường Thuận Lộc"

SEED = f"""
import io, json
import django
django.setup()
from PIL import Image
from django.core.files.uploadedfile import SimpleUploadedFile
from opencity.accounts.models import Role, User
from opencity.reports.models import Category
from opencity.reports.services import report_submit

buf = io.BytesIO()
Image.new("RGB", (320, 240), (200, 120, 40)).save(buf, "JPEG")
citizen = User.objects.create_user("0905000001", "matkhau-an-toan-2025", full_name="Nguyễn Văn An",
                                   role=Role.CITIZEN)
lighting = Category.objects.create(code="chieu-sang", name_vi="Chiếu sáng công cộng",
                                   name_en="Street lighting", deadline_hours=16)
report = report_submit(reporter=citizen, category=lighting, description={DESCRIPTION!r},
                       lat=16.4745, lon=107.5755, address={ADDRESS!r},
                       photos=[SimpleUploadedFile("p.jpg", buf.getvalue(), content_type="image/jpeg")])
print(json.dumps({{"report": report.pk, "photo": report.photos.get().pk}}))
"""

FETCH = """
import hashlib, json, sys
import django
django.setup()
from django.test import Client
from django.urls import reverse

report, photo = int(sys.argv[1]), int(sys.argv[2])
client = Client(HTTP_ACCEPT_LANGUAGE="vi")
page = client.get(reverse("reports:detail", args=[report]))
api = client.get(f"/api/v1/reports/{report}")
image = client.get(reverse("reports:photo", args=[photo, "full"]))
body = b"".join(image.streaming_content) if image.status_code == 200 else b""
print(json.dumps({
    "page": page.status_code, "page_text": page.content.decode(),
    "api": api.status_code, "api_json": api.json() if api.status_code == 200 else None,
    "photo": image.status_code, "photo_sha256": hashlib.sha256(body).hexdigest(), "photo_bytes": len(body),
}))
"""


class Installation:
    """An OpenCity installation in fresh processes, with only these OPENCITY_* settings."""

    def __init__(self, root: Path, **env: str):
        self.root = root
        self.var = root / "var"
        self.media = root / "media"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENCITY_", "DJANGO_"))}
        self.env.update(
            PYTHONPATH=str(Path(settings.BASE_DIR) / "src"), DJANGO_SETTINGS_MODULE="opencity.settings",
            OPENCITY_VAR_DIR=str(self.var), OPENCITY_MEDIA_ROOT=str(self.media),
            OPENCITY_ALLOWED_HOSTS="testserver", OPENCITY_SMS_ALLOW_CONSOLE="True",
            OPENCITY_HUEY_IMMEDIATE="True", OPENCITY_PYTHON=sys.executable, **env,
        )

    def run(self, *args: str) -> str:
        done = subprocess.run(args, env=self.env, capture_output=True, text=True, timeout=300,
                              cwd=settings.BASE_DIR)
        assert done.returncode == 0, f"{args[:2]} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def python(self, code: str, *args: str) -> dict:
        return json.loads(self.run(sys.executable, "-c", code, *args).strip().splitlines()[-1])

    def fetch(self, ids: dict) -> dict:
        return self.python(FETCH, str(ids["report"]), str(ids["photo"]))


def _same_report_served(before: dict, after: dict) -> None:
    assert after["page"] == before["page"] == 200
    assert DESCRIPTION in after["page_text"] and ADDRESS in after["page_text"]
    assert after["api"] == 200 and after["api_json"] == before["api_json"]
    assert after["api_json"]["description"] == DESCRIPTION
    assert after["photo"] == 200 and after["photo_sha256"] == before["photo_sha256"]
    assert after["photo_bytes"] > 1000


def _restore(site: Installation, backup: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SCRIPTS / "restore.sh"), str(backup)], env=site.env,
                          capture_output=True, text=True, timeout=300, cwd=settings.BASE_DIR)


def _backup_drop_restore(site: Installation, drop) -> None:
    site.run(sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "migrate", "-v0")
    ids = site.python(SEED)
    before = site.fetch(ids)
    assert before["page"] == 200 and DESCRIPTION in before["page_text"] and before["photo"] == 200

    backup = Path(site.run("bash", str(SCRIPTS / "backup.sh"), str(site.root / "backups")).strip().splitlines()[-1])
    manifest = (backup / "MANIFEST").read_text()
    assert "database" in manifest and "media.tar" in manifest and "keys/secret_key" in manifest
    assert oct(backup.stat().st_mode & 0o777) == "0o700"  # personal data: the operators' only

    drop()
    shutil.rmtree(site.media)
    gone = site.fetch(ids)
    assert gone["page"] != 200 and gone["photo"] != 200  # the report really is gone
    # A new machine: no database (SQLite made an empty file on that request), no files, and
    # none of the keys the embedded default made (that request made new ones).
    drop()
    for key in ("secret_key", "identity_secret", "oidc_rsa_key.pem"):
        (site.var / key).unlink()

    # A damaged copy restores nothing: the sums are checked first (the restore below would
    # refuse to write over a database or files this one had left).
    damaged = Path(shutil.copytree(backup, site.root / "damaged"))
    with open(damaged / "media.tar", "r+b") as fh:
        fh.seek(600)
        fh.write(b"\x00damaged\x00")
    refused = _restore(site, damaged)
    assert refused.returncode != 0 and "does not match its MANIFEST" in refused.stderr

    done = _restore(site, backup)
    assert done.returncode == 0, done.stdout + done.stderr
    # Restoring over a database that exists (here: the one just restored) is refused.
    again = _restore(site, backup)
    assert again.returncode != 0 and "move it away first" in again.stderr

    _same_report_served(before, site.fetch(ids))


def test_a_sqlite_installation_is_backed_up_dropped_restored_and_serves_the_same_report(tmp_path):
    site = Installation(tmp_path, OPENCITY_DB_ENGINE="sqlite", OPENCITY_DB_NAME=str(tmp_path / "var" / "db.sqlite3"))

    def drop():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{site.env['OPENCITY_DB_NAME']}{suffix}").unlink(missing_ok=True)

    _backup_drop_restore(site, drop)


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="PostgreSQL only: pg_dump -Fc and pg_restore (the suite runs on SQLite here; CI runs it on PostgreSQL too)",
)
def test_a_postgresql_installation_is_dumped_dropped_restored_and_serves_the_same_report(tmp_path):
    db = settings.DATABASES["default"]
    name = f"opencity_deploy_{os.getpid()}_{secrets.token_hex(3)}"
    connection = {"OPENCITY_DB_HOST": str(db["HOST"]), "OPENCITY_DB_PORT": str(db["PORT"]),
                  "OPENCITY_DB_USER": str(db["USER"]), "OPENCITY_DB_PASSWORD": str(db["PASSWORD"] or "")}
    site = Installation(tmp_path, OPENCITY_DB_ENGINE="postgres", OPENCITY_DB_NAME=name,
                        OPENCITY_DB_CONN_MAX_AGE="0", **connection)
    psql = ["psql", "-h", connection["OPENCITY_DB_HOST"], "-p", connection["OPENCITY_DB_PORT"],
            "-U", connection["OPENCITY_DB_USER"], "-d", "postgres", "-qc"]
    env = {**os.environ, "PGPASSWORD": connection["OPENCITY_DB_PASSWORD"]}

    def drop():
        subprocess.run([*psql, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], env=env, check=True, timeout=60)

    subprocess.run([*psql, f'CREATE DATABASE "{name}"'], env=env, check=True, timeout=60)
    try:
        _backup_drop_restore(site, drop)
    finally:
        subprocess.run([*psql, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], env=env, timeout=60)
