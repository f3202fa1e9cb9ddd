"""``manage.py credentials``: list, issue, rotate and revoke credentials of every kind
(``opencity.lib.credentials``; docs/credentials.md). The secret of an issue or a rotation is
printed once, alone on the last line of the output, and is never shown again."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from opencity.errors import DomainError
from opencity.lib.credentials import (
    STATE_LABELS,
    EncryptedCredential,
    credential_find,
    credential_issue,
    credential_kinds,
    credential_revoke,
    credential_rotate,
    reencrypt,
)


class Command(BaseCommand):
    help = "List, issue, rotate and revoke credentials (API tokens, Open311 keys, the exchange's secret…)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        sub.add_parser("kinds", help="The kinds of credentials.")
        listing = sub.add_parser("list", help="The credentials of a kind (working ones; --all: every one).")
        listing.add_argument("kind")
        listing.add_argument("--all", action="store_true")
        issue = sub.add_parser("issue", help="Issue a credential; prints its secret once.")
        issue.add_argument("kind")
        issue.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                           help="A field of the kind, e.g. --set name=Partner --set application=App.")
        issue.add_argument("--expires-days", type=int, help="Expire after this many days (default: the kind's).")
        issue.add_argument("--from-setting", action="store_true",
                           help="Bring in the secret of the kind's bootstrap setting instead of making one "
                                "(the exchange's OPENCITY_HOTLINE_WEBHOOK_SECRET).")
        rotate = sub.add_parser("rotate", help="Issue a successor; the old one works for a grace period.")
        rotate.add_argument("kind")
        rotate.add_argument("credential", help="Its id or prefix.")
        rotate.add_argument("--grace-hours", type=float, help="Default: the kind's grace period.")
        revoke = sub.add_parser("revoke", help="Stop a credential now.")
        revoke.add_argument("kind")
        revoke.add_argument("credential", help="Its id or prefix.")
        again = sub.add_parser("reencrypt", help="Encrypt a kind's stored secrets with the current SECRET_KEY.")
        again.add_argument("kind")

    def handle(self, *args, verb: str, **options) -> None:
        kinds = credential_kinds()
        if verb == "kinds":
            for name, model in sorted(kinds.items()):
                grace = model.rotation_grace
                self.stdout.write(f"{name:<18} {model._meta.label:<24} grace {grace}")
            return
        model = kinds.get(options["kind"])
        if model is None:
            raise CommandError(f"Unknown kind {options['kind']!r}; one of: {', '.join(sorted(kinds))}")
        try:
            getattr(self, f"_{verb}")(model, options)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc

    def _list(self, model, options) -> None:
        qs = model._default_manager.order_by("-created_at", "-pk")
        if not options["all"]:
            qs = qs.filter(model.usable_q())
        now = timezone.now()
        for obj in qs[:500]:
            until = f" until {timezone.localtime(obj.revoked_at):%Y-%m-%d %H:%M}" if obj.state(now) == "rotating" else ""
            self.stdout.write(f"{obj.pk:>6}  {obj.prefix:<8}  {STATE_LABELS[obj.state(now)]}{until}  {obj}")

    def _issue(self, model, options) -> None:
        if not getattr(model, "issuable_by_command", True):
            raise CommandError(f"{model.credential_kind} credentials are issued by their owners, not here.")
        fields = {}
        for pair in options["set"]:
            name, sep, value = pair.partition("=")
            if not sep:
                raise CommandError(f"--set {pair!r}: expected FIELD=VALUE")
            try:
                fields[name] = model._meta.get_field(name).to_python(value)
            except Exception as exc:  # FieldDoesNotExist, a value of the wrong type
                raise CommandError(f"--set {pair!r}: {exc}") from exc
        secret = None
        if options["from_setting"]:
            setting = getattr(model, "bootstrap_setting", "")
            secret = getattr(settings, setting, "") if setting else ""
            if not issubclass(model, EncryptedCredential) or not secret:
                raise CommandError("This kind has no bootstrap setting, or it is empty.")
        expires = True
        if options["expires_days"] is not None:
            expires = timezone.now() + dt.timedelta(days=options["expires_days"])
        obj, raw = credential_issue(model, secret=secret, expires_at=expires, **fields)
        self.stderr.write(f"Issued {obj} (id {obj.pk}). Its secret follows; it will not be shown again.")
        if secret is None:
            self.stdout.write(raw)

    def _rotate(self, model, options) -> None:
        old = credential_find(model, options["credential"])
        grace = None
        if options["grace_hours"] is not None:
            grace = dt.timedelta(hours=options["grace_hours"])
        new, raw = credential_rotate(old, grace=grace)
        self.stderr.write(
            f"Issued {new} (id {new.pk}); {old} works until "
            f"{timezone.localtime(old.revoked_at):%Y-%m-%d %H:%M %Z}. Its secret follows; it will not be shown again."
        )
        self.stdout.write(raw)

    def _revoke(self, model, options) -> None:
        obj = credential_find(model, options["credential"])
        if not credential_revoke(obj):
            raise CommandError(f"{obj} had already stopped working.")
        self.stdout.write(f"Revoked {obj}.")

    def _reencrypt(self, model, options) -> None:
        if not issubclass(model, EncryptedCredential):
            raise CommandError(f"{model.credential_kind} keeps hashes only: nothing to encrypt.")
        self.stdout.write(f"Encrypted {reencrypt(model)} secrets again.")
