from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from opencity import views
from opencity.accounts.oidc import DiscoveryView
from opencity.api import api
from opencity.dossiers import urls as dossier_urls
from opencity.monitoring import urls as monitoring_urls
from opencity.press import urls as press_urls

# What escapes every other mapping: still the API's and Open311's error format, and a 503 when
# the database cannot be reached (opencity/errors.py).
handler500 = "opencity.errors.server_error"

# The administration site (lib/admin.py, installed as the default site by lib/apps.py) needs a
# session verified by a second factor; accounts/middleware.py sends staff to enrol or to give
# their code first.

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("opencity.reports.urls")),
    path("accounts/", include("opencity.accounts.urls")),
    # The OpenID Connect provider (accounts/oidc_urls.py, docs/identity.md); its discovery
    # document also at the site root, where clients given only the host look for it.
    path("o/", include("opencity.accounts.oidc_urls")),
    path(".well-known/openid-configuration", DiscoveryView.as_view(), name="oidc_discovery_root"),
    path("notifications/", include("opencity.notifications.urls")),
    path("", include("opencity.ioc.urls")),  # /statistics/
    path("", include("opencity.alerts.urls")),  # /warnings/ (pages) and /alerts/ (CAP, Atom)
    path("", include("opencity.emergency.urls")),  # /sos/ and /ioc/dispatch/
    path("hotline/", include("opencity.hotline.urls")),
    path("", include("opencity.incidents.urls")),  # /incidents/ (command support) and /shelters/ (public)
    path("privacy/", include("opencity.privacy.urls")),  # my data, requests, deletion; the privacy registers
    path("monitoring/", include("opencity.monitoring.urls")),  # events, stations (staff)
    path("", include((monitoring_urls.public_urlpatterns, "monitoring_public"))),  # /water-levels/, /air-quality/
    path("dossiers/", include("opencity.dossiers.urls")),  # one-stop dossiers: figures, lists, import (staff)
    path("", include((dossier_urls.public_urlpatterns, "dossiers_public"))),  # /tra-cuu-ho-so/ (public lookup)
    path("press/", include("opencity.press.urls")),  # press and social items (staff)
    path("", include((press_urls.public_urlpatterns, "press_public"))),  # /press-responses/
    path("", include("opencity.catalog.urls")),  # /services/ (the catalogue) and /news/
    path("healthz", views.health, name="healthz"),  # liveness and readiness (views.py)
    path("i18n/setlang/", set_language, name="set_language"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="sw"),  # the installable app (docs/offline.md)
    path("offline/", views.offline, name="offline"),
    path("api/", api.urls),
    path("open311/v2/", include("opencity.open311.urls")),
    path("open-data/", include("opencity.open311.opendata_urls")),
    # The admin signs in through our login page, which asks staff for their TOTP code.
    path("admin/login/", RedirectView.as_view(pattern_name="accounts:login", query_string=True)),
    path("admin/", admin.site.urls),
]

