"""The Atom index of CAP messages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from opencity.alerts import services

from .factories import content

pytestmark = pytest.mark.django_db
ATOM = {"a": "http://www.w3.org/2005/Atom"}


def test_the_feed_lists_every_public_message_with_links_to_cap_and_page(client, publish, operator):
    first = publish(headline_vi="Cảnh báo lũ")
    update = services.alert_update(actor=operator, alert_id=first.alert_id,
                                   **content(headline_vi="Lũ lên nhanh", whole_city=True),
                                   sent=timezone.now() + dt.timedelta(seconds=5))
    publish(status="Exercise", headline_vi="Diễn tập")
    response = client.get(reverse("alerts:feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = etree.fromstring(response.content)
    entries = feed.findall("a:entry", ATOM)
    assert [e.findtext("a:title", namespaces=ATOM) for e in entries] == ["[Update] Lũ lên nhanh", "Cảnh báo lũ"]
    newest = entries[0]
    alternate = newest.find("a:link[@rel='alternate']", ATOM).get("href")
    related = newest.find("a:link[@rel='related']", ATOM)
    assert alternate == f"http://testserver/alerts/{update.pk}.cap"
    assert related.get("href") == f"http://testserver/warnings/{first.alert_id}/" and related.get("type") == "text/html"
    assert newest.findtext("a:updated", namespaces=ATOM) == timezone.localtime(update.sent).isoformat()
    assert newest.find("a:author/a:name", ATOM).text == update.sender_name
    # Each entry's CAP link works.
    assert client.get(alternate.replace("http://testserver", "")).status_code == 200


def test_the_feed_is_read_only(client):
    assert client.get(reverse("alerts:feed")).status_code == 200
    assert client.post(reverse("alerts:feed")).status_code == 405


def test_a_warning_with_characters_xml_cannot_carry_still_gives_a_well_formed_feed(client, publish):
    # Text pasted from elsewhere may hold control characters; Django's feed writer refused them (a 500).
    publish(headline_vi="Lũ\x0bsông\x1fHương\ufffe", description_vi="Mực nước\x0c dâng")
    response = client.get(reverse("alerts:feed"))
    assert response.status_code == 200
    feed = etree.fromstring(response.content)
    [entry] = feed.findall("a:entry", ATOM)
    assert entry.findtext("a:title", namespaces=ATOM) == "LũsôngHương"
    assert entry.findtext("a:summary", namespaces=ATOM) == "Mực nước dâng"
