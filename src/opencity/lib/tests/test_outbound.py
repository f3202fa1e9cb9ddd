"""Which push endpoints and addresses outbound requests may reach (no network needed)."""

from __future__ import annotations

import ipaddress

import pytest

from opencity.lib.outbound import (
    OutboundRefused,
    address_allowed,
    check_url,
    host_allowed,
    parse_networks,
)

PUSH_HOSTS = [
    "fcm.googleapis.com",
    "updates.push.services.mozilla.com",
    "*.push.apple.com",
    ".notify.windows.com",
]


@pytest.mark.parametrize(
    "host, allowed",
    [
        ("fcm.googleapis.com", True),
        ("FCM.googleapis.com.", True),
        ("web.push.apple.com", True),
        ("push.apple.com", True),
        ("wns2-par02p.notify.windows.com", True),
        ("evilfcm.googleapis.com", False),
        ("fcm.googleapis.com.attacker.example", False),
        ("googleapis.com", False),
        ("notify.windows.com.evil", False),
    ],
)
def test_hosts_match_the_list_and_its_subdomains_only(host, allowed):
    assert host_allowed(host, PUSH_HOSTS) is allowed


@pytest.mark.parametrize(
    "address, allowed",
    [
        ("142.250.4.95", True),
        ("2a00:1450:4001:80b::200a", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("255.255.255.255", False),
        ("198.18.0.1", False),
        ("::1", False),
        ("::", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("64:ff9b::a9fe:a9fe", False),
        ("2002:7f00:1::", False),
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", False),
    ],
)
def test_only_public_unicast_addresses_are_allowed(address, allowed):
    assert address_allowed(ipaddress.ip_address(address)) is allowed


def test_a_network_allowed_in_the_settings_is_the_one_exception():
    networks = parse_networks(["127.0.0.0/8", " "])
    assert address_allowed(ipaddress.ip_address("127.0.0.1"), networks)
    assert not address_allowed(ipaddress.ip_address("10.0.0.1"), networks)
    assert not address_allowed(ipaddress.ip_address("::1"), networks)


@pytest.mark.parametrize(
    "url, code",
    [
        ("http://fcm.googleapis.com/x", "bad_url"),
        ("https://u:p@fcm.googleapis.com/x", "bad_url"),
        ("https://fcm.googleapis.com:99999/x", "bad_url"),
        ("https://[::1/x", "bad_url"),
        ("ftp://fcm.googleapis.com/x", "bad_url"),
        ("https:///x", "bad_url"),
        ("https://example.org/x", "host_not_allowed"),
    ],
)
def test_urls_are_refused_before_any_lookup(url, code):
    with pytest.raises(OutboundRefused) as refused:
        check_url(url, allowed_hosts=PUSH_HOSTS)
    assert refused.value.code == code


def test_an_allow_listed_ip_literal_must_still_be_public():
    with pytest.raises(OutboundRefused) as refused:
        check_url("https://169.254.169.254/latest", allowed_hosts=["169.254.169.254"])
    assert refused.value.code == "address_not_allowed"
    assert (
        check_url("https://fcm.googleapis.com/fcm/send/x", allowed_hosts=PUSH_HOSTS).hostname
        == "fcm.googleapis.com"
    )
