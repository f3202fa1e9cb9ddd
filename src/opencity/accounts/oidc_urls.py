"""The provider's endpoints under /o/ (docs/identity.md): only what the code flow needs, not the
library's application-management pages nor its device, introspection or registration routes."""

from django.urls import path, re_path
from oauth2_provider import views

from .oidc import ConsentAuthorizationView, DiscoveryView, LogoutView

app_name = "oauth2_provider"
urlpatterns = [
    path("authorize/", ConsentAuthorizationView.as_view(), name="authorize"),
    path("token/", views.TokenView.as_view(), name="token"),
    path("revoke_token/", views.RevokeTokenView.as_view(), name="revoke-token"),
    re_path(r"^\.well-known/openid-configuration/?$", DiscoveryView.as_view(), name="oidc-connect-discovery-info"),
    path(".well-known/jwks.json", views.JwksInfoView.as_view(), name="jwks-info"),
    # RFC 8414 metadata, here mainly so the library derives the authorization response's `iss`
    # (RFC 9207) from /o like the discovery `issuer`: without it a strict client refuses the answer.
    path(".well-known/oauth-authorization-server", views.OAuthServerMetadataView.as_view(),
         name="oauth-server-metadata"),
    path("userinfo/", views.UserInfoView.as_view(), name="user-info"),
    path("logout/", LogoutView.as_view(), name="rp-initiated-logout"),
]
