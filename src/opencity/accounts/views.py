"""Sign-up, log-in (with TOTP for staff who enabled it), log-out, security settings, profile."""

from __future__ import annotations

import base64
import io
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from opencity import policy
from opencity.errors import (
    DomainError,
    RateLimitedError,
    ValidationError,
    form_error,
    set_retry_after,
)
from opencity.lib.audit import audit
from opencity.lib.phone import normalize_phone

from . import services, sessions, signin, throttle
from .forms import (
    HomeAreaForm,
    LoginForm,
    OtpForm,
    PasswordChangeForm,
    PasswordResetForm,
    ProfileForm,
    SignupForm,
    SignupPhoneForm,
)
from .models import ApiToken, User
from .oidc import allow_form_redirect, relying_party_origin

logger = logging.getLogger(__name__)

# The code page: whose password was right, since when (it must follow within minutes), and
# where to go after.
OTP_PENDING_USER = "otp_pending_user"
OTP_PENDING_AT = "otp_pending_at"
OTP_NEXT = "otp_next"
OTP_PENDING_SECONDS = 10 * 60


def _next_url(request: HttpRequest) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return "/"


def _limited(response: HttpResponse, exc: RateLimitedError | None) -> HttpResponse:
    """A form page answering a refused attempt: 429 and when to come back."""
    return set_retry_after(response, exc) if exc is not None else response


@dataclass
class CodeSent:
    """What a page shows after (re)sending a code: a notice, or the refusal above the form (the
    form is not bound, so the error cannot go under a field) with its status and limit."""

    notice: str = ""
    error: str = ""
    status: int = 200
    limited: RateLimitedError | None = None


def _send_code(send: Callable[[], object]) -> CodeSent:
    """Send a code ("send the code again" on sign-up, password reset and password change)."""
    try:
        send()
    except DomainError as exc:
        return CodeSent(error=exc.message, status=exc.http_status,
                        limited=exc if isinstance(exc, RateLimitedError) else None)
    return CodeSent(notice=_("We sent a new code."))


def _code_wait(request: HttpRequest, phone: str, purpose: str, limited: RateLimitedError | None = None) -> int:
    """The "send the code again" countdown: the resend gap and the limits' Retry-After."""
    try:
        wait = services.phone_code_wait(phone=phone, purpose=purpose, client=throttle.client_key(request))
    except DomainError:
        wait = 0
    return max(wait, limited.retry_after if limited else 0)


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """Phone and password (limited: ``signin.password_sign_in``). Accounts with an authenticator
    app go on to the code page before they are signed in; staff without one are signed in and
    sent to enrol (``middleware.SecondFactorMiddleware``)."""
    form = LoginForm(request.POST or None)
    limited = None
    if request.method == "POST" and form.is_valid():
        try:
            phone = normalize_phone(form.cleaned_data["phone"])
            user = signin.password_sign_in(request, phone=phone, password=form.cleaned_data["password"])
        except RateLimitedError as exc:
            form.add_error(None, exc.message)
            limited = exc
        except DomainError as exc:
            form.add_error("phone", exc.message)
        else:
            if user is None:
                form.add_error(None, _("Wrong phone number or password."))
            elif signin.has_device(user):
                request.session[OTP_PENDING_USER] = user.pk
                request.session[OTP_PENDING_AT] = time.time()
                request.session[OTP_NEXT] = _next_url(request)
                return redirect("accounts:login_otp")
            else:
                login(request, user)
                if policy.is_staff(user):
                    audit(user, "login", user)
                return signin.remember_device(request, redirect(_next_url(request)), user)
    status = (limited.http_status if limited else 400) if request.method == "POST" else 200
    response = render(request, "accounts/login.html", {"form": form, "next": _next_url(request)}, status=status)
    return _limited(allow_form_redirect(response, relying_party_origin(_next_url(request))), limited)


def _second_step_user(request: HttpRequest) -> tuple[User | None, bool]:
    """Whose code the code page asks for, and whether they are still to be signed in: the
    account whose password was just right (for a few minutes), or a signed-in person whose
    session has not passed the second factor yet."""
    user_id = request.session.get(OTP_PENDING_USER)
    started = request.session.get(OTP_PENDING_AT) or 0
    if user_id and time.time() - started < OTP_PENDING_SECONDS:
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is not None:
            return user, True
    if request.user.is_authenticated and not signin.is_verified(request.user) and signin.has_device(request.user):
        return request.user, False
    return None, False


