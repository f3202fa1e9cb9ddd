from django.urls import path
from django.views.decorators.http import require_GET

from . import views
from .feeds import WarningFeed

app_name = "alerts"
urlpatterns = [
    path("warnings/", views.warning_list, name="list"),
    path("warnings/archive/", views.warning_archive, name="archive"),
    path("warnings/new/", views.compose, name="compose"),
    path("warnings/areas.geojson", views.areas_in_force, name="areas"),
    path("warnings/push/subscribe/", views.push_subscribe, name="push_subscribe"),
    path("warnings/push/unsubscribe/", views.push_unsubscribe, name="push_unsubscribe"),
    path("warnings/<int:pk>/", views.warning_detail, name="detail"),
    path("warnings/<int:pk>/areas.geojson", views.warning_areas, name="warning_areas"),
    path("warnings/<int:pk>/update/", views.update, name="update"),
    path("warnings/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("warnings/<int:pk>/staff/", views.staff, name="staff"),
    path("alerts/feed.atom", require_GET(WarningFeed()), name="feed"),
    path("alerts/<int:pk>.cap", views.cap_document, name="cap"),
]
