"""``manage.py demo_warning`` issues one flood warning in force, once."""

from django.core.management import call_command

from opencity.alerts.models import Alert
from opencity.alerts.selectors import alerts_for_home


def test_the_demo_warning_is_in_force_once(db):
    call_command("demo_warning")
    call_command("demo_warning")
    assert Alert.objects.count() == 1
    home = alerts_for_home(user=None)
    assert home["count"] == 1 and home["mine"] == [] and len(home["others"]) == 1
    assert {a.name for a in home["others"][0].latest.areas.all()} >= {"Phường Phú Xuân", "Xã Phú Vang"}


def test_the_first_screen_splits_warnings_by_home_and_recent_location(db, settings):
    import datetime as dt

    from django.utils import timezone

    from opencity.accounts.models import User
    from opencity.geo.models import Area

    call_command("demo_warning")
    kim_long = Area.objects.get(name="Phường Kim Long")
    person = User.objects.create_user("0905000777", "x-matkhau-2025", home_area=kim_long)
    assert alerts_for_home(user=person)["mine"] == []  # the warning names other wards
    person.last_location_area = Area.objects.get(name="Phường Vỹ Dạ")
    person.last_location_at = timezone.now() - dt.timedelta(hours=1)
    assert len(alerts_for_home(user=person)["mine"]) == 1  # where they are now
    person.last_location_at = timezone.now() - dt.timedelta(hours=settings.OPENCITY_ALERT_LOCATION_MAX_AGE_HOURS + 1)
    home = alerts_for_home(user=person)
    assert home["mine"] == [] and len(home["others"]) == 1  # an old location no longer counts
