"""Open311 GeoReport v2, mounted at ``/open311/v2/``. The format is a suffix on every path."""

from django.urls import re_path

from . import views

app_name = "open311"

FMT = r"\.(?P<fmt>[A-Za-z0-9]+)"

urlpatterns = [
    re_path(rf"^discovery{FMT}$", views.discovery, name="discovery"),
    re_path(rf"^services{FMT}$", views.services_list, name="services"),
    re_path(
        rf"^services/(?P<service_code>[^/]+?){FMT}$",
        views.service_definition,
        name="service_definition",
    ),
    re_path(rf"^requests{FMT}$", views.service_requests, name="requests"),
    re_path(rf"^requests/(?P<request_id>[^/]+?){FMT}$", views.request_detail, name="request"),
    re_path(rf"^tokens/(?P<token>[^/]+?){FMT}$", views.token, name="token"),
    re_path(r"^.*$", views.not_found),
]
