"""The requester's or caller's name and phone are never shown to other citizens."""

from django.urls import reverse


def test_other_citizens_never_see_names_or_phones(client, citizen, citizen2, hotline, file_sos):
    mine = file_sos()
    for_caller = file_sos(actor=hotline, for_caller=True, caller_name="Bà Hoàng Thị Lan", caller_phone="0905123456")
    client.force_login(citizen2)
    pages = [client.get(reverse(n, args=[r.pk])) for r in (mine, for_caller)
             for n in ("emergency:status", "emergency:live")]
    pages += [client.get(reverse("emergency:new")), client.get(reverse("emergency:board_geojson"))]
    for page in pages:
        body = page.content.decode()
        for secret in (citizen.full_name, citizen.phone, "Hoàng Thị Lan", "0905123456", "905123456"):
            assert secret not in body


def test_the_board_geojson_carries_no_personal_data(client, operator, file_sos, hotline):
    file_sos(actor=hotline, for_caller=True, caller_name="Bà Hoàng Thị Lan", caller_phone="0905123456")
    client.force_login(operator)
    body = client.get(reverse("emergency:board_geojson")).content.decode()
    assert "Lan" not in body and "905123456" not in body


def test_the_requester_sees_their_own_request(client, citizen, file_sos):
    req = file_sos(note="Ghi chú riêng")
    client.force_login(citizen)
    assert "Ghi chú riêng" in client.get(reverse("emergency:status", args=[req.pk])).content.decode()
