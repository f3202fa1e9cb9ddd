"""Push subscriptions now belong to ``notifications`` (its migration 0004 takes the model
over). Only the state changes here: the table ``alerts_pushsubscription`` and its rows stay."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('alerts', '0003_message_client_token'),
        ('notifications', '0004_pushsubscription'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='PushSubscription')],
            database_operations=[],
        ),
    ]
