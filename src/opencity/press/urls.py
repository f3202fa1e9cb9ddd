"""The press pages (``/press/…``, staff) and the public page of the city's responses
(``/press-responses/``; mounted in ``opencity/urls.py``)."""

from django.urls import path

from . import views

app_name = "press"
urlpatterns = [
    path("", views.item_list, name="items"),
    path("figures/", views.figures, name="figures"),
    path("import/", views.import_export, name="import"),
    path("<int:pk>/", views.item_detail, name="item"),
    path("<int:pk>/dismiss/", views.item_dismiss, name="dismiss"),
    path("<int:pk>/reopen/", views.item_reopen, name="reopen"),
    path("<int:pk>/answer/", views.item_answer, name="answer"),
    path("<int:pk>/report/", views.item_report, name="report"),
    path("<int:pk>/respond/", views.item_respond, name="respond"),
]

public_urlpatterns = [
    path("press-responses/", views.responses, name="responses"),
]
