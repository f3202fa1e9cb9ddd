"""`manage.py vapid_keys`: print a new VAPID key pair for web push, as environment lines."""

from django.core.management.base import BaseCommand

from opencity.notifications.vapid import new_vapid_keys


class Command(BaseCommand):
    help = "Print a new VAPID key pair (OPENCITY_VAPID_PUBLIC_KEY / OPENCITY_VAPID_PRIVATE_KEY) for web push."
    requires_system_checks: list[str] = []

    def handle(self, *args, **options):
        public, private = new_vapid_keys()
        self.stdout.write(f"OPENCITY_VAPID_PUBLIC_KEY={public}")
        self.stdout.write(f"OPENCITY_VAPID_PRIVATE_KEY={private}")
        self.stderr.write("Keep the private key secret (or put it in a file named by OPENCITY_VAPID_PRIVATE_KEY_FILE).")
