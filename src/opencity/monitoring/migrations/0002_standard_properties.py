from django.db import migrations

# The observed properties every city measures, with their units and physically possible ranges
# (generous: only impossible values are refused, a river at 400 m). The admin adds more.
PROPERTIES = [
    ("water_level", "Mực nước", "Water level", "m", -10, 60, 2, False),
    ("rainfall", "Lượng mưa", "Rainfall", "mm", 0, 500, 1, True),
    ("reservoir_level", "Mực nước hồ", "Reservoir level", "m", 0, 500, 2, False),
    ("inflow", "Lưu lượng đến hồ", "Inflow", "m³/s", 0, 50000, 0, False),
    ("discharge", "Lưu lượng xả", "Discharge", "m³/s", 0, 50000, 0, False),
    ("pm25", "Bụi PM2.5", "PM2.5", "µg/m³", 0, 1000, 1, False),
    ("pm10", "Bụi PM10", "PM10", "µg/m³", 0, 2000, 1, False),
    ("aqi", "Chỉ số chất lượng không khí (VN_AQI)", "Air quality index (VN_AQI)", "AQI", 0, 500, 0, False),
    ("temperature", "Nhiệt độ", "Temperature", "°C", -20, 60, 1, False),
    ("salinity", "Độ mặn", "Salinity", "‰", 0, 45, 2, False),
    ("dissolved_oxygen", "Oxy hoà tan", "Dissolved oxygen", "mg/L", 0, 30, 2, False),
]


def load(apps, schema_editor):
    model = apps.get_model("monitoring", "ObservedProperty")
    for code, name, name_en, unit, low, high, decimals, cumulative in PROPERTIES:
        model.objects.get_or_create(code=code, defaults={
            "name": name, "name_en": name_en, "unit": unit, "min_value": low, "max_value": high,
            "decimals": decimals, "cumulative": cumulative})


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
