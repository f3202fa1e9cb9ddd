from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("services/", views.service_home, name="home"),
    path("services/<slug:code>/", views.service_detail, name="service"),
    path("services/<slug:code>/open/", views.service_open, name="open"),
    path("services/<slug:code>/favourite/", views.favourite, name="favourite"),
    path("news/", views.news_list, name="news_list"),
    path("news/<int:pk>-<slug:slug>/", views.news_detail, name="news_detail"),
]
