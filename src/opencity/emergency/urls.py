from django.urls import path

from . import views

app_name = "emergency"
urlpatterns = [
    path("sos/", views.sos_new, name="new"),
    path("sos/new/", views.sos_new, name="new_for_caller"),
    path("sos/verify/", views.visitor_verify, name="visitor_verify"),
    path("sos/v/<str:key>/", views.visitor_status, name="visitor_status"),
    path("sos/v/<str:key>/live/", views.visitor_live, name="visitor_live"),
    path("sos/v/<str:key>/details/", views.visitor_details, name="visitor_details"),
    path("sos/v/<str:key>/cancel/", views.visitor_cancel, name="visitor_cancel"),
    path("sos/v/<str:key>/photos/<int:photo_id>/<str:variant>.jpg", views.visitor_photo, name="visitor_photo"),
    path("sos/team/", views.team_page, name="team"),
    path("sos/team/position/", views.team_position, name="team_position"),
    path("sos/<int:pk>/", views.sos_status, name="status"),
    path("sos/<int:pk>/live/", views.sos_live, name="live"),
    path("sos/<int:pk>/cancel/", views.sos_cancel, name="cancel"),
    path("sos/<int:pk>/details/", views.sos_details, name="details"),
    path("sos/<int:pk>/photos/<int:photo_id>/<str:variant>.jpg", views.sos_photo, name="photo"),
    path("sos/<int:pk>/step/", views.team_step, name="step"),
    path("ioc/dispatch/", views.board, name="board"),
    path("ioc/dispatch/map.geojson", views.board_geojson, name="board_geojson"),
    path("ioc/dispatch/list/", views.board_list, name="board_list"),
    path("ioc/dispatch/<int:pk>/acknowledge/", views.board_acknowledge, name="acknowledge"),
    path("ioc/dispatch/<int:pk>/assign/", views.board_assign, name="assign"),
    path("ioc/dispatch/<int:pk>/cancel/", views.board_cancel, name="board_cancel"),
]
