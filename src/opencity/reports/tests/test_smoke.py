import pytest

from opencity.reports import services
from opencity.reports.models import Status


@pytest.mark.django_db
def test_story(make_report, operator, officer, citizen, urban_works, lighting_rule):
    r = make_report()
    assert r.status == Status.NEW and r.area.name == "Phường Phú Xuân"
    services.report_route(report_id=r.pk, actor=operator)
    services.report_accept(report_id=r.pk, actor=officer)
    services.report_resolve(report_id=r.pk, actor=officer, result="Đã thay bóng đèn")
    services.report_rate(report_id=r.pk, actor=citizen, rating=5)
    r.refresh_from_db()
    assert r.status == Status.CLOSED
    assert [e.action for e in r.events.all()] == ["submit","route","accept","resolve","rate"]
