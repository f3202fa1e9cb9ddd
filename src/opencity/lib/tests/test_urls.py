"""Absolute links (lib/urls.py): the request's host and port when there is a request, else
``OPENCITY_SITE_URL`` — never a hard-wired 127.0.0.1:8000 (issue #14, operators 5)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from opencity.lib.urls import absolute, site_url


def test_a_request_on_another_port_gives_its_own_host_and_port(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    request = RequestFactory().get("/", HTTP_HOST="127.0.0.1:8102")
    assert absolute("/warnings/3/", request) == "http://127.0.0.1:8102/warnings/3/"
    assert site_url(request) == "http://127.0.0.1:8102"


def test_a_secure_request_keeps_https(settings):
    request = RequestFactory().get("/", HTTP_HOST="localhost", secure=True)
    assert absolute("/open-data/", request) == "https://localhost/open-data/"


def test_without_a_request_the_setting_is_used(settings):
    settings.SITE_URL = "https://opencity.hue.gov.vn/"
    assert absolute("/reports/5/") == "https://opencity.hue.gov.vn/reports/5/"
    assert absolute("reports/5/") == "https://opencity.hue.gov.vn/reports/5/"
    assert site_url() == "https://opencity.hue.gov.vn"


def test_an_absolute_url_is_left_alone():
    assert absolute("https://example.org/x") == "https://example.org/x"


@pytest.mark.django_db
def test_the_cap_document_links_to_the_host_that_serves_it(client, settings, operator):
    from opencity.alerts import services
    from opencity.alerts.tests.factories import content
    from opencity.geo.models import Area

    settings.SITE_URL = "http://127.0.0.1:8000"
    area = Area.objects.get(name="Phường Thuận An")
    message = services.alert_publish(actor=operator, **content(area_ids=[area.pk]))
    response = client.get(reverse("alerts:cap", args=[message.pk]), HTTP_HOST="127.0.0.1:8102")
    assert response.status_code == 200
    body = response.content.decode()
    assert f"<web>http://127.0.0.1:8102/warnings/{message.alert_id}/</web>" in body
    assert ":8000" not in body


@pytest.mark.django_db
def test_the_warning_feed_ids_use_the_host_that_serves_it(client, settings, operator):
    from opencity.alerts import services
    from opencity.alerts.tests.factories import content
    from opencity.geo.models import Area

    settings.SITE_URL = "http://127.0.0.1:8000"
    area = Area.objects.get(name="Phường Thuận An")
    services.alert_publish(actor=operator, **content(area_ids=[area.pk]))
    body = client.get(reverse("alerts:feed"), HTTP_HOST="127.0.0.1:8102").content.decode()
    assert "http://127.0.0.1:8102/alerts/" in body and ":8000" not in body


@pytest.mark.django_db
def test_open311_discovery_names_the_host_that_serves_it(client, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    body = client.get("/open311/v2/discovery.json", HTTP_HOST="127.0.0.1:8102").json()
    assert "http://127.0.0.1:8102" in body["contact"] and "http://127.0.0.1:8102" in body["key_service"]
    assert body["endpoints"][0]["url"] == "http://127.0.0.1:8102/open311/v2"
    assert ":8000" not in str(body)


@pytest.mark.django_db
def test_an_e_mail_links_to_the_configured_site(settings, citizen):
    from opencity.notifications.models import Notification
    from opencity.notifications.services import notifications_email

    settings.SITE_URL = "https://opencity.hue.gov.vn"
    citizen.email = "dan@example.vn"
    citizen.save()
    n = Notification.objects.create(user=citizen, verb="test", title="Tiêu đề", body="Nội dung", url="/reports/7/")
    assert notifications_email(ids=[n.pk]) == 1
    assert "https://opencity.hue.gov.vn/reports/7/" in mail.outbox[-1].body
