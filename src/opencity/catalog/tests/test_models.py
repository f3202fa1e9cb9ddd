"""A service is refused unless it can be opened: an internal module by a page that exists, an
external one by an https address; its icon must be in the icon package."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from opencity.catalog.models import Service, ServiceKind

pytestmark = pytest.mark.django_db


def _errors(service: Service) -> dict:
    with pytest.raises(ValidationError) as caught:
        service.full_clean()
    return caught.value.message_dict


def test_an_internal_service_with_an_unknown_url_name_is_refused(group):
    errors = _errors(Service(code="x", name="X", group=group, kind=ServiceKind.INTERNAL, url_name="reports:nope"))
    assert list(errors) == ["url_name"]


def test_an_internal_service_needing_arguments_is_refused(group):
    # reports:detail needs a report id: it cannot be a tile
    assert "url_name" in _errors(Service(code="x", name="X", group=group, url_name="reports:detail"))


def test_an_internal_service_needs_a_url_name_and_no_address(group):
    assert "url_name" in _errors(Service(code="x", name="X", group=group))
    errors = _errors(Service(code="x", name="X", group=group, url_name="reports:new", url="https://a.example/"))
    assert list(errors) == ["url"]


def test_an_external_service_over_plain_http_is_refused(group):
    errors = _errors(Service(code="x", name="X", group=group, kind=ServiceKind.EXTERNAL,
                             url="http://dichvucong.hue.example/"))
    assert list(errors) == ["url"]


def test_an_external_service_needs_its_address(group):
    assert list(_errors(Service(code="x", name="X", group=group, kind=ServiceKind.EXTERNAL))) == ["url"]


def test_an_unknown_icon_is_refused(group):
    errors = _errors(Service(code="x", name="X", group=group, url_name="reports:new", icon="no-such-icon"))
    assert list(errors) == ["icon"]


def test_a_valid_external_service_with_a_client_is_accepted(group):
    service = Service(code="dich-vu-cong", name="Dịch vụ công trực tuyến", group=group, kind=ServiceKind.EXTERNAL,
                      url="https://dichvucong.hue.example/", client_id="dichvucong-hue", icon="landmark")
    service.full_clean()
    service.save()
    assert service.target == "https://dichvucong.hue.example/"
    assert service.search_text == "dich vu cong truc tuyen"


def test_only_an_external_service_signs_in_with_a_client(group):
    errors = _errors(Service(code="x", name="X", group=group, url_name="reports:new", client_id="abc"))
    assert list(errors) == ["client_id"]


def test_an_internal_service_opens_our_page(sos):
    assert sos.target == "/sos/"
