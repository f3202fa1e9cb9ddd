from opencity.emergency import workflow
from opencity.emergency.demo import demo_load_rescue
from opencity.emergency.models import RescueRequest, RescueTeam


def test_the_demo_is_legal_deterministic_and_idempotent(db, operator):
    assert demo_load_rescue() == {"teams": 3, "requests": 15}
    assert demo_load_rescue() == {"teams": 3, "requests": 0}
    assert RescueTeam.objects.count() == 3 and RescueRequest.objects.count() == 15
    member = RescueTeam.objects.get(name="Đội cứu hộ Phú Vang").members.get()
    assert member.phone.endswith("901000009") and member.check_password("hue-demo-2025")
    for req in RescueRequest.objects.all():
        status = ""
        for event in req.events.all():
            t = workflow.TRANSITIONS[event.action]
            assert status in t.sources and event.from_status == status
            status = event.to_status
        assert status == req.status and not req.is_open
    assert RescueRequest.objects.filter(status="rescued").count() >= 10
