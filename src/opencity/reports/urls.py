from django.urls import path

from . import staff_views, views

app_name = "reports"
urlpatterns = [
    path("reports/", views.report_list, name="list"),
    path("reports/map/", views.report_map, name="map"),
    path("reports/lookup/", views.report_lookup, name="lookup"),
    path("reports/new/", views.report_new, name="new"),
    path("reports/new/questions/", views.category_questions, name="questions"),
    path("reports/nearby/", views.nearby, name="nearby"),
    path("reports/photo-location/", views.photo_location, name="photo_location"),
    path("reports/photos/stage/", views.photo_stage, name="photo_stage"),
    path("reports/photos/staged/<int:pk>/", views.staged_thumb, name="staged_thumb"),
    path("reports/photos/staged/<int:pk>/remove/", views.photo_unstage, name="photo_unstage"),
    path("reports/address/", views.address_lookup, name="address_lookup"),
    path("reports/points.geojson", views.points_geojson, name="points"),
    path("reports/areas.geojson", views.areas_geojson, name="areas"),
    path("reports/mine/", views.my_reports, name="mine"),
    path("reports/<int:pk>/", views.report_detail, name="detail"),
    path("reports/<int:pk>/<slug:action>/", views.citizen_action, name="citizen_action"),
    path("photos/<int:pk>/<slug:variant>.jpg", views.photo_file, name="photo"),
    path("ioc/triage/", staff_views.triage, name="triage"),
    path("unit/inbox/", staff_views.inbox, name="inbox"),
    path("staff/reports/<int:pk>/", staff_views.staff_detail, name="staff_detail"),
    path("staff/reports/<int:pk>/<slug:action>/", staff_views.staff_action, name="staff_action"),
]
