"""Accounts: phone numbers, sign-up with a one-time SMS code, the unique citizen ID."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.hashers import check_password
from django.db import IntegrityError, transaction
from django.utils import timezone

from opencity.accounts import services
from opencity.accounts.models import PhoneCode, Role, User
from opencity.errors import ConflictError, ValidationError
from opencity.lib.phone import display_phone, normalize_phone
from opencity.notifications.sms import ConsoleBackend

PHONE = "0912 345 678"
E164 = "+84912345678"
PASSWORD = "den-duong-sang-2025"


# --- phone numbers ---------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["0912345678", "0912 345 678", "0912.345.678", "(091) 234-5678",
                                 "+84912345678", "+84 912 345 678", "84912345678"])
def test_a_mobile_number_is_normalised_to_plus_84(raw):
    assert normalize_phone(raw) == E164


def test_a_hue_landline_keeps_its_area_code():
    assert normalize_phone("0234 3812 345") == "+842343812345"
    assert display_phone("+842343812345") == "0234 3812 345"


@pytest.mark.parametrize("raw", ["", "12345", "091234567", "09123456789", "+1 202 555 0100", "0012345678",
                                 "số điện thoại", None])
def test_a_number_that_is_not_vietnamese_is_refused(raw):
    with pytest.raises(ValidationError) as exc:
        normalize_phone(raw)
    assert exc.value.field == "phone"


def test_numbers_are_shown_as_people_write_them():
    assert display_phone(E164) == "0912 345 678"


# --- sign-up ---------------------------------------------------------------------------


@pytest.fixture
def sms():
    ConsoleBackend.outbox.clear()
    yield ConsoleBackend.outbox
    ConsoleBackend.outbox.clear()


@pytest.fixture
def send_code(db, sms, django_capture_on_commit_callbacks):
    """Ask for a code (the SMS leaves after commit) and return it as read from the SMS."""

    def send(phone: str = PHONE) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            services.phone_code_send(phone=phone)
        message = sms[-1]
        assert message.to == normalize_phone(phone)
        return re.search(r"\b(\d{6})\b", message.body).group(1)

    return send


def _signup(code: str, **kwargs) -> User:
    params = {"phone": PHONE, "code": code, "full_name": "Nguyễn Thị Hoa", "password": PASSWORD}
    params.update(kwargs)
    return services.user_signup(**params)


def test_a_citizen_signs_up_with_the_code_sent_by_sms(send_code, sms):
    code = send_code()
    assert len(sms) == 1 and code in sms[0].body
    user = _signup(code, email="hoa@example.vn")
    assert user.phone == E164 and user.role == Role.CITIZEN and user.full_name == "Nguyễn Thị Hoa"
    assert user.check_password(PASSWORD) and user.email == "hoa@example.vn"
    assert re.fullmatch(r"\d{12}", user.citizen_id)
    assert PhoneCode.objects.get(phone=E164).used_at is not None


def test_only_a_hash_of_the_code_is_stored(send_code):
    code = send_code()
    stored = PhoneCode.objects.get(phone=E164)
    assert code not in stored.code_hash and check_password(code, stored.code_hash)


def test_a_wrong_code_is_refused(send_code):
    code = send_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with pytest.raises(ValidationError) as exc:
        _signup(wrong)
    assert exc.value.field == "code" and exc.value.code == "bad_code"
    assert not User.objects.filter(phone=E164).exists()


def test_a_code_works_only_once(send_code):
    code = send_code()
    _signup(code)
    with pytest.raises(ValidationError):
        services.phone_code_verify(phone=PHONE, code=code)


def test_wrong_guesses_are_limited_even_when_the_sign_up_fails(send_code, settings):
    settings.OPENCITY_LIMITS = "code.fail.phone=100/1800"  # the cap of one code, on its own
    code = send_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(settings.OPENCITY_OTP_MAX_ATTEMPTS):
        with pytest.raises(ValidationError):
            _signup(wrong)
    assert PhoneCode.objects.get(phone=E164).attempts == settings.OPENCITY_OTP_MAX_ATTEMPTS
    with pytest.raises(ValidationError) as exc:
        _signup(code)  # the right code, too late
    assert exc.value.code == "bad_code"
    assert not User.objects.filter(phone=E164).exists()


def test_an_expired_code_is_refused(send_code):
    code = send_code()
    PhoneCode.objects.filter(phone=E164).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(ValidationError) as exc:
        _signup(code)
    assert exc.value.code == "bad_code"


def test_a_new_code_is_not_sent_within_a_minute(send_code, sms):
    send_code()
    with pytest.raises(ValidationError) as exc:
        send_code()
    assert exc.value.code == "too_soon" and len(sms) == 1
    PhoneCode.objects.filter(phone=E164).update(created_at=timezone.now() - dt.timedelta(seconds=61))
    send_code()
    assert len(sms) == 2


def test_a_phone_number_with_an_account_cannot_sign_up_again(send_code, citizen, sms):
    with pytest.raises(ConflictError) as exc:
        send_code(citizen.phone)
    assert exc.value.http_status == 409 and exc.value.code == "phone_taken"
    assert sms == []
    code = send_code()
    _signup(code)
    with pytest.raises(ConflictError):
        _signup(code)
    assert User.objects.filter(phone=E164).count() == 1


@pytest.mark.parametrize("password", ["ngan", "12345678901234", "password123", "0912345678"],
                         ids=["too-short", "all-digits", "too-common", "the-phone-number"])
def test_a_weak_password_is_refused_and_the_code_still_works(send_code, password):
    code = send_code()
    with pytest.raises(ValidationError) as exc:
        _signup(code, password=password)
    assert exc.value.field == "password"
    assert PhoneCode.objects.get(phone=E164).attempts == 0
    assert _signup(code).pk


def test_a_name_is_required(send_code):
    code = send_code()
    with pytest.raises(ValidationError) as exc:
        _signup(code, full_name="  ")
    assert exc.value.field == "full_name"


def test_a_malformed_e_mail_is_refused_as_a_form_error(send_code):
    code = send_code()
    with pytest.raises(ValidationError) as exc:
        _signup(code, email="hoa@")
    assert exc.value.field == "email"
    assert not User.objects.filter(phone=E164).exists()


# --- the citizen ID --------------------------------------------------------------------


@pytest.mark.django_db
def test_every_account_gets_its_own_12_digit_citizen_id(citizen, citizen2, operator):
    ids = [u.citizen_id for u in (citizen, citizen2, operator)]
    assert all(re.fullmatch(r"\d{12}", i) for i in ids)
    assert len(set(ids)) == 3


@pytest.mark.django_db
def test_the_database_refuses_a_duplicate_citizen_id(citizen):
    twin = User(phone="+84912000999", citizen_id=citizen.citizen_id)
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


@pytest.mark.django_db
def test_the_citizen_id_does_not_change_on_save(citizen):
    before = citizen.citizen_id
    citizen.full_name = "Tên mới"
    citizen.save()
    citizen.refresh_from_db()
    assert citizen.citizen_id == before