@require_http_methods(["GET", "POST"])
def login_otp_view(request: HttpRequest) -> HttpResponse:
    user, pending = _second_step_user(request)
    if user is None:
        for key in (OTP_PENDING_USER, OTP_PENDING_AT, OTP_NEXT):
            request.session.pop(key, None)
        return redirect("accounts:login")
    if request.method == "GET" and request.GET.get("next"):
        request.session[OTP_NEXT] = _next_url(request)
    form = OtpForm(request.POST or None)
    limited = None
    if request.method == "POST" and form.is_valid():
        try:
            device = signin.totp_check(user, form.cleaned_data["token"])
        except RateLimitedError as exc:
            form.add_error("token", exc.message)
            limited = exc
        else:
            if device is None:
                form.add_error("token", _("That code is not right. Try the current one."))
            else:
                nxt = request.session.pop(OTP_NEXT, None) or "/"
                request.session.pop(OTP_PENDING_USER, None)
                request.session.pop(OTP_PENDING_AT, None)
                if pending:
                    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                otp_login(request, device)
                audit(user, "login_2fa", user)
                return signin.remember_device(request, redirect(nxt), user)
    status = (limited.http_status if limited else 400) if request.method == "POST" else 200
    response = render(request, "accounts/login_otp.html", {"form": form}, status=status)
    return _limited(allow_form_redirect(response, relying_party_origin(request.session.get(OTP_NEXT, ""))), limited)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("home")


@require_http_methods(["GET", "POST"])
def signup_view(request: HttpRequest) -> HttpResponse:
    """Two steps on one page: the phone number (we send a code), then code, name, password."""
    step = request.POST.get("step", "phone")
    phone_form = SignupPhoneForm(request.POST if step == "phone" else None)
    form = None
    status = 200
    limited = None
    notice = code_error = ""
    if request.method == "POST" and step == "phone" and phone_form.is_valid():
        try:
            phone = normalize_phone(phone_form.cleaned_data["phone"])
            services.phone_code_send(phone=phone, client=throttle.client_key(request))
        except DomainError as exc:
            phone_form.add_error("phone", exc.message)
            status = exc.http_status
            limited = exc if isinstance(exc, RateLimitedError) else None
        else:
            form = SignupForm(initial={"phone": phone})
    elif request.method == "POST" and step == "resend":
        # "Send the code again": the details typed so far stay (not the password).
        form = SignupForm(initial={k: request.POST.get(k, "") for k in ("phone", "full_name", "email")})
        sent = _send_code(lambda: services.phone_code_send(phone=request.POST.get("phone", ""),
                                                           client=throttle.client_key(request)))
        notice, code_error, status, limited = sent.notice, sent.error, sent.status, sent.limited
    elif request.method == "POST" and step == "details":
        form = SignupForm(request.POST)
        if form.is_valid():
            try:
                user = services.user_signup(**form.cleaned_data)
            except DomainError as exc:
                form_error(form, exc)
                status = exc.http_status
                limited = exc if isinstance(exc, RateLimitedError) else None
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Welcome! Your OpenCity account number is %(id)s.")
                                 % {"id": user.citizen_id})
                return signin.remember_device(request, redirect(_next_url(request)), user)
        else:
            status = 400
    elif request.method == "POST":
        status = 400
    wait = _code_wait(request, form["phone"].value() or "", services.PURPOSE_SIGNUP, limited) if form else 0
    response = render(request, "accounts/signup.html",
                      {"phone_form": phone_form, "form": form, "next": _next_url(request), "wait": wait,
                       "notice": notice, "code_error": code_error}, status=status)
    return _limited(response, limited)


def _sign_in_after_reset(request: HttpRequest, user: User) -> HttpResponse:
    """A new password is as good as a right one, and no more: an account with an authenticator
    app goes on to the code page (the reset does not skip the second factor); staff without
    one are sent to enrol (``middleware``), as after a password sign-in."""
    nxt = _next_url(request)
    if signin.has_device(user):
        request.session[OTP_PENDING_USER] = user.pk
        request.session[OTP_PENDING_AT] = time.time()
        request.session[OTP_NEXT] = nxt
        messages.success(request, _("Your new password is set. Enter the code from your authenticator app "
                                    "to finish signing in."))
        return redirect("accounts:login_otp")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if policy.is_staff(user):
        audit(user, "login", user)
    messages.success(request, _("Your new password is set and you are signed in. Your other devices "
                                "were signed out."))
    return signin.remember_device(request, redirect(nxt), user)


