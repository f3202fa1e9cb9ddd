"""Push subscriptions move from ``alerts`` to ``notifications`` (web push is a channel of any
notification, not only of warnings). Only the state moves: the table keeps its name
(``alerts_pushsubscription``) and its rows; ``alerts`` 0004 drops the model from its state."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0003_generic_subject'),
        ('alerts', '0003_message_client_token'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='PushSubscription',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('endpoint', models.URLField(max_length=1000)),
                        ('p256dh', models.CharField(max_length=200)),
                        ('auth', models.CharField(max_length=64)),
                        ('user_agent', models.CharField(blank=True, max_length=300)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('last_success_at', models.DateTimeField(blank=True, null=True)),
                        ('failures', models.PositiveSmallIntegerField(default=0)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='push_subscriptions', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'push subscription',
                        'verbose_name_plural': 'push subscriptions',
                        'db_table': 'alerts_pushsubscription',
                        'constraints': [models.UniqueConstraint(fields=('user', 'endpoint'), name='alerts_push_unique')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
