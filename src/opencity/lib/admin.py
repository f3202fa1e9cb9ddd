"""The administration site and its helpers.

- ``OpenCityAdminSite``: django-otp's admin site (a session verified by a second factor), whose
  every list answers a filter it cannot run (``?created_at__gte=0001-01-01``, a NUL byte) with
  Django's own "invalid filter" redirect instead of a 500.
- ``AuditedModelAdmin``: every change made in the admin also goes to the audit log.
- ``CredentialAdmin``: a credential kind (issue, rotate, revoke; the secret shown once).
"""

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.db import DatabaseError, router, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.admin import OTPAdminSite

from opencity.lib.audit import audit


class SafeChangeListMixin:
    """Django's admin hands the list's query-string filters to the ORM as they are and runs the
    query while building the list; a value the database or the time-zone conversion refuses
    (a year-1 date overflows when made naive; PostgreSQL refuses a NUL byte) escapes as a 500.
    Those are the user's bad input: the admin's own answer to bad input is
    ``IncorrectLookupParameters`` (a redirect to ``?e=1``, "invalid filter")."""

    def get_changelist_instance(self, request):
        try:
            # A savepoint: a refused query must not leave the request's transaction broken.
            with transaction.atomic(using=router.db_for_read(self.model)):
                return super().get_changelist_instance(request)
        except (OverflowError, ValueError, DatabaseError) as exc:
            raise IncorrectLookupParameters(exc) from exc


class OpenCityAdminSite(OTPAdminSite):
    site_header = "OpenCity — Quản trị"
    site_title = "OpenCity"

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, SafeChangeListMixin):
            admin_class = type(admin_class.__name__, (SafeChangeListMixin, admin_class),
                               {"__module__": admin_class.__module__})
        return super().register(model_or_iterable, admin_class, **options)


class AuditedModelAdmin(admin.ModelAdmin):
    def log_addition(self, request, obj, message):
        audit(request.user, "admin.add", obj, summary=str(obj)[:300])
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        audit(request.user, "admin.change", obj, summary=str(obj)[:300], data={"message": str(message)[:500]})
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            audit(request.user, "admin.delete", obj, summary=str(obj)[:300])
        return super().log_deletions(request, queryset)


class CredentialAdmin(AuditedModelAdmin):
    """A credential kind in the admin (``opencity.lib.credentials``): the add form issues one,
    the actions rotate and revoke; the secret appears once, in the message after the issue or
    rotation, and never again (only its hash and prefix are kept, or its ciphertext).
    Credentials are not deleted (their history stays): revoke them."""

    credential_fields = [
        "prefix", "state_display", "created_at", "created_by", "last_used_at", "revoked_at",
        "revoked_by", "rotated_from",
    ]
    actions = ["rotate_selected", "revoke_selected"]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *self.credential_fields]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("state"))
    def state_display(self, obj) -> str:
        from opencity.lib.credentials import STATE_LABELS

        return str(STATE_LABELS[obj.state()]) if obj.pk else "—"

    def show_once(self, request, obj, raw: str) -> None:
        messages.warning(
            request,
            _("The new key %(name)s is %(key)s — copy it now: it is not stored in plain and will "
              "not be shown again.") % {"name": str(obj), "key": raw},
        )

    def save_model(self, request, obj, form, change):
        from opencity.lib.credentials import credential_issue

        if change:
            return super().save_model(request, obj, form, change)
        fields = {name: value for name, value in form.cleaned_data.items() if name != "expires_at"}
        issued, raw = credential_issue(
            type(obj), actor=request.user, expires_at=form.cleaned_data.get("expires_at", True),
            ip=request.META.get("REMOTE_ADDR"), **fields,
        )
        for field in obj._meta.concrete_fields:
            setattr(obj, field.attname, getattr(issued, field.attname))
        obj._state = issued._state
        self.show_once(request, obj, raw)

    @admin.action(description=gettext_lazy("Rotate: issue a new key (the old one works for a grace period)"))
    def rotate_selected(self, request, queryset):
        from opencity.errors import DomainError
        from opencity.lib.credentials import credential_rotate

        for obj in queryset:
            try:
                new, raw = credential_rotate(obj, actor=request.user, ip=request.META.get("REMOTE_ADDR"))
            except DomainError as exc:
                messages.error(request, f"{obj}: {exc.message}")
                continue
            self.show_once(request, new, raw)
            messages.info(request, _("%(old)s keeps working until %(until)s.") % {
                "old": str(obj), "until": formats.localize(timezone.localtime(obj.revoked_at))})

    @admin.action(description=gettext_lazy("Revoke: the selected keys stop working now"))
    def revoke_selected(self, request, queryset):
        from opencity.lib.credentials import credential_revoke

        done = sum(credential_revoke(obj, actor=request.user, ip=request.META.get("REMOTE_ADDR"))
                   for obj in queryset)
        messages.success(request, _("%(n)d revoked.") % {"n": done})
