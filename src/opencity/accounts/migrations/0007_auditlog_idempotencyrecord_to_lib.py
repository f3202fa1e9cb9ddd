"""``AuditLog`` and ``IdempotencyRecord`` now belong to ``lib`` (its migration 0003): drop them
from this app's state only. Their tables and rows stay; ``lib`` uses them by name."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_password_changed_at"),
        ("lib", "0003_auditlog_idempotencyrecord"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="AuditLog"),
                migrations.DeleteModel(name="IdempotencyRecord"),
            ],
            database_operations=[],
        ),
    ]
