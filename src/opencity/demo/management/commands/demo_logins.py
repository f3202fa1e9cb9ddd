from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print the demo pack's logins (one per role)."

    def handle(self, *args, **options):
        from opencity.demo.pack import DEMO_PASSWORD, demo_logins

        self.stdout.write(f"  Demo logins (password for all: {DEMO_PASSWORD}):")
        for role, phone, name in demo_logins():
            self.stdout.write(f"    {phone:<12} {role:<46} {name}")
