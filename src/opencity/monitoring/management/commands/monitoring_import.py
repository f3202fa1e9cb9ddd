"""``manage.py monitoring_import <kind> <file> --source CODE``: import a file a city already has
(``monitoring.adapters``) and print what became of each row."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opencity.monitoring import adapters
from opencity.monitoring.models import Source


class Command(BaseCommand):
    help = ("Import camera violations (CSV), reservoir operation reports (CSV) or vessel positions (CSV or JSON "
            "lines) as one data source. Rows already imported are duplicates; bad rows are rejected with their "
            "line and the rest imported; a wrong header stores nothing.")

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(adapters.ADAPTERS))
        parser.add_argument("file", help="The file to read; - for standard input.")
        parser.add_argument("--source", required=True, help="The data source's code: thuy-loi, camera, thuy-san…")

    def handle(self, *args, kind: str, file: str, source: str, **options):
        found = Source.objects.filter(code=source, is_active=True).first()
        if found is None:
            raise CommandError(f"There is no active data source {source!r}.")
        if file == "-":
            raw = sys.stdin.buffer.read()
        else:
            path = Path(file)
            if not path.is_file():
                raise CommandError(f"{file}: no such file.")
            raw = path.read_bytes()
        try:
            report = adapters.import_file(kind=kind, raw=raw, source=found)
        except adapters.AdapterError as error:
            raise CommandError(f"{file}: {error.message} Nothing was imported.") from None
        counts = report.summary()
        self.stdout.write(f"{file} ({kind}, source {found.code}): created {counts['created']}, duplicate "
                          f"{counts['duplicate']}, rejected {counts['rejected']}"
                          + (f", events {len(report.events)}" if report.events else ""))
        for row in report.rejected:
            ref = f" [{row.ref}]" if row.ref else ""
            self.stdout.write(f"  line {row.line}{ref}: {row.code}: {row.message}")
