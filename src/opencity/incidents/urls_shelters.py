"""Pages of the incidents app: the shelters part (included by urls.py)."""

from django.urls import path

from . import views_shelters as views

urlpatterns: list = [
    path("shelters/", views.shelters_public, name="shelters_public"),
    path("incidents/<int:pk>/shelters/open/", views.shelter_open, name="shelter_open"),
    path("incidents/<int:pk>/shelters/notice/", views.shelter_notice, name="shelter_notice"),
    path("incidents/<int:pk>/shelters/<int:shelter_id>/", views.shelter_detail, name="shelter"),
    path("incidents/<int:pk>/shelters/<int:shelter_id>/check-in/", views.shelter_check_in, name="shelter_check_in"),
    path("incidents/<int:pk>/shelters/<int:shelter_id>/stays/<int:stay_id>/check-out/", views.shelter_check_out,
         name="shelter_check_out"),
    path("incidents/<int:pk>/shelters/<int:shelter_id>/close/", views.shelter_close, name="shelter_close"),
]
