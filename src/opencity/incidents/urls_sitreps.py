"""Pages of the incidents app: the sitreps part (included by urls.py)."""

from django.urls import path

from . import views_sitreps as v

urlpatterns: list = [
    path("incidents/<int:pk>/sitreps/", v.sitrep_start, name="sitrep_start"),
    path("incidents/<int:pk>/sitreps/<int:number>/", v.sitrep_detail, name="sitrep_detail"),
    path("incidents/<int:pk>/sitreps/<int:number>/cell/", v.sitrep_cell, name="sitrep_cell"),
    path("incidents/<int:pk>/sitreps/<int:number>/summary/", v.sitrep_summary, name="sitrep_summary"),
    path("incidents/<int:pk>/sitreps/<int:number>/fill/", v.sitrep_fill, name="sitrep_fill"),
    path("incidents/<int:pk>/sitreps/<int:number>/sign/", v.sitrep_sign, name="sitrep_sign"),
    path("incidents/<int:pk>/sitreps/<int:number>/pdf/", v.sitrep_pdf, name="sitrep_pdf"),
    path("incidents/<int:pk>/sitreps/<int:number>/xlsx/", v.sitrep_xlsx, name="sitrep_xlsx"),
    path("incidents/<int:pk>/briefing.pdf", v.briefing_pdf, name="briefing_pdf"),
]
