"""Pages of the incidents app: the board part (included by urls.py)."""

from django.urls import path

from . import views_board

urlpatterns: list = [
    path("incidents/<int:pk>/board/", views_board.board, name="board"),
    path("incidents/<int:pk>/board/tasks/", views_board.task_new, name="task_new"),
    path("incidents/<int:pk>/board/tasks/<int:task_id>/", views_board.task_edit, name="task_edit"),
    path("incidents/<int:pk>/board/tasks/<int:task_id>/action/", views_board.task_action, name="task_action"),
    path("incidents/<int:pk>/board/teams/", views_board.team_new, name="team_new"),
    path("incidents/<int:pk>/board/teams/<int:deployment_id>/action/", views_board.team_action,
         name="team_action"),
    path("incidents/<int:pk>/resources/", views_board.resources, name="resources"),
    path("incidents/<int:pk>/resources/stock/", views_board.stock_new, name="stock_new"),
    path("incidents/<int:pk>/resources/assets/", views_board.asset_new, name="asset_new"),
    path("incidents/<int:pk>/resources/assets/<int:asset_id>/action/", views_board.asset_action,
         name="asset_action"),
]
