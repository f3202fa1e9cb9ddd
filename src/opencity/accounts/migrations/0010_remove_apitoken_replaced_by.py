"""``replaced_by`` is gone (``rotated_from`` holds the link, 0009)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0009_apitoken_credential_data")]

    operations = [
        migrations.RemoveField(
            model_name='apitoken',
            name='replaced_by',
        ),
    ]
