"""The Huế demo pack, loaded once for the demo's tests (a few seconds).

The pack is loaded inside a transaction that is rolled back when the package's tests end, so the
other tests never see it. Each test still runs in its own savepoint (``django_db``).
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

REPORTS = 120
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="package")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """Load the pack once; yields the command's output and the media directory it wrote to."""
    media = tmp_path_factory.mktemp("demo-media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=FAST_HASHER),
    ):
        with transaction.atomic():
            out = io.StringIO()
            call_command("load_demo", reports=REPORTS, stdout=out)
            yield {"output": out.getvalue(), "media": media}
            transaction.set_rollback(True)
