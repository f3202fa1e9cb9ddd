from django.urls import path

from . import views

app_name = "hotline"
urlpatterns = [
    path("", views.console, name="console"),
    path("incoming/", views.incoming, name="incoming"),
    path("presence/", views.presence, name="presence"),
    path("calls/new/", views.call_new, name="call_new"),
    path("calls/<int:pk>/", views.call_detail, name="call"),
    path("calls/<int:pk>/take/", views.call_take, name="take"),
    path("calls/<int:pk>/wrap-up/", views.call_wrap_up, name="wrap_up"),
    path("calls/<int:pk>/callbacks/", views.callback_new, name="callback_new"),
    path("callbacks/<int:pk>/log/", views.callback_log, name="callback_log"),
    path("history/", views.history, name="history"),
    path("counts/", views.counts, name="counts"),
    path("exchange/events", views.exchange_events, name="exchange_events"),
]
