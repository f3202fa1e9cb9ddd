"""Open311 keys as credentials, the data: a deactivated key becomes a revoked one.

A migration of its own: on PostgreSQL, rows changed in a transaction cannot be followed by an
ALTER TABLE of the same table in it (pending trigger events)."""

from django.db import migrations
from django.utils import timezone


def deactivated_to_revoked(apps, schema_editor):
    """A deactivated key (``is_active`` off) becomes a revoked credential: it stays refused."""
    ApiKey = apps.get_model("open311", "ApiKey")
    ApiKey.objects.filter(is_active=False).update(revoked_at=timezone.now())


def revoked_to_deactivated(apps, schema_editor):
    ApiKey = apps.get_model("open311", "ApiKey")
    ApiKey.objects.filter(revoked_at__isnull=False).update(is_active=False)


class Migration(migrations.Migration):
    dependencies = [("open311", "0002_apikey_credential")]

    operations = [
        migrations.RunPython(deactivated_to_revoked, revoked_to_deactivated),
    ]
