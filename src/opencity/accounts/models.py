"""People: citizens (by phone number, with a unique 12-digit account number) and staff with roles."""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencity.lib.credentials import Credential
from opencity.roles import Role  # defined below accounts and policy (roles.py); used from here


def new_citizen_id() -> str:
    """A 12-digit identifier, unique per person across every service (checked on save).

    Shown to people as their "OpenCity account number" ("Mã tài khoản OpenCity"), never as a
    "citizen ID" / "mã định danh": those words name the national ID number (CCCD), which
    this is not."""
    return "".join(secrets.choice("0123456789") for _ in range(12))


class VerificationLevel(models.IntegerChoices):
    NONE = 0, _("not verified")
    BASIC = 1, _("level 1: details checked")
    ELECTRONIC_ID = 2, _("level 2: national electronic ID")


class VerificationSource(models.TextChoices):
    COUNTER = "counter", _("at a ward office")
    VNEID = "vneid", _("national electronic ID (VNeID)")
    OTHER = "other", _("other")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, phone: str, password: str | None = None, **extra) -> User:
        from opencity.lib.phone import normalize_phone

        user = self.model(phone=normalize_phone(phone), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, phone: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", Role.ADMIN)
        return self.create_user(phone, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    phone = models.CharField(_("phone number"), max_length=16, unique=True)
    citizen_id = models.CharField(_("OpenCity account number"), max_length=12, unique=True, editable=False)
    full_name = models.CharField(_("full name"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CITIZEN)
    home_area = models.ForeignKey(
        "geo.Area",
        verbose_name=_("home ward/commune"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Where the person lives: they receive its warnings. For ward/commune officials "
                    "it is also the ward they work in (set by an administrator)."),
    )
    # The last position the person chose to share ("receive warnings for where I am"), with the
    # ward it lies in (computed on the server). Cleared when they turn sharing off (Law
    # 91/2025/QH15: consent, right to erase). Used for warnings only while recent
    # (OPENCITY_ALERT_LOCATION_MAX_AGE_HOURS).
    last_location_lat = models.FloatField(_("last shared latitude"), null=True, blank=True)
    last_location_lon = models.FloatField(_("last shared longitude"), null=True, blank=True)
    last_location_area = models.ForeignKey(
        "geo.Area",
        verbose_name=_("ward/commune of the last shared location"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # served by the (area, time) index below
    )
    last_location_at = models.DateTimeField(_("location shared at"), null=True, blank=True)
    preferred_language = models.CharField(max_length=5, default="vi", choices=[("vi", "Tiếng Việt"), ("en", "English")])
    email_notifications = models.BooleanField(_("send notifications by e-mail"), default=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        _("admin site access"), default=False, help_text=_("Can log in to the administration site.")
    )
    date_joined = models.DateTimeField(default=timezone.now)
    # Set when the person changes or resets their password (``services.password_change``,
    # ``password_reset``); it also names the account in known-device cookies, so a new password
    # leaves only the browser that set it "known" (``signin.remember_device``).
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    # Identity verification (released to services as the `verified`, `acr`, `verified_at` claims):
    # 0 not verified, 1 the phone and details checked, 2 the national electronic ID (VNeID).
    verification_level = models.PositiveSmallIntegerField(
        _("verification level"), choices=VerificationLevel.choices, default=VerificationLevel.NONE
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verification_source = models.CharField(
        _("verified by"), max_length=20, choices=VerificationSource.choices, blank=True
    )
    # The national ID number (CCCD), encrypted at rest (lib/credentials.encrypt_secret); found by
    # its keyed hash (accounts/identity.national_id_hash), never by the number itself. Released to
    # a service only under the `national_id` scope, with consent, each release audited.
    national_id_encrypted = models.TextField(blank=True, editable=False)
    national_id_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        indexes = [
            # Warning delivery: people whose recent location lies in the target wards.
            models.Index(fields=["last_location_area", "last_location_at"], name="accounts_user_last_loc"),
        ]
        constraints = [
            # One account per national ID number: two accounts linking one number at the same
            # moment (eID checks of both) cannot both commit (accounts/eid_services.eid_link).
            models.UniqueConstraint(fields=["national_id_hash"], condition=~models.Q(national_id_hash=""),
                                    name="accounts_user_national_id_once"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.phone

    def save(self, *args, **kwargs):
        if not self.citizen_id:
            candidate = new_citizen_id()
            while User.objects.filter(citizen_id=candidate).exists():
                candidate = new_citizen_id()
            self.citizen_id = candidate
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[-1] if self.full_name else self.phone

    @property
    def is_staff_role(self) -> bool:
        return self.role != Role.CITIZEN


class PhoneCode(models.Model):
    """A one-time code sent by SMS to prove a phone number. ``purpose`` scopes it (``signup``,
    ``password_reset``, ``password_change``): a code is only accepted for what it was sent for."""

    phone = models.CharField(max_length=16, db_index=True)
    purpose = models.CharField(max_length=20, default="signup")
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)


def api_token_expiry() -> dt.datetime:
    """When a token issued now stops working (``OPENCITY_API_TOKEN_DAYS``)."""
    from django.conf import settings

    return timezone.now() + dt.timedelta(days=settings.OPENCITY_API_TOKEN_DAYS)


class ApiToken(Credential):
    """A revocable token for the mobile app (issued at login, listed in settings): a credential
    (``opencity.lib.credentials``) owned by ``user``.

    It expires (``expires_at``); the app replaces it before then with ``POST
    /api/v1/auth/token/rotate``, which stops it at once (no grace period: the answer carries the
    successor, and a lost answer is recovered with the Idempotency-Key) and points the successor
    at it (``rotated_from``). ``second_factor``: issued after a two-factor code, which staff
    tokens need to be accepted (``accounts.signin.second_factor_required``)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80, default="app")
    expires_at = models.DateTimeField(_("expires"), default=api_token_expiry)
    second_factor = models.BooleanField(default=False)

    credential_kind = "api_token"
    secret_bytes = 32  # 43 URL-safe characters
    rotation_grace = dt.timedelta(0)
    rotation_fields = ("user_id", "name", "second_factor")
    issuable_by_command = False  # issued at sign-in, after the password (and second factor)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def default_expiry(cls, now: dt.datetime) -> dt.datetime:
        from django.conf import settings

        return now + dt.timedelta(days=settings.OPENCITY_API_TOKEN_DAYS)


class ThrottleBlock(models.Model):
    """A key held back by a limit for one window (``accounts.throttle``): written once when the
    limit is crossed, so administrators see who was held back and why, and can lift it."""

    limit = models.CharField(_("limit"), max_length=60)
    key = models.CharField(_("held back"), max_length=200, help_text=_("An account, phone number or client address."))
    cache_key = models.CharField(max_length=120, unique=True, editable=False)
    hits = models.PositiveIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("since"), default=timezone.now, db_index=True)
    blocked_until = models.DateTimeField(_("until"))
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        User, verbose_name=_("lifted by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("limit reached")
        verbose_name_plural = _("limits reached")

    def __str__(self) -> str:
        return f"{self.limit} {self.key}"

    @property
    def in_force(self) -> bool:
        return self.lifted_at is None and self.blocked_until > timezone.now()


# --- The identity provider: city services and the consent ledger (docs/identity.md) ----------


class ConsentChannel(models.TextChoices):
    WEB = "web", _("website")
    APP = "app", _("mobile app")
    HOTLINE = "hotline", _("hotline")


class ServiceClient(models.Model):
    """What OpenCity knows of a relying party beyond the OAuth client (``oauth2_provider``'s
    Application): whether it is a city service (no consent screen), the sector its pairwise
    ``sub`` is computed for, the scopes it may ask for, and the purpose shown to citizens.

    A change of ``purpose`` must raise ``purpose_version``: consents given to an older version
    no longer count and the next sign-in asks again (accounts/consent.py)."""

    application = models.OneToOneField(
        "oauth2_provider.Application", on_delete=models.CASCADE, related_name="service", verbose_name=_("client")
    )
    first_party = models.BooleanField(
        _("city service"), default=False,
        help_text=_("A service run by the city: citizens are not asked for consent."),
    )
    sector = models.CharField(
        _("sector"), max_length=200, blank=True,
        help_text=_("Services of one sector see the same subject (sub). Empty: the host of the first "
                    "redirect URI."),
    )
    allowed_scopes = models.CharField(
        _("allowed scopes"), max_length=200, default="openid profile",
        help_text=_("Space-separated: openid profile phone address verification national_id."),
    )
    purpose = models.TextField(_("purpose"), help_text=_("Why the service needs the data, shown to citizens."))
    purpose_version = models.PositiveIntegerField(_("purpose version"), default=1)
    operator = models.CharField(_("operated by"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("connected service")
        verbose_name_plural = _("connected services")

    def __str__(self) -> str:
        return self.application.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from opencity.accounts.oidc_claims import SCOPE_CLAIMS

        unknown = set(self.allowed_scopes.split()) - set(SCOPE_CLAIMS)
        if unknown:
            raise ValidationError({"allowed_scopes": _("Unknown scopes: %(s)s") % {"s": " ".join(sorted(unknown))}})
        if "openid" not in self.allowed_scopes.split():
            raise ValidationError({"allowed_scopes": _("A service needs the openid scope.")})


class Consent(models.Model):
    """One citizen's consent to one service: what it may receive (``scopes``, ``claims``) and
    what the citizen refused it (``scopes_declined``), for
    which purpose (the text and its version as shown), when, through which channel, and when it
    was withdrawn (null: in force). Written by accounts/consent.py only; never edited after."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents")
    application = models.ForeignKey(
        "oauth2_provider.Application", on_delete=models.CASCADE, related_name="+", verbose_name=_("service")
    )
    scopes = models.CharField(_("scopes"), max_length=200)
    # Asked for and refused: a sign-in asking again for these goes through without them.
    scopes_declined = models.CharField(_("scopes declined"), max_length=200, blank=True)
    claims = models.JSONField(_("claims"), default=list)
    purpose = models.TextField(_("purpose"))
    purpose_version = models.PositiveIntegerField(_("purpose version"))
    channel = models.CharField(_("channel"), max_length=10, choices=ConsentChannel.choices,
                               default=ConsentChannel.WEB)
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["-granted_at", "-pk"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["user", "application", "withdrawn_at"], name="accounts_consent_active")]

    def __str__(self) -> str:
        return f"{self.user} → {self.application} ({self.scopes})"


class ClaimRelease(models.Model):
    """What a service received, each time a token or the userinfo answer was issued: the
    claims' names (never their values), when, and under which consent (null: a city service)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="claim_releases")
    application = models.ForeignKey(
        "oauth2_provider.Application", on_delete=models.CASCADE, related_name="+", verbose_name=_("service")
    )
    consent = models.ForeignKey(Consent, null=True, blank=True, on_delete=models.SET_NULL, related_name="releases")
    via = models.CharField(_("through"), max_length=10)  # id_token | userinfo
    claims = models.JSONField(_("claims"), default=list)
    released_at = models.DateTimeField(_("released at"), default=timezone.now)

    class Meta:
        ordering = ["-released_at", "-pk"]
        verbose_name = _("claims released")
        verbose_name_plural = _("claims released")
        indexes = [models.Index(fields=["user", "application", "released_at"], name="accounts_release_user")]

    def __str__(self) -> str:
        return f"{self.application} {self.via} {self.released_at:%Y-%m-%d %H:%M}"


class BrowserSession(models.Model):
    """A browser signed in to an account, for the list on the security page (sign out one, or
    every other one): written at sign-in (``sessions.browser_session_started``) and at most once
    a minute per session after that (``middleware.BrowserSessionMiddleware``). The session itself
    lives in Django's session store, keyed the same; ending one ends both. No IP address is kept:
    the person recognises a browser by its name and the times."""

    session_key = models.CharField(max_length=40, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="browser_sessions")
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "-last_seen_at"], name="browser_session_user")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.created_at:%Y-%m-%d %H:%M}"
