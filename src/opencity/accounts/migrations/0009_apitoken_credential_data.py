"""API tokens as credentials, the data: ``replaced_by`` (old → new) becomes ``rotated_from`` (new → old).

A migration of its own: on PostgreSQL, rows changed in a transaction cannot be followed by an
ALTER TABLE of the same table in it (pending trigger events)."""

from django.db import migrations
from django.db.models import F


def replaced_by_to_rotated_from(apps, schema_editor):
    """The old link (old → successor) turned around (successor → old); tokens are issued by
    their owners, so ``created_by`` is the owner."""
    ApiToken = apps.get_model("accounts", "ApiToken")
    for old_id, new_id in ApiToken.objects.filter(replaced_by__isnull=False).values_list("pk", "replaced_by"):
        ApiToken.objects.filter(pk=new_id).update(rotated_from_id=old_id)
    ApiToken.objects.filter(created_by__isnull=True).update(created_by_id=F("user_id"))


def rotated_from_to_replaced_by(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    for new_id, old_id in ApiToken.objects.filter(rotated_from__isnull=False).values_list("pk", "rotated_from"):
        ApiToken.objects.filter(pk=old_id).update(replaced_by_id=new_id)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0008_apitoken_credential")]

    operations = [
        migrations.RunPython(replaced_by_to_rotated_from, rotated_from_to_replaced_by),
    ]
