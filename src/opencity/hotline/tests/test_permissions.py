"""Who may use the hotline console and who may read its counts (opencity.policy, "Hotline")."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from opencity import policy
from opencity.errors import NotFoundError, PermissionDeniedError
from opencity.hotline.permissions import access_call

pytestmark = pytest.mark.django_db

CONSOLE = {"hotline", "operator", "admin_user"}
COUNTS = CONSOLE | {"leader"}
EVERYONE = ["citizen", "officer", "unit_head", "ward_official", "leader", "hotline", "operator", "admin_user"]


@pytest.mark.parametrize("who", EVERYONE)
def test_the_console_and_the_counts_by_role(request, who):
    user = request.getfixturevalue(who)
    assert policy.can_use_hotline(user) is (who in CONSOLE)
    assert policy.can_view_hotline_counts(user) is (who in COUNTS)
    assert policy.navigation(user)["hotline"] is (who in CONSOLE)


def test_visitors_and_inactive_staff_have_nothing(hotline):
    assert not policy.can_use_hotline(AnonymousUser()) and not policy.can_view_hotline_counts(None)
    hotline.is_active = False
    assert not policy.can_use_hotline(hotline)


def test_access_call_refuses_before_it_looks(citizen, hotline, log_call):
    call = log_call()
    with pytest.raises(PermissionDeniedError):
        access_call(citizen, call.pk)
    with pytest.raises(PermissionDeniedError):
        access_call(citizen, 999999)  # the same answer: existence is not revealed
    assert access_call(hotline, call.pk) == call
    with pytest.raises(NotFoundError):
        access_call(hotline, "abc")
