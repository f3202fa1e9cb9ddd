"""Remove metadata from photos stored before every stored photo was stripped (issue #13,
finding 3): comments (a JPEG COM segment copied from the upload's JPEG or GIF comment) and any
other APPn segment. Lossless: the JPEG's segments are dropped, its pixels are not re-encoded
(``opencity.lib.images.strip_jpeg_metadata``). Safe to run again: a clean file is left as is.

    manage.py photos_strip_metadata [--dry-run]
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand

from opencity.lib.images import stored_photos, strip_jpeg_metadata


class Command(BaseCommand):
    help = "Strip comments and other metadata from stored report and rescue photos, losslessly."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count, change nothing.")

    def handle(self, *args, dry_run: bool = False, **options):
        checked = cleaned = 0
        # Report photos, rescue photos…: each app registers its own (lib.images.register_stored_photos).
        for model, fields in stored_photos():
            for obj in model.objects.only("pk", *fields).iterator(chunk_size=500):
                changed = False
                for name in fields:
                    field = getattr(obj, name)
                    if not field:
                        continue
                    try:
                        with field.storage.open(field.name, "rb") as fh:
                            data = fh.read()
                        clean = strip_jpeg_metadata(data)
                    except (OSError, ValueError) as exc:
                        self.stderr.write(f"{model.__name__} {obj.pk} {name}: skipped ({exc})")
                        continue
                    checked += 1
                    if clean == data:
                        continue
                    cleaned += 1
                    if dry_run:
                        continue
                    field.storage.delete(field.name)
                    saved = field.storage.save(field.name, ContentFile(clean))
                    if saved != field.name:
                        field.name = saved
                        changed = True
                if changed:
                    obj.save(update_fields=list(fields))
        verb = "would clean" if dry_run else "cleaned"
        self.stdout.write(f"{checked} photo files checked, {cleaned} {verb}.")
