"""Import a CSV export of the one-stop system: ``manage.py import_dossiers FILE.csv``."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opencity.errors import ValidationError

from ...services import dossiers_import_csv


class Command(BaseCommand):
    help = "Import one-stop dossiers from a CSV file (columns named as the national public-service portal names them)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc}") from None
        try:
            run, result = dossiers_import_csv(data=data, name=path.name)
        except ValidationError as exc:
            raise CommandError(str(exc.message)) from None
        for e in result.errors:
            self.stderr.write(f"line {e.line} {e.code}: {e.vi} / {e.en}")
        self.stdout.write(f"{result.created} new, {result.changed} changed, {result.unchanged} unchanged, "
                          f"{len(result.errors)} refused (import {run.pk})")
