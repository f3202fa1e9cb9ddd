"""The administration site and its helpers.

- ``OpenCityAdminSite``: django-otp's admin site (a session verified by a second factor), whose
  every list answers a filter it cannot run (``?created_at__gte=0001-01-01``, a NUL byte) with
  Django's own "invalid filter" redirect instead of a 500.
- ``AuditedModelAdmin``: every change made in the admin also goes to the audit log.
"""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db import DatabaseError, router, transaction
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
