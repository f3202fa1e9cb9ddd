"""The monitoring pages (``/monitoring/…``, staff) and the public pages of readings
(``/water-levels/``, ``/air-quality/``; mounted in ``opencity/urls.py``)."""

from django.urls import path

from . import views

app_name = "monitoring"
urlpatterns = [
    path("events/", views.event_list, name="events"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    path("events/<int:pk>/acknowledge/", views.event_acknowledge, name="acknowledge"),
    path("events/<int:pk>/resolve/", views.event_resolve, name="resolve"),
    path("events/<int:pk>/warning/", views.event_warning, name="warning"),
    path("events/<int:pk>/report/", views.event_report, name="report"),
    path("events/<int:pk>/incident/", views.event_incident, name="incident"),
    path("stations/", views.station_map, name="stations"),
    path("stations.json", views.stations_json, name="stations_json"),
    path("stations/<slug:code>/", views.station_detail, name="station"),
]

public_urlpatterns = [
    path("water-levels/", views.water_levels, name="water_levels"),
    path("air-quality/", views.air_quality, name="air_quality"),
]
