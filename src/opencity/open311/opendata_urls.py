"""Open data, mounted at ``/open-data/``."""

from django.urls import path

from . import opendata

app_name = "opendata"

urlpatterns = [
    path("", opendata.index, name="index"),
    path("reports.csv", opendata.reports_csv, name="reports_csv"),
    path("reports.csv-metadata.json", opendata.reports_csv_metadata, name="reports_csv_metadata"),
    path("reports.geojson", opendata.reports_geojson, name="reports_geojson"),
]