@require_http_methods(["GET", "POST"])
def password_reset_view(request: HttpRequest) -> HttpResponse:
    """Forgotten password, two steps on one page like the sign-up: the phone number (we send a
    code), then the code and a new password. The pages answer the same whether the number has
    an account or not (``services.phone_code_send``, ``services.password_reset``)."""
    step = request.POST.get("step", "phone")
    phone_form = SignupPhoneForm(request.POST if step == "phone" else None)
    form = None
    status = 200
    limited = None
    notice = code_error = ""
    client = throttle.client_key(request)
    if request.method == "POST" and step == "phone":
        if phone_form.is_valid():
            try:
                phone = normalize_phone(phone_form.cleaned_data["phone"])
                services.phone_code_send(phone=phone, purpose=services.PURPOSE_PASSWORD_RESET, client=client)
            except DomainError as exc:
                phone_form.add_error("phone", exc.message)
                status = exc.http_status
                limited = exc if isinstance(exc, RateLimitedError) else None
            else:
                form = PasswordResetForm(initial={"phone": phone})
        else:
            status = 400
    elif request.method == "POST" and step == "resend":
        form = PasswordResetForm(initial={"phone": request.POST.get("phone", "")})
        sent = _send_code(lambda: services.phone_code_send(phone=request.POST.get("phone", ""),
                                                           purpose=services.PURPOSE_PASSWORD_RESET, client=client))
        notice, code_error, status, limited = sent.notice, sent.error, sent.status, sent.limited
    elif request.method == "POST" and step == "reset":
        form = PasswordResetForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = services.password_reset(phone=data["phone"], code=data["code"], password=data["password"],
                                               client=client)
            except DomainError as exc:
                form_error(form, exc)
                status = exc.http_status
                limited = exc if isinstance(exc, RateLimitedError) else None
            else:
                return _sign_in_after_reset(request, user)
        else:
            status = 400
    elif request.method == "POST":
        status = 400
    wait = _code_wait(request, form["phone"].value() or "", services.PURPOSE_PASSWORD_RESET, limited) if form else 0
    context = {"phone_form": phone_form, "form": form, "next": _next_url(request), "wait": wait, "notice": notice,
               "code_error": code_error}
    return _limited(render(request, "accounts/password_reset.html", context, status=status), limited)


def _password_change_action(request: HttpRequest, action: str):
    """The security page's password actions: send the code, change the password.
    Returns (redirect or None, the form to show, status, the refusal of a limit, an error about
    sending the code)."""
    user = request.user
    client = throttle.client_key(request)
    if action == "password_code":
        sent = _send_code(lambda: services.password_change_code_send(user=user, client=client))
        return None, PasswordChangeForm(), sent.status, sent.limited, sent.error
    form = PasswordChangeForm(request.POST)
    if not form.is_valid():
        return None, form, 400, None, ""
    data = form.cleaned_data
    try:
        services.password_change(user=user, current_password=data["current_password"], code=data["code"],
                                 password=data["password"], keep_session_key=request.session.session_key,
                                 client=client)
    except DomainError as exc:
        form_error(form, exc)
        return None, form, exc.http_status, exc if isinstance(exc, RateLimitedError) else None, ""
    old_key = request.session.session_key
    update_session_auth_hash(request, user)  # this session stays (with a new key); every other one has ended
    sessions.browser_session_moved(old_key=old_key, new_key=request.session.session_key)
    messages.success(request, _("Your password was changed. Your other devices were signed out."))
    response = signin.remember_device(request, redirect(reverse("accounts:security") + "#password"), user)
    return response, None, 200, None, ""


def _qr_data_uri(url: str) -> str:
    import qrcode
    import qrcode.image.svg

    img = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buf = io.BytesIO()
    img.save(buf)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode()


