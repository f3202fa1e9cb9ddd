"""The demo's services signed in with the city's identity, the clients the catalogue's entries
name: the public-services portal (``catalog.PORTAL``), a city service (no consent screen), and
Huế Central Hospital's appointments (``catalog.HOSPITAL``), a partner run outside the city: the
citizen is asked what it may receive. Addresses are placeholders on a reserved domain; nothing
calls them."""

from __future__ import annotations

from oauth2_provider.models import Application

from opencity.accounts.clients import service_client_register

from .catalog import HOSPITAL, PORTAL


def demo_load_identity() -> int:
    """Register what is missing; returns how many clients were added (idempotent)."""
    clients = [
        dict(name="Cổng dịch vụ công thành phố Huế", client_id=PORTAL, first_party=True,
             redirect_uris=["https://dichvucong.hue.example/oidc/callback"],
             scopes="openid profile phone address verification",
             purpose="Nhận biết người nộp hồ sơ dịch vụ công trực tuyến và điền sẵn họ tên, số điện thoại, địa chỉ.",
             operator="Trung tâm Phục vụ hành chính công thành phố Huế"),
        dict(name="Đặt lịch khám – Bệnh viện Trung ương Huế", client_id=HOSPITAL, first_party=False,
             redirect_uris=["https://datlich.bvtwhue.example/oidc/callback"], scopes="openid profile phone",
             purpose="Đặt lịch khám bệnh: bệnh viện cần họ tên và số điện thoại để xác nhận lịch hẹn.",
             operator="Bệnh viện Trung ương Huế"),
    ]
    known = set(Application.objects.values_list("client_id", flat=True))
    added = 0
    for client in clients:
        if client["client_id"] not in known:
            service_client_register(**client)
            added += 1
    return added
