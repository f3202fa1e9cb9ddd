from django.urls import path

from . import views
from .digital import views as digital

app_name = "ioc"
urlpatterns = [
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/reports/", views.statistics_reports, name="statistics_reports"),
    path("ioc/", views.console_page, name="console"),
    path("ioc/cards/", views.console_cards, name="cards"),
    path("ioc/overdue/", views.console_overdue, name="overdue"),
    path("ioc/map.json", views.console_map, name="map"),
    path("ioc/list/", views.console_list, name="list"),
    path("ioc/live/stream", views.live_stream, name="live"),
    # digital reports (báo cáo số): ioc/digital/
    path("ioc/reports/", digital.page, name="digital_reports"),
    path("ioc/reports/request/", digital.request_report, name="digital_report_request"),
    path("ioc/reports/<int:pk>/status/", digital.report_status, name="digital_report_status"),
    path("ioc/reports/<int:pk>/download/", digital.download, name="digital_report_download"),
    path("ioc/reports/subscriptions/", digital.subscribe, name="digital_report_subscribe"),
    path("ioc/reports/subscriptions/<int:pk>/cancel/", digital.unsubscribe, name="digital_report_unsubscribe"),
]
