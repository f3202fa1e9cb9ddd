from django.urls import path

from . import views, views_eid

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/otp/", views.login_otp_view, name="login_otp"),
    path("logout/", views.logout_view, name="logout"),
    path("signup/", views.signup_view, name="signup"),
    path("password/reset/", views.password_reset_view, name="password_reset"),
    path("security/", views.security_view, name="security"),
    path("security/sessions/<int:pk>/end/", views.session_end_view, name="session_end"),
    path("security/sessions/end-others/", views.sessions_end_others_view, name="sessions_end_others"),
    path("profile/", views.profile_view, name="profile"),
    path("services/", views.connected_services_view, name="connected_services"),
    path("eid/verify/", views_eid.eid_verify_view, name="eid_verify"),
    path("eid/login/", views_eid.eid_login_view, name="eid_login"),
    path("eid/callback/", views_eid.eid_callback_view, name="eid_callback"),
]
