"""The observed properties every city measures, with their units and physical ranges (migration
0002 loaded the first eleven; ``ensure_properties`` adds any added here since; the admin may add
more). Ranges are generous — what a real sensor can report,
not what is normal — so that only impossible values are refused (a river at 400 m)."""

from __future__ import annotations

# code, Vietnamese name, English name, unit, lowest, highest, decimals, amounts add up
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


def ensure_properties(model) -> int:
    """Create the standard properties that are missing (``model``: the migration's or the real
    ObservedProperty); returns how many were created."""
    created = 0
    for code, name, name_en, unit, low, high, decimals, cumulative in PROPERTIES:
        _obj, made = model.objects.get_or_create(code=code, defaults={
            "name": name, "name_en": name_en, "unit": unit, "min_value": low, "max_value": high,
            "decimals": decimals, "cumulative": cumulative})
        created += made
    return created
