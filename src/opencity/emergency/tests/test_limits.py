"""emergency/limits.py and the SOS form's bound on people: what a rescue request counts against,
and what a person is offered instead of a refusal."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.utils import translation

from opencity.emergency import limits
from opencity.emergency.forms import SosForm
from opencity.errors import RateLimitedError

pytestmark = pytest.mark.django_db


def _request(user, address="203.0.113.5"):
    request = RequestFactory().post("/sos/", REMOTE_ADDR=address)
    request.user = user
    return request


def test_the_numbers_to_call_are_dialable_and_the_hotline_is_a_setting(settings):
    settings.OPENCITY_HOTLINE_NUMBER = "1900 1075"
    numbers = limits.call_numbers()
    assert [n["dial"] for n in numbers] == ["112", "114", "115", "19001075"]
    assert numbers[-1]["number"] == "1900 1075"
    with translation.override("vi"):
        assert [str(n["label"]) for n in limits.call_numbers()][2] == "Cấp cứu"


def test_the_fourth_request_in_an_hour_is_refused_and_says_to_call(citizen):
    for _ in range(3):
        limits.count_sos(_request(citizen))
    with translation.override("en"), pytest.raises(RateLimitedError) as caught:
        limits.count_sos(_request(citizen))
    assert caught.value.limit == "sos.submit.account" and caught.value.retry_after <= 3600
    assert "call one of the numbers" in caught.value.message


def test_checking_counts_nothing(citizen):
    for _ in range(10):
        limits.check_sos(_request(citizen))
    limits.count_sos(_request(citizen))


def test_a_used_token_is_a_replay(file_sos):
    req = file_sos()
    assert (
        limits.replays(req.client_token)
        and not limits.replays("never-used-1")
        and not limits.replays("")
    )


def test_a_persons_own_request_names_at_most_50_people(settings):
    data = {"needs": ["trapped"], "client_token": "abcdefgh12"}
    assert SosForm({**data, "people": "50"}).is_valid()
    with translation.override("en"):
        form = SosForm({**data, "people": "51"})
        assert not form.is_valid()
        assert (
            "at most 50 people" in form.errors["people"][0]
            and "1900 1075" in form.errors["people"][0]
        )
    settings.OPENCITY_SOS_MAX_PEOPLE = 20
    assert not SosForm({**data, "people": "21"}).is_valid()


def test_an_operator_files_for_a_large_group_up_to_500():
    data = {
        "needs": ["evacuation"],
        "client_token": "abcdefgh12",
        "caller_name": "Trưởng thôn",
        "caller_phone": "0905123456",
    }
    assert SosForm({**data, "people": "500"}, for_caller=True).is_valid()
    assert not SosForm({**data, "people": "501"}, for_caller=True).is_valid()
