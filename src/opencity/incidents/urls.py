"""The incidents app's pages: ``/incidents/…`` (command support, staff) and ``/shelters/`` (the
public open-shelters page). Each part keeps its own list (``urls_*.py``)."""

from django.urls import path

from . import urls_board, urls_shelters, urls_sitreps, views

app_name = "incidents"
urlpatterns = [
    path("incidents/", views.incident_list, name="list"),
    path("incidents/new/", views.incident_new, name="new"),
    path("incidents/<int:pk>/", views.incident_detail, name="detail"),
    path("incidents/<int:pk>/map.geojson", views.incident_map_data, name="map_data"),
    path("incidents/<int:pk>/action/", views.incident_action, name="action"),
    path("incidents/<int:pk>/links/", views.link_add, name="link_add"),
    path("incidents/<int:pk>/links/<int:link_id>/", views.link_decide, name="link_decide"),
    path("incidents/<int:pk>/roster/", views.roster_add, name="roster_add"),
    path("incidents/<int:pk>/roster/<int:entry_id>/remove/", views.roster_remove, name="roster_remove"),
    path("incidents/<int:pk>/periods/", views.period_add, name="period_add"),
    *urls_board.urlpatterns,
    *urls_shelters.urlpatterns,
    *urls_sitreps.urlpatterns,
]
