"""`manage.py load_demo`: the Huế demo pack. Thin: the work is in ``opencity.demo.services``."""

from django.core.management.base import BaseCommand

from opencity.demo import DEMO_PASSWORD, demo_logins


class Command(BaseCommand):
    help = (
        "Load the Huế demo pack (units, categories, routing rules, demo logins, a year of field "
        "reports). Does nothing if the pack is already loaded."
    )
    # `make run` calls this on every start: skip the system checks (they import every URLconf,
    # about a second); the server started right after runs them anyway.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--reports", type=int, default=2000, help="historical reports (default 2000)"
        )
        parser.add_argument("--seed", type=int, default=2025, help="random seed (default 2025)")

    def handle(self, *args, **options):
        from opencity.demo.services import demo_load

        summary = demo_load(reports=max(0, options["reports"]), seed=options["seed"])
        if not summary.loaded:
            self.stdout.write("Huế demo pack already loaded; nothing to do.")
            return
        c = summary.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"Huế demo pack loaded in {summary.seconds:.1f} s: {c['units']} units, {c['categories']} categories, "
                f"{c['rules']} routing rules, {c['staff']} staff, {c['citizens']} citizens, {c['reports']} reports "
                f"({c['events']} timeline events, {c['photos']} photos, {c['follows']} follows, "
                f"{c['extensions']} extension requests)."
            )
        )
        self.stdout.write(
            "Reports by status: " + ", ".join(f"{s} {n}" for s, n in summary.statuses.items())
        )
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
        for label, phone, name in demo_logins():
            self.stdout.write(f"  {phone}  {label:<45} {name}")
