"""``is_active`` is gone (``revoked_at`` holds it, 0003)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("open311", "0003_apikey_credential_data")]

    operations = [
        migrations.RemoveField(
            model_name='apikey',
            name='is_active',
        ),
    ]
