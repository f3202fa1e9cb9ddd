"""How a refused action is answered on the rescue pages: by the one error middleware
(``opencity.errors``), as on every other page — the views raise, they do not render errors.

A plain form sent from a page of this site goes back to that page (303) with the message, which
shows the request as it is now; without such a page (no ``Referer``, another site's) the error
page with the status; htmx gets the error fragment with the status."""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.urls import reverse

BOARD = "http://testserver/ioc/dispatch/"


def _stale_acknowledge(client, req, **headers):
    return client.post(reverse("emergency:acknowledge", args=[req.pk]), {"version": "0"}, headers=headers)


def test_a_stale_step_from_the_board_goes_back_to_it_with_the_message(client, operator, file_sos):
    req = file_sos()
    client.force_login(operator)
    response = _stale_acknowledge(client, req, Referer=BOARD)
    assert response.status_code == 303 and response["Location"] == BOARD
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert "changed by someone else" in message
    page = client.get(BOARD)
    assert page.status_code == 200 and "changed by someone else" in page.content.decode()


def test_without_the_page_it_came_from_the_error_page_says_it_with_the_status(client, operator, file_sos):
    req = file_sos()
    client.force_login(operator)
    for headers in ({}, {"Referer": "https://evil.example/ioc/dispatch/"}):  # never back to another site
        response = _stale_acknowledge(client, req, **headers)
        assert response.status_code == 409, headers
        assert "changed by someone else" in response.content.decode()


def test_htmx_gets_the_fragment_with_the_status(client, operator, file_sos):
    req = file_sos()
    client.force_login(operator)
    response = _stale_acknowledge(client, req, Referer=BOARD, **{"HX-Request": "true"})
    assert response.status_code == 409
    assert "templates/partials/error.html" in [t.origin.name.split("src/opencity/")[-1] for t in response.templates
                                               if t.origin and t.origin.name]


def test_a_forbidden_step_is_a_403_page_even_from_the_board(client, leader, file_sos):
    req = file_sos()
    client.force_login(leader)
    response = client.post(reverse("emergency:acknowledge", args=[req.pk]), headers={"Referer": BOARD})
    assert response.status_code == 403
