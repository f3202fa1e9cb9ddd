"""Phone numbers as Vietnamese people write them (issue #14, citizens 8): ``0905 123 456`` on
every page that shows one to its owner or to staff; E.164 (``+84…``) stays in storage and in
machine formats (API, CSV)."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import Client

from opencity.lib.phone import display_phone


@pytest.mark.parametrize(("value", "shown"), [
    ("+84905123456", "0905 123 456"),
    ("+842343812345", "0234 3812 345"),  # a landline with its area code
    ("0905123456", "0905 123 456"),  # typed, not yet normalised
    ("84905123456", "0905 123 456"),
    ("", ""),
    (None, ""),
    ("112", "112"),  # not a subscriber number: shown as it is, never an error
    ("Nguyễn Văn An", "Nguyễn Văn An"),
])
def test_display_phone(value, shown):
    assert display_phone(value) == shown


def test_the_template_filter():
    html = Template("{% load phones %}{{ p|phone }}").render(Context({"p": "+84905123456"}))
    assert html == "0905 123 456"


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["/accounts/profile/", "/accounts/security/"])
def test_a_citizens_own_pages_show_the_phone_as_people_write_it(citizen, page):
    client = Client()
    client.force_login(citizen)
    html = client.get(page).content.decode()
    assert "0905 000 001" in html and "+84905000001" not in html


@pytest.mark.django_db
def test_the_account_number_is_not_called_a_national_id(citizen):
    client = Client()
    client.force_login(citizen)
    html = client.get("/accounts/profile/").content.decode()
    assert "Mã tài khoản OpenCity" in html and "định danh" not in html.lower()


@pytest.mark.django_db
def test_the_api_keeps_e164(citizen):
    client = Client()
    client.force_login(citizen)
    assert client.get("/api/v1/auth/me").json()["phone"] == "+84905000001"


@pytest.mark.django_db
def test_the_admin_shows_numbers_as_people_write_them_and_finds_them_so(admin_user, citizen):
    client = Client()
    client.force_login(admin_user)
    page = client.get("/admin/accounts/user/", {"q": "0905 000 001"})
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("0905 000 001") >= 2 and citizen.full_name in html  # the search box and the row
