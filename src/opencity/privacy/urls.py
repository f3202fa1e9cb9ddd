from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("", views.home, name="home"),
    path("export/", views.export_create, name="export"),
    path("export/<int:pk>.<str:fmt>", views.export_download, name="export_download"),
    path("requests/", views.request_list, name="requests"),
    path("delete/", views.delete_account, name="delete"),
    path("staff/", views.staff_requests, name="staff_requests"),
    path("staff/requests/<int:pk>/act/", views.staff_request_act, name="staff_request_act"),
    path("staff/breaches/", views.staff_breaches, name="staff_breaches"),
    path("staff/breaches/<int:pk>/", views.staff_breach, name="staff_breach"),
    path("staff/processing/", views.staff_processing, name="staff_processing"),
]
