"""The press pages: happy path, wrong method and wrong person for every endpoint."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from opencity.press.models import ItemStatus, PressItem

from .conftest import SAMPLES

ACTIONS = ["dismiss", "answer", "report", "respond", "reopen"]


@pytest.fixture
def as_operator(client, operator):
    client.force_login(operator)
    return client


def test_the_operator_sees_the_queue_highest_score_first(as_operator, stored_item):
    response = as_operator.get(reverse("press:items"))
    assert response.status_code == 200
    assert stored_item.title or stored_item.text[:30] in response.content.decode()
    assert 'data-testid="press-list"' in response.content.decode()


def test_the_queue_filters_by_topic_ward_and_words(as_operator, stored_item, topics):
    ok = as_operator.get(reverse("press:items"), {"topic": topics["light"].pk, "area": stored_item.area_id,
                                                  "q": "Lê Văn Hưu"})
    assert f'data-item="{stored_item.pk}"' in ok.content.decode()
    none = as_operator.get(reverse("press:items"), {"topic": topics["flood"].pk})
    assert f'data-item="{stored_item.pk}"' not in none.content.decode()


def test_a_leader_reads_the_queue_and_the_item_without_actions(client, leader, stored_item):
    client.force_login(leader)
    assert client.get(reverse("press:items")).status_code == 200
    page = client.get(reverse("press:item", args=[stored_item.pk]))
    assert page.status_code == 200 and 'data-testid="item-actions"' not in page.content.decode()


@pytest.mark.parametrize("who", ["citizen", "officer", "hotline"])
def test_others_may_not_open_the_press_pages(client, request, who, stored_item):
    client.force_login(request.getfixturevalue(who))
    for url in (reverse("press:items"), reverse("press:item", args=[stored_item.pk]), reverse("press:figures"),
                reverse("press:import")):
        assert client.get(url).status_code == 403


def test_a_visitor_is_sent_to_sign_in(client, stored_item):
    response = client.get(reverse("press:items"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_item_page_shows_the_link_and_the_actions(as_operator, stored_item):
    page = as_operator.get(reverse("press:item", args=[stored_item.pk])).content.decode()
    assert stored_item.url in page and 'data-testid="report-form"' in page and 'data-testid="dismiss-form"' in page


def test_an_unknown_item_is_404(as_operator):
    assert as_operator.get(reverse("press:item", args=[999999])).status_code == 404


@pytest.mark.parametrize("action", ACTIONS)
def test_the_actions_refuse_get(as_operator, stored_item, action):
    assert as_operator.get(reverse(f"press:{action}", args=[stored_item.pk])).status_code == 405


@pytest.mark.parametrize("action", ACTIONS)
def test_a_leader_may_not_act(client, leader, stored_item, action):
    client.force_login(leader)
    response = client.post(reverse(f"press:{action}", args=[stored_item.pk]), {"answer": "x", "category": "1"})
    assert response.status_code == 403
    stored_item.refresh_from_db()
    assert stored_item.status == ItemStatus.NEW


def test_dismiss_and_reopen(as_operator, stored_item):
    response = as_operator.post(reverse("press:dismiss", args=[stored_item.pk]),
                                {"version": stored_item.version, "note": "Không liên quan"})
    assert response.status_code == 302
    stored_item.refresh_from_db()
    assert stored_item.status == ItemStatus.DISMISSED
    as_operator.post(reverse("press:reopen", args=[stored_item.pk]), {"version": stored_item.version})
    stored_item.refresh_from_db()
    assert stored_item.status == ItemStatus.NEW


def test_answer_then_publish_the_response(as_operator, stored_item, client):
    as_operator.post(reverse("press:answer", args=[stored_item.pk]), {"answer": "Đã sửa xong ngày 05/12."})
    as_operator.post(reverse("press:respond", args=[stored_item.pk]), {"text": ""})
    stored_item.refresh_from_db()
    assert stored_item.response_text == "Đã sửa xong ngày 05/12."
    client.logout()
    public = client.get(reverse("press_public:responses")).content.decode()
    assert "Đã sửa xong ngày 05/12." in public and stored_item.url in public


def test_report_from_the_page(as_operator, stored_item, lighting, lighting_rule):
    response = as_operator.post(reverse("press:report", args=[stored_item.pk]),
                                {"category": lighting.pk, "client_token": "t-1"})
    assert response.status_code == 302
    stored_item.refresh_from_db()
    assert stored_item.report.channel == "press"


def test_report_without_a_category_says_so(as_operator, stored_item):
    response = as_operator.post(reverse("press:report", args=[stored_item.pk]), {"category": ""})
    assert response.status_code in (302, 400)
    stored_item.refresh_from_db()
    assert stored_item.status == ItemStatus.NEW


def test_the_figures_page(as_operator, stored_item, client, leader):
    page = as_operator.get(reverse("press:figures"), {"days": "30"})
    assert page.status_code == 200 and 'data-testid="press-kpis"' in page.content.decode()
    client.force_login(leader)
    assert client.get(reverse("press:figures")).status_code == 200


def test_the_import_page_imports_a_file_and_lists_bad_rows(as_operator, import_source, topics):
    content = (SAMPLES / "social-export.csv").read_bytes() + b"z,Ngap,https://x.vn/9,31/02/2026 10:00,1\n"
    response = as_operator.post(reverse("press:import"), {
        "source": import_source.pk, "file": SimpleUploadedFile("export.csv", content, "text/csv")})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="import-errors"' in body and "31/02/2026" in body
    assert PressItem.objects.count() == 3


def test_the_import_page_refuses_a_wrong_header(as_operator, import_source):
    response = as_operator.post(reverse("press:import"), {
        "source": import_source.pk, "file": SimpleUploadedFile("export.csv", b"a,b\n1,2\n", "text/csv")})
    assert response.status_code in (302, 400)
    assert PressItem.objects.count() == 0


def test_a_leader_may_not_import(client, leader, import_source):
    client.force_login(leader)
    assert client.get(reverse("press:import")).status_code == 403


def test_the_import_page_refuses_put(as_operator):
    assert as_operator.put(reverse("press:import")).status_code == 405


def test_the_public_responses_page_is_open_and_refuses_post(client, db):
    assert client.get(reverse("press_public:responses")).status_code == 200
    assert client.post(reverse("press_public:responses")).status_code == 405


def _console_count(page: str, testid: str) -> tuple[int, str]:
    m = re.search(rf'<a href="([^"]+)" data-testid="{testid}" data-count="(\d+)"', page)
    return int(m.group(2)), m.group(1).replace("&amp;", "&")


def test_the_console_counts_the_waiting_items_and_each_number_equals_its_queue(as_operator, operator, stored_item,
                                                                               import_source, settings):
    from opencity.press.parse import Entry
    from opencity.press.services import entries_store, item_dismiss

    entries_store(source=import_source, entries=[
        Entry(url="https://social.example.vn/p/2", author="a", reach=10, text="Quán cà phê mới mở, rất đẹp."),
        Entry(url="https://social.example.vn/p/3", author="b", reach=10, text="Trời Huế hôm nay nắng nhẹ."),
    ])
    settings.OPENCITY_PRESS_FEED_SCORE = stored_item.score
    page = as_operator.get(reverse("ioc:console")).content.decode()
    assert 'href="/press/figures/"' in page
    new, new_link = _console_count(page, "press-new")
    high, high_link = _console_count(page, "press-high")
    assert (new, high) == (3, 1)
    for count, link in ((new, new_link), (high, high_link)):
        listed = as_operator.get(link).content.decode()
        assert listed.count('data-item="') == count
    item_dismiss(actor=operator, item_id=stored_item.pk)
    page = as_operator.get(reverse("ioc:console")).content.decode()
    assert (_console_count(page, "press-new")[0], _console_count(page, "press-high")[0]) == (2, 0)


def test_the_console_shows_no_press_panel_to_a_unit_officer(client, officer):
    client.force_login(officer)
    page = client.get(reverse("ioc:console"))
    assert 'data-testid="press-new"' not in page.content.decode()


def test_the_navigation_offers_the_press_desk_to_operators_only(as_operator, client, citizen):
    assert 'data-testid="nav-press"' in as_operator.get(reverse("press:items")).content.decode()
