"""The client's address, under one trusted-proxy policy for the whole portal.

Every rate limit, abuse signal, log line and allauth's own limits key on ``client_ip(request)``;
nothing else reads ``REMOTE_ADDR`` or ``X-Forwarded-For``.

``settings.PORTAL_TRUSTED_PROXIES`` (env ``PORTAL_TRUSTED_PROXIES``) says whom to believe:

- ``0`` (the default): nobody. ``REMOTE_ADDR`` is the client; ``X-Forwarded-For`` is ignored.
- a count ``N``: the N hops nearest to the application are trusted proxies, each appending the
  address it saw to ``X-Forwarded-For``, so the client is the N-th entry from the right. Headers
  with fewer than N entries did not pass through the proxies and are ignored. Only safe when the
  application port is reachable from those proxies alone (gunicorn bound to 127.0.0.1 or a
  private network).
- a comma-separated list of networks (``127.0.0.1/32,10.0.0.0/8``): ``X-Forwarded-For`` is read
  only when ``REMOTE_ADDR`` itself is inside one of them; it is then walked from the right,
  skipping addresses inside the trusted networks; the first address outside them is the client.
  A forged header from an untrusted peer is ignored.

Entries that are not IP addresses are never returned: in count mode such an entry makes the
header unusable, in network mode it ends the walk at the nearest trusted hop. The result is always
a valid IP address in canonical form (IPv4-mapped IPv6 addresses become IPv4). An empty
``REMOTE_ADDR`` (gunicorn on a Unix socket) is a local peer, ``127.0.0.1``.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

UNIX_SOCKET_PEER = "127.0.0.1"
UNKNOWN = "0.0.0.0"  # noqa: S104 - a placeholder address, never bound


def parse_trusted_proxies(value) -> int | tuple[str, ...]:
    """The normalised policy: a hop count, or a tuple of network strings.

    Accepts what the environment or a settings override gives: an int, a digit string, a
    comma-separated string of networks, or a list of them. Raises ImproperlyConfigured otherwise.
    """
    if isinstance(value, bool):
        raise ImproperlyConfigured("PORTAL_TRUSTED_PROXIES must be a count or a list of networks.")
    if isinstance(value, int):
        count = value
    elif isinstance(value, str) and value.strip().isdigit():
        count = int(value.strip())
    else:
        items = value.split(",") if isinstance(value, str) else list(value)
        networks = []
        for item in items:
            text = str(item).strip()
            if not text:
                continue
            try:
                networks.append(str(ipaddress.ip_network(text, strict=False)))
            except ValueError:
                raise ImproperlyConfigured(
                    f"PORTAL_TRUSTED_PROXIES: {text!r} is neither a hop count nor a network "
                    "(e.g. 1, or 127.0.0.1/32,10.0.0.0/8)."
                ) from None
        return tuple(networks)
    if count < 0 or count > 10:
        raise ImproperlyConfigured(
            f"PORTAL_TRUSTED_PROXIES={count} is out of range: use 0 to 10 hops."
        )
    return count


@lru_cache(maxsize=8)
def _networks(policy: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(text) for text in policy)


def parse_ip(text: str) -> IPAddress | None:
    """An address from one header entry or REMOTE_ADDR, or None when it is not one.

    Tolerates what proxies write: surrounding spaces and quotes, ``[v6]`` brackets, ports
    (``1.2.3.4:5678``, ``[2001:db8::1]:443``). IPv4-mapped IPv6 addresses become IPv4.
    """
    text = text.strip().strip('"').strip()
    if text.startswith("["):
        end = text.find("]")
        if end == -1:
            return None
        text = text[1:end]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _peer(request) -> IPAddress | None:
    remote = request.META.get("REMOTE_ADDR")
    if remote is None or remote.strip() == "":
        return ipaddress.ip_address(UNIX_SOCKET_PEER)
    return parse_ip(remote)


def _forwarded(request) -> list[str]:
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return [item for item in (part.strip() for part in header.split(",")) if item]


def _trusted(address: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def resolve_client_ip(request, policy: int | tuple[str, ...]) -> str:
    """``client_ip`` under an explicit policy (as returned by ``parse_trusted_proxies``)."""
    peer = _peer(request)
    fallback = str(peer) if peer is not None else UNKNOWN
    if isinstance(policy, int):
        if policy == 0:
            return fallback
        entries = _forwarded(request)
        if len(entries) < policy:
            return fallback
        candidate = parse_ip(entries[-policy])
        return str(candidate) if candidate is not None else fallback

    networks = _networks(policy)
    if peer is None or not _trusted(peer, networks):
        return fallback
    nearest = peer
    for entry in reversed(_forwarded(request)):
        address = parse_ip(entry)
        if address is None:
            break  # written by a trusted hop that did not know: stop at that hop
        if not _trusted(address, networks):
            return str(address)
        nearest = address
    return str(nearest)


@lru_cache(maxsize=8)
def _policy(value) -> int | tuple[str, ...]:
    return parse_trusted_proxies(value)


def client_ip(request) -> str:
    """The address of the resident behind the trusted proxies: always a valid IP string."""
    value = settings.PORTAL_TRUSTED_PROXIES
    if isinstance(value, list):
        value = tuple(value)
    return resolve_client_ip(request, _policy(value))