@login_required
@require_http_methods(["GET", "POST"])
def security_view(request: HttpRequest) -> HttpResponse:
    """Two-factor sign-in (TOTP): add an authenticator app and confirm it with a code, or turn
    it off with a current code. Staff are sent here at their first sign-in to enrol
    (``middleware.SecondFactorMiddleware``) and cannot turn it off while it is required."""
    user = request.user
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    action = request.POST.get("action")
    form = OtpForm(request.POST if action in ("confirm", "disable") else None)
    nxt = _next_url(request)
    status = 200
    limited = None
    password_form = None
    code_error = ""
    if request.method == "POST" and action in ("password_code", "password_change"):
        response, password_form, status, limited, code_error = _password_change_action(request, action)
        if response is not None:
            return response
    elif request.method == "POST":
        try:
            if action == "start" and not confirmed:
                services.totp_device_start(user=user)
                return redirect(f"{reverse('accounts:security')}?{urlencode({'next': nxt})}")
            elif action == "confirm" and pending and form.is_valid():
                device = services.totp_device_confirm(user=user, token=form.cleaned_data["token"])
                otp_login(request, device)  # the code just given is this session's second factor
                messages.success(request, _("Two-factor sign-in is on."))
                return redirect(nxt if nxt != "/" else "accounts:security")
            elif action == "disable" and confirmed:
                services.totp_disable(user=user, token=request.POST.get("token", ""))
                messages.success(request, _("Two-factor sign-in is off."))
                return redirect("accounts:security")
            elif action in ("confirm", "disable"):
                status = 400
        except DomainError as exc:
            form.add_error("token", exc.message)
            status = exc.http_status
            limited = exc if isinstance(exc, RateLimitedError) else None
    required = signin.second_factor_required(user) or (signin.has_staff_access(user) and nxt.startswith("/admin/"))
    context = {
        "confirmed": confirmed,
        "pending": pending,
        "qr": _qr_data_uri(pending.config_url) if pending else "",
        "secret": base64.b32encode(pending.bin_key).decode() if pending else "",
        "form": form,
        "required": required,
        "next": nxt,
        "tokens": user.api_tokens.filter(ApiToken.usable_q()),
        "browser_sessions": _browser_sessions(request),
        "password_form": password_form,
        "code_error": code_error,
        "wait": _code_wait(request, user.phone, services.PURPOSE_PASSWORD_CHANGE, limited) if password_form else 0,
    }
    return _limited(render(request, "accounts/security.html", context, status=status), limited)


_push_logged = False


def _push_key() -> str:
    """The web-push public key, or "" when push is off. Citizens then read "not available yet";
    the technical reason goes to the administrators' log, once per process."""
    global _push_logged
    key = settings.OPENCITY_VAPID_PUBLIC_KEY
    if not key and not _push_logged:
        _push_logged = True
        logger.warning("web push is off: OPENCITY_VAPID_PUBLIC_KEY/OPENCITY_VAPID_PRIVATE_KEY are not set "
                       "(manage.py vapid_keys); citizens are told notifications are not available yet")
    return key


def _profile_forms(user, action: str | None = None, data=None) -> tuple[ProfileForm, HomeAreaForm]:
    details = ProfileForm(data if action == "profile" else None, initial={
        "full_name": user.full_name, "email": user.email, "preferred_language": user.preferred_language})
    home = HomeAreaForm(data if action == "home_area" else None, initial={"home_area": user.home_area_id},
                        can_change_home_area=policy.can_change_home_area(user))
    return details, home


def _profile_action(request: HttpRequest, user, action: str, details: ProfileForm, home: HomeAreaForm):
    """Run one POSTed action; returns the redirect on success, None when a form is invalid."""
    if action == "profile":
        if not details.is_valid():
            return None
        user = services.profile_update(user=user, **details.cleaned_data)
        messages.success(request, _("Your profile was saved."))
        response = redirect("accounts:profile")
        # The pages follow the chosen language too, as with the language switch.
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.preferred_language, samesite="Lax",
                            secure=request.is_secure())
        return response
    if action == "home_area":
        if not home.is_valid():
            return None
        area = home.cleaned_data["home_area"]
        user = services.profile_update(user=user, home_area_id=area.pk if area else None)
        messages.success(request, _("Your home ward is now %(ward)s.") % {"ward": user.home_area.name}
                         if user.home_area else _("Your home ward was removed."))
        return redirect("accounts:profile")
    if action == "home_from_point":
        user = services.home_area_from_point(user=user, lat=request.POST.get("lat"), lon=request.POST.get("lon"))
        messages.success(request, _("Your home ward is now %(ward)s.") % {"ward": user.home_area.name})
        return redirect("accounts:profile")
    if action == "share_location":
        user = services.location_share(user=user, lat=request.POST.get("lat"), lon=request.POST.get("lon"))
        messages.success(request, _("Location shared: you receive the warnings for %(ward)s.")
                         % {"ward": user.last_location_area.name})
        return redirect("accounts:profile")
    if action == "clear_location":
        services.location_clear(user=user)
        messages.success(request, _("Your shared location was erased."))
        return redirect("accounts:profile")
    raise ValidationError(_("Unknown action."), field="action")


