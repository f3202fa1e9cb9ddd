"""`manage.py rebuild_rollups`: recount the KPI roll-ups from the reports (see reports/kpi.py)."""

import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Fill missing processing times (work_hours) and rebuild the KPI roll-up table from the "
        "reports. Run it after loading reports in bulk (the demo pack) or restoring a backup."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true",
                            help="only compare the roll-ups with a direct count; exit 1 if they differ")

    def handle(self, *args, **options):
        from opencity.reports import kpi

        if options["check"]:
            problems = kpi.rollups_check()
            for line in problems:
                self.stderr.write(line)
            if problems:
                raise SystemExit(1)
            self.stdout.write("KPI roll-ups agree with the reports.")
            return
        started = time.monotonic()
        filled = kpi.work_hours_backfill()
        rows = kpi.rollups_rebuild()
        self.stdout.write(self.style.SUCCESS(
            f"KPI roll-ups rebuilt in {time.monotonic() - started:.2f} s: {rows} rows "
            f"({filled} processing times filled in)."
        ))
