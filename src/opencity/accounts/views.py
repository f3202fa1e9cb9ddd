"""Sign-up, log-in (with TOTP for staff who enabled it), log-out, security settings, profile."""

from __future__ import annotations

import base64
import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from opencity import policy
from opencity.errors import DomainError, ValidationError
from opencity.lib.audit import audit
from opencity.lib.phone import normalize_phone

from . import services
from .forms import HomeAreaForm, LoginForm, OtpForm, ProfileForm, SignupForm, SignupPhoneForm
from .models import User


def _next_url(request: HttpRequest) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return "/"


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            phone = normalize_phone(form.cleaned_data["phone"])
        except DomainError as exc:
            form.add_error("phone", exc.message)
        else:
            user = authenticate(request, phone=phone, password=form.cleaned_data["password"])
            if user is None:
                form.add_error(None, _("Wrong phone number or password."))
            elif TOTPDevice.objects.filter(user=user, confirmed=True).exists():
                request.session["otp_pending_user"] = user.pk
                request.session["otp_next"] = _next_url(request)
                return redirect("accounts:login_otp")
            else:
                login(request, user)
                if user.role != "citizen":
                    audit(user, "login", user)
                return redirect(_next_url(request))
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request)}, status=status)


@require_http_methods(["GET", "POST"])
def login_otp_view(request: HttpRequest) -> HttpResponse:
    user_id = request.session.get("otp_pending_user")
    if not user_id:
        return redirect("accounts:login")
    user = User.objects.get(pk=user_id)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].strip()
        device = next((d for d in TOTPDevice.objects.filter(user=user, confirmed=True) if d.verify_token(token)), None)
        if device is None:
            form.add_error("token", _("That code is not right. Try the current one."))
        else:
            nxt = request.session.pop("otp_next", "/")
            request.session.pop("otp_pending_user", None)
            user.backend = "django.contrib.auth.backends.ModelBackend"
            login(request, user)
            otp_login(request, device)
            audit(user, "login_2fa", user)
            return redirect(nxt)
    return render(request, "accounts/login_otp.html", {"form": form}, status=400 if request.method == "POST" else 200)


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
    if request.method == "POST" and step == "phone" and phone_form.is_valid():
        try:
            phone = normalize_phone(phone_form.cleaned_data["phone"])
            services.phone_code_send(phone=phone)
        except DomainError as exc:
            phone_form.add_error("phone", exc.message)
            status = exc.http_status
        else:
            form = SignupForm(initial={"phone": phone})
    elif request.method == "POST" and step == "details":
        form = SignupForm(request.POST)
        if form.is_valid():
            try:
                user = services.user_signup(**form.cleaned_data)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = exc.http_status
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Welcome! Your citizen ID is %(id)s.") % {"id": user.citizen_id})
                return redirect(_next_url(request))
        else:
            status = 400
    elif request.method == "POST":
        status = 400
    return render(request, "accounts/signup.html",
                  {"phone_form": phone_form, "form": form, "next": _next_url(request)}, status=status)


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
    """Two-factor sign-in (TOTP) for staff: add an authenticator app, confirm, or remove."""
    user = request.user
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    form = OtpForm(request.POST or None)
    action = request.POST.get("action")
    if request.method == "POST":
        if action == "start" and not confirmed:
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            pending = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
        elif action == "confirm" and pending and form.is_valid():
            if pending.verify_token(form.cleaned_data["token"].strip()):
                pending.confirmed = True
                pending.save()
                audit(user, "2fa_enabled", user)
                messages.success(request, _("Two-factor sign-in is on."))
                return redirect("accounts:security")
            form.add_error("token", _("That code is not right. Try the current one."))
        elif action == "disable" and confirmed:
            TOTPDevice.objects.filter(user=user).delete()
            audit(user, "2fa_disabled", user)
            messages.success(request, _("Two-factor sign-in is off."))
            return redirect("accounts:security")
    context = {
        "confirmed": confirmed,
        "pending": pending,
        "qr": _qr_data_uri(pending.config_url) if pending else "",
        "secret": base64.b32encode(pending.bin_key).decode() if pending else "",
        "form": form,
        "tokens": user.api_tokens.filter(revoked_at__isnull=True),
    }
    return render(request, "accounts/security.html", context)


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
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
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
        "vapid_public_key": settings.OPENCITY_VAPID_PUBLIC_KEY,
    }
    return render(request, "accounts/profile.html", context, status=status)
