"""Load the configured city (Thành phố Huế by default) and its wards/communes.

Every installation needs its areas before anything else works, so they come with the
schema (and survive test flushes through serialized rollback).
"""

from django.conf import settings
from django.db import migrations


def load(apps, schema_editor):
    from opencity.geo.services import areas_load_city

    areas_load_city(province_code=int(settings.OPENCITY_CITY_CODE), area_model=apps.get_model("geo", "Area"))


class Migration(migrations.Migration):
    dependencies = [("geo", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
