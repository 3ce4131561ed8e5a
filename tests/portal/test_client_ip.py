"""One client address for the whole portal: PORTAL_TRUSTED_PROXIES and portal.client.client_ip."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory

from portal.client import client_ip, parse_trusted_proxies
from portal.tipoffs import ratelimit as tipoff_ratelimit

PROXY = "10.0.0.2"
RESIDENT_A = "203.0.113.10"
RESIDENT_B = "203.0.113.20"


def request(remote_addr=PROXY, forwarded=None):
    meta = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


# --- No proxy (the default) --------------------------------------------------------------------


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.PORTAL_TRUSTED_PROXIES = 0
    assert client_ip(request(RESIDENT_A, forwarded="198.51.100.1")) == RESIDENT_A


# --- Count mode -------------------------------------------------------------------------------


def test_count_one_takes_the_entry_the_proxy_appended(settings):
    settings.PORTAL_TRUSTED_PROXIES = 1
    assert client_ip(request(forwarded=RESIDENT_A)) == RESIDENT_A


def test_count_mode_ignores_spoofed_left_most_entries(settings):
    settings.PORTAL_TRUSTED_PROXIES = 1
    # The resident sent "X-Forwarded-For: 1.2.3.4, 5.6.7.8"; nginx appended what it saw.
    assert client_ip(request(forwarded=f"1.2.3.4, 5.6.7.8, {RESIDENT_A}")) == RESIDENT_A


def test_count_two_skips_the_inner_proxy(settings):
    settings.PORTAL_TRUSTED_PROXIES = 2
    # CDN appended the resident, nginx appended the CDN edge.
    assert client_ip(request(forwarded=f"9.9.9.9, {RESIDENT_A}, 192.0.2.50")) == RESIDENT_A


def test_count_mode_with_a_short_header_falls_back_to_the_peer(settings):
    settings.PORTAL_TRUSTED_PROXIES = 2
    assert client_ip(request(RESIDENT_B, forwarded=RESIDENT_A)) == RESIDENT_B


def test_count_mode_never_returns_a_garbage_entry(settings):
    settings.PORTAL_TRUSTED_PROXIES = 1
    assert client_ip(request(forwarded="unknown")) == PROXY
    assert client_ip(request(forwarded="<script>, ")) == PROXY
    # garbage in the resident's own part of the header does not matter
    assert client_ip(request(forwarded=f"not-an-ip, {RESIDENT_A}")) == RESIDENT_A


# --- Network mode -------------------------------------------------------------------------------


def test_network_mode_walks_past_trusted_hops(settings):
    settings.PORTAL_TRUSTED_PROXIES = parse_trusted_proxies("127.0.0.1/32,10.0.0.0/8")
    forwarded = f"1.2.3.4, {RESIDENT_A}, 10.0.0.7"
    assert client_ip(request(PROXY, forwarded=forwarded)) == RESIDENT_A


def test_network_mode_ignores_a_forged_header_from_an_untrusted_peer(settings):
    settings.PORTAL_TRUSTED_PROXIES = parse_trusted_proxies("10.0.0.0/8")
    # The resident talks to the application directly and claims to be someone else.
    assert client_ip(request(RESIDENT_A, forwarded=RESIDENT_B)) == RESIDENT_A
    # ... or claims to be a trusted proxy forwarding for someone else.
    assert client_ip(request(RESIDENT_A, forwarded=f"{RESIDENT_B}, 10.0.0.9")) == RESIDENT_A


def test_network_mode_stops_at_garbage_and_answers_the_nearest_trusted_hop(settings):
    settings.PORTAL_TRUSTED_PROXIES = parse_trusted_proxies("10.0.0.0/8")
    assert client_ip(request(PROXY, forwarded=f"{RESIDENT_B}, unknown, 10.0.0.7")) == "10.0.0.7"
    assert client_ip(request(PROXY, forwarded=f"garbage, {RESIDENT_A}")) == RESIDENT_A


def test_network_mode_with_only_trusted_hops_answers_the_farthest(settings):
    settings.PORTAL_TRUSTED_PROXIES = parse_trusted_proxies("10.0.0.0/8")
    assert client_ip(request(PROXY, forwarded="10.9.9.9, 10.0.0.7")) == "10.9.9.9"
    assert client_ip(request(PROXY)) == PROXY


def test_network_mode_accepts_a_list_override(settings):
    settings.PORTAL_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(request(PROXY, forwarded=RESIDENT_A)) == RESIDENT_A


# --- IPv6 and odd spellings --------------------------------------------------------------------


def test_ipv6_peers_and_entries(settings):
    settings.PORTAL_TRUSTED_PROXIES = parse_trusted_proxies("fd00::/8,10.0.0.0/8")
    forwarded = "2001:DB8:0:0::1, fd00::5"
    assert client_ip(request("fd00::1", forwarded=forwarded)) == "2001:db8::1"
    assert client_ip(request("2001:db8::99", forwarded=RESIDENT_A)) == "2001:db8::99"
    # an IPv4 address is never inside an IPv6 network, and the other way round
    assert client_ip(request("::ffff:10.0.0.2", forwarded=RESIDENT_A)) == RESIDENT_A


def test_ports_brackets_and_mapped_addresses_are_normalised(settings):
    settings.PORTAL_TRUSTED_PROXIES = 1
    assert client_ip(request(forwarded="[2001:db8::1]:443")) == "2001:db8::1"
    assert client_ip(request(forwarded=f"{RESIDENT_A}:51000")) == RESIDENT_A
    assert client_ip(request(forwarded=f"::ffff:{RESIDENT_A}")) == RESIDENT_A


def test_the_result_is_always_an_address(settings):
    settings.PORTAL_TRUSTED_PROXIES = 0
    assert client_ip(request("")) == "127.0.0.1"  # gunicorn on a Unix socket
    assert client_ip(request("nonsense")) == "0.0.0.0"  # noqa: S104


# --- Start-up validation -----------------------------------------------------------------------


@pytest.mark.parametrize("value", ["-1", "11", "one", "10.0.0.0/33", "10.0.0.0/8, nginx", "true"])
def test_bad_settings_stop_start_up(value):
    with pytest.raises(ImproperlyConfigured, match="PORTAL_TRUSTED_PROXIES"):
        parse_trusted_proxies(value)


def test_settings_are_normalised():
    assert parse_trusted_proxies("") == ()
    assert parse_trusted_proxies(" 2 ") == 2
    assert parse_trusted_proxies("10.1.2.3/8, ::1") == ("10.0.0.0/8", "::1/128")


# --- Every reader uses it -----------------------------------------------------------------------


def test_tipoffs_rate_limit_key_is_the_portal_client_address(settings):
    settings.PORTAL_TRUSTED_PROXIES = 1
    assert tipoff_ratelimit.client_ip(request(forwarded=f"1.1.1.1, {RESIDENT_A}")) == RESIDENT_A


@pytest.mark.django_db
def test_two_residents_behind_one_proxy_have_separate_login_limits(settings):
    """allauth keys its limits on the adapter's get_client_ip: the resident, not the proxy."""
    settings.PORTAL_TRUSTED_PROXIES = parse_trusted_proxies("10.0.0.0/8")
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "2/m/ip"}
    url = "/en/accounts/login/"
    data = {"login": "nobody@example.org", "password": "wrong-password-123"}

    def attempt(resident, forged=""):
        browser = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{forged}{resident}")
        return browser.post(url, data).status_code

    assert [attempt(RESIDENT_A), attempt(RESIDENT_A)] == [200, 200]
    assert attempt(RESIDENT_A) == 429
    # A forged left-most entry does not give resident A a fresh allowance ...
    assert attempt(RESIDENT_A, forged="198.51.100.1, ") == 429
    # ... and resident B, behind the same proxy, is not locked out by A.
    assert attempt(RESIDENT_B) == 200
