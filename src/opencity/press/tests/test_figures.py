"""The figures and the digital report's press section."""

import datetime as dt

from django.utils import timezone

from opencity.lib.worktime import TZ
from opencity.press import selectors, services


def test_figures_count_items_by_topic_ward_and_day_and_the_share_reported(operator, stored_item, lighting,
                                                                          lighting_rule):
    services.item_to_report(actor=operator, item_id=stored_item.pk, category_id=lighting.pk)
    today = timezone.localtime(timezone.now(), TZ).date()
    f = selectors.figures(start=today - dt.timedelta(days=6), end=today + dt.timedelta(days=1))
    assert (f.items, f.reported, f.report_share) == (1, 1, 1.0)
    assert f.by_topic == [("Chiếu sáng", 1, 1)]
    assert f.by_area == [("Phường Thuận Hóa", 1, 1)]
    assert sum(n for _d, n in f.by_day) == 1 and len(f.by_day) == 7
    assert f.by_day_topic["Chiếu sáng"][-1] == 1
    assert f.by_day_area["Phường Thuận Hóa"][-1] == 1


def test_time_to_response_is_the_median_hours(operator, stored_item):
    services.item_answer(actor=operator, item_id=stored_item.pk, answer="Đã xử lý.")
    services.item_respond(actor=operator, item_id=stored_item.pk)
    today = timezone.localtime(timezone.now(), TZ).date()
    f = selectors.figures(start=today, end=today + dt.timedelta(days=1))
    assert f.responded == 1 and f.median_response_hours is not None and f.median_response_hours >= 0


def test_the_city_digital_report_has_a_press_table(stored_item):
    from opencity.ioc.digital.content import build

    month = timezone.localtime(timezone.now(), TZ).date().replace(day=1)
    content = build(level="city", area=None, unit=None, month=month, language="vi")
    press = [t for t in content.tables if t.key == "press"]
    assert press and press[0].rows[-1][1] == 1
    assert len(press[0].rows[0]) == len(press[0].columns)


def test_a_month_without_press_items_adds_no_press_table(db):
    from opencity.ioc.digital.content import build

    month = timezone.localtime(timezone.now(), TZ).date().replace(day=1)
    content = build(level="city", area=None, unit=None, month=month, language="vi")
    assert [t.key for t in content.tables if t.key == "press"] == []
