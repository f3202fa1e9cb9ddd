"""Staff pages under ``/dossiers/``; the public lookup under ``/tra-cuu-ho-so/`` (mounted in
``opencity/urls.py`` as ``dossiers_public``)."""

from django.urls import path

from . import views

app_name = "dossiers"
urlpatterns = [
    path("", views.figures, name="figures"),
    path("list/", views.dossier_list, name="list"),
    path("import/", views.import_page, name="import"),
    path("d/<str:code>/", views.dossier_detail, name="detail"),
]

public_urlpatterns = [
    path("tra-cuu-ho-so/", views.lookup, name="lookup"),
    path("tra-cuu-ho-so/<str:code>/", views.status, name="status"),
    path("tra-cuu-ho-so/<str:code>/theo-doi/", views.follow, name="follow"),
    path("tra-cuu-ho-so/<str:code>/thong-bao/", views.followed, name="followed"),
]