@login_required
@require_http_methods(["GET", "POST"])
def profile_view(request: HttpRequest) -> HttpResponse:
    """One's own profile: name, e-mail, language, home ward, and the location shared for
    warnings. Each POST names its ``action``; errors come back on the page with a 4xx."""
    user = request.user
    action = request.POST.get("action", "") if request.method == "POST" else None
    details, home = _profile_forms(user, action, request.POST if action else None)
    status = 200
    location_error = home_error = ""
    if action is not None:
        try:
            response = _profile_action(request, user, action, details, home)
        except DomainError as exc:
            status = exc.http_status
            form = {"profile": details, "home_area": home}.get(action)
            if form is not None:
                form_error(form, exc)
            elif action == "home_from_point":
                home_error = exc.message
            else:
                location_error = exc.message
        else:
            if response is not None:
                return response
            status = 400
        user.refresh_from_db()
    until = user.last_location_at + services.location_max_age() if user.last_location_at else None
    context = {
        "form": details,
        "home_form": home,
        "profile_user": user,
        "location_error": location_error,
        "home_error": home_error,
        "location_recent": services.location_is_recent(user),
        "location_max_age_hours": int(services.location_max_age().total_seconds() // 3600),
        "location_until": until,
        "can_change_home_area": policy.can_change_home_area(user),
        "vapid_public_key": _push_key(),
    }
    return render(request, "accounts/profile.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def connected_services_view(request: HttpRequest) -> HttpResponse:
    """The services one signed in to with OpenCity (the consent ledger, accounts/consent.py):
    what each received and when; POST ``consent`` withdraws that consent."""
    from .consent import consent_list, consent_withdraw
    from .oidc_claims import ALL_CLAIMS, CLAIM_LABELS, scopes_claims

    if request.method == "POST":
        try:
            consent_id = int(request.POST.get("consent", ""))
        except ValueError:
            raise ValidationError(_("Choose a consent to withdraw."), field="consent") from None
        consent = consent_withdraw(user=request.user, consent_id=consent_id)
        messages.success(request, _("Consent withdrawn: %(name)s is signed out and receives nothing more.")
                         % {"name": consent.application.name})
        return redirect("accounts:connected_services")
    entries = consent_list(request.user)
    def labels(claims) -> list[str]:
        return [str(CLAIM_LABELS[c]) for c in ALL_CLAIMS if c in set(claims)]

    for entry in entries:
        entry.consent_labels = labels(entry.consent.claims) if entry.consent else []
        entry.declined_labels = labels(scopes_claims(entry.consent.scopes_declined.split())) if entry.consent else []
        entry.received_labels = labels(entry.received)
    return render(request, "accounts/connected_services.html", {"services": entries})


# --- sessions: the browsers signed in (accounts/sessions.py, docs/security.md#sessions) -------


@dataclass
class _BrowserRow:
    id: int
    device: str
    created_at: object
    active: str
    current: bool


def _browser_sessions(request: HttpRequest) -> list[_BrowserRow]:
    current = request.session.session_key
    rows = [_BrowserRow(id=s.pk, device=sessions.describe_user_agent(s.user_agent), created_at=s.created_at,
                        active=sessions.active_words(s.last_seen_at), current=s.session_key == current)
            for s in sessions.browser_session_list(user=request.user)]
    return sorted(rows, key=lambda r: not r.current)  # this browser first


@login_required
@require_POST
def session_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign out one of the person's other browsers (404 for anyone else's)."""
    sessions.browser_session_end(user=request.user, session_id=pk, current_key=request.session.session_key)
    messages.success(request, _("That browser was signed out."))
    return redirect(reverse("accounts:security") + "#sessions")


@login_required
@require_POST
def sessions_end_others_view(request: HttpRequest) -> HttpResponse:
    """Sign out everywhere else: every other browser, and every app (API token)."""
    ended, revoked = sessions.browser_sessions_end_others(user=request.user, current_key=request.session.session_key)
    messages.success(request, _("Signed out everywhere else: %(sessions)d browsers and %(tokens)d apps.")
                     % {"sessions": ended, "tokens": revoked})
    return redirect(reverse("accounts:security") + "#sessions")
