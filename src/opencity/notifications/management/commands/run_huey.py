"""``manage.py run_huey``: huey's worker, refusing to start where it would print one-time codes.

The worker is what sends text messages (the SMS channel, ``channels.py``). The web process
refuses the console SMS backend in production (``opencity/startup.py``); a worker started on its
own must too, or a host running only workers would print every code to its log
(``notifications.E001``, ``checks.py``). Otherwise this is djhuey's command unchanged."""

from __future__ import annotations

from django.core.management.base import CommandError
from huey.contrib.djhuey.management.commands.run_huey import Command as HueyCommand

from opencity.notifications.checks import sms_backend_check


class Command(HueyCommand):
    help = (HueyCommand.help or "Run the huey consumer.") + (
        " Refuses to start with the console SMS backend while DEBUG is off (notifications.E001).")

    def handle(self, *args, **options):
        serious = [e for e in sms_backend_check() if e.is_serious()]
        if serious:
            raise CommandError("The worker refuses to start:\n" + "\n".join(
                f"- {e.id}: {e.msg}" + (f" ({e.hint})" if e.hint else "") for e in serious))
        return super().handle(*args, **options)
