from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.utils.translation import gettext_lazy as _

from opencity.errors import DomainError
from opencity.lib.admin import AuditedModelAdmin, CredentialAdmin
from opencity.lib.models import AuditLog
from opencity.lib.phone import display_phone, normalize_phone
from opencity.orgs.models import Membership

from . import throttle
from .models import ApiToken, ClaimRelease, Consent, ServiceClient, ThrottleBlock, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["unit"]


class PasswordSetForm(AdminPasswordChangeForm):
    """The admin's "change password" form, through the same service as a person's own change:
    Django's form only stores the hash, which left the account's API tokens, other browsers'
    known-device entries and ``password_changed_at`` as they were."""

    def save(self, commit=True):
        from .services import password_set_by_admin

        usable = self.cleaned_data.get("set_usable_password", True)
        password_set_by_admin(user=self.user, password=self.cleaned_data["password1"] if usable else None)
        return self.user


@admin.register(User)
class UserAdmin(AuditedModelAdmin, BaseUserAdmin):
    change_password_form = PasswordSetForm
    ordering = ["phone"]
    list_display = ["phone_shown", "full_name", "citizen_id", "role", "home_area", "is_active", "is_staff"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["phone", "full_name", "citizen_id", "email"]
    readonly_fields = ["citizen_id", "date_joined", "last_login", "password_changed_at",
                       "verification_level", "verification_source", "verified_at"]
    autocomplete_fields = ["home_area", "last_location_area"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("phone", "password", "citizen_id")}),
        (_("Person"), {"fields": ("full_name", "email", "preferred_language", "email_notifications")}),
        (_("Role"), {"fields": ("role", "home_area", "is_active", "is_staff", "is_superuser", "groups")}),
        (_("Location shared for warnings"), {
            "classes": ("collapse",),
            "fields": ("last_location_area", "last_location_lat", "last_location_lon", "last_location_at"),
        }),
        (_("Identity verification"), {"fields": ("verification_level", "verification_source", "verified_at")}),
        (_("Dates"), {"fields": ("last_login", "date_joined", "password_changed_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("phone", "full_name", "role", "password1", "password2")}),)

    @admin.display(description=_("Phone number"), ordering="phone")
    def phone_shown(self, obj) -> str:
        return display_phone(obj.phone)

    def get_search_results(self, request, queryset, search_term):
        """A number typed as people write it (0905 123 456) finds the stored +84… one."""
        results, distinct = super().get_search_results(request, queryset, search_term)
        try:
            phone = normalize_phone(search_term)
        except DomainError:
            return results, distinct
        return results | queryset.filter(phone=phone), distinct


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "target_type", "target_id", "summary"]
    list_filter = ["action", "target_type"]
    search_fields = ["summary", "target_id", "actor__phone", "actor__full_name"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ThrottleBlock)
class ThrottleBlockAdmin(admin.ModelAdmin):
    """Who is held back by a limit (accounts/throttle.py), and the action that lets them go."""

    list_display = ["created_at", "limit", "key", "hits", "blocked_until", "in_force_display", "lifted_by"]
    list_filter = ["limit"]
    search_fields = ["key", "limit"]
    date_hierarchy = "created_at"
    readonly_fields = ["limit", "key", "hits", "created_at", "blocked_until", "lifted_at", "lifted_by"]
    exclude = ["cache_key"]
    actions = ["lift_blocks"]

    @admin.display(boolean=True, description=_("in force"))
    def in_force_display(self, obj):
        return obj.in_force

    @admin.action(description=_("Lift the selected limits now"))
    def lift_blocks(self, request, queryset):
        lifted = 0
        for block in queryset.filter(lifted_at__isnull=True):
            throttle.lift(block, by=request.user)
            lifted += 1
        self.message_user(request, _("%(count)d limit(s) lifted.") % {"count": lifted})

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(CredentialAdmin):
    """The mobile app's tokens (a credential kind): issued and rotated by the app itself
    (``POST /api/v1/auth/token``, after the password and, for staff, the second factor), so
    here they can only be looked at and revoked."""

    list_display = ["user", "name", "prefix", "state_display", "second_factor", "created_at",
                    "expires_at", "last_used_at"]
    list_select_related = ["user"]
    search_fields = ["prefix", "name", "user__phone", "user__full_name"]
    fields = ["user", "name", "second_factor", "expires_at", *CredentialAdmin.credential_fields]
    readonly_fields = ["user", "name", "second_factor", "expires_at"]
    actions = ["revoke_selected"]

    def has_add_permission(self, request):
        return False


# --- The identity provider's clients and its consent ledger (docs/identity.md) ---------------


def _application_admin():
    from oauth2_provider.admin import ApplicationAdmin
    from oauth2_provider.models import Application

    class ServiceClientInline(admin.StackedInline):
        model = ServiceClient
        can_delete = False
        min_num = 1
        max_num = 1

    class CityApplicationAdmin(AuditedModelAdmin, ApplicationAdmin):
        """A relying party: the library's client (exact redirect URIs, confidential or public,
        RS256) with what OpenCity adds: city service or not, sector, scopes, purpose."""

        inlines = [ServiceClientInline]
        list_display = ["name", "client_id", "client_type", "first_party", "created"]

        @admin.display(description=_("city service"), boolean=True)
        def first_party(self, obj) -> bool:
            service = getattr(obj, "service", None)
            return bool(service and service.first_party)

    if admin.site.is_registered(Application):
        admin.site.unregister(Application)
    admin.site.register(Application, CityApplicationAdmin)


_application_admin()


class ReadOnlyLedgerAdmin(admin.ModelAdmin):
    """The ledger is written by accounts/consent.py only: the admin reads it."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Consent)
class ConsentAdmin(ReadOnlyLedgerAdmin):
    list_display = ["granted_at", "user", "application", "scopes", "purpose_version", "channel", "withdrawn_at"]
    list_filter = ["channel", "application"]
    search_fields = ["user__phone", "user__citizen_id", "application__name"]
    date_hierarchy = "granted_at"


@admin.register(ClaimRelease)
class ClaimReleaseAdmin(ReadOnlyLedgerAdmin):
    list_display = ["released_at", "user", "application", "via", "claims"]
    list_filter = ["via", "application"]
    search_fields = ["user__phone", "user__citizen_id", "application__name"]
    date_hierarchy = "released_at"
