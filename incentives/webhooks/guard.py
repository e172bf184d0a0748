"""SSRF guard for webhook URLs: https only, public addresses only, unless the host is explicitly allowed.

A URL is checked when a subscription is made and its host resolved again before every delivery: the
delivery then connects to the very address that was checked (a name that later resolves to a private
address, DNS rebinding, is refused at send time). `http` and private, loopback or link-local addresses
are accepted only for hosts listed in GIS_WEBHOOK_ALLOW_HOSTS (names or addresses, exact match).
"""
from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_URL = 2000


class UnsafeUrl(Exception):
    """A webhook URL the guard refuses, with the reason."""


@dataclass(frozen=True, slots=True)
class Target:
    scheme: str
    host: str            # as written (lower case, IPv6 without brackets)
    port: int
    path: str            # path and query, at least "/"


def allow_list(value) -> frozenset[str]:
    """GIS_WEBHOOK_ALLOW_HOSTS as a set: a comma-separated text or a list."""
    items = value.split(",") if isinstance(value, str) else (value or ())
    return frozenset(str(v).strip().lower().strip("[]") for v in items if str(v).strip())


def parse(url: str, allowed: Iterable[str]) -> Target:
    """Check the URL's form: https (http only to an allowed host), a host, no credentials, a port in range."""
    if len(url) > MAX_URL:
        raise UnsafeUrl(f"the URL is longer than {MAX_URL} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeUrl(f"not a URL: {exc}") from None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise UnsafeUrl("only https URLs (with a host) are accepted")
    if parts.scheme == "http" and host not in allowed:
        raise UnsafeUrl("http is accepted only for hosts in GIS_WEBHOOK_ALLOW_HOSTS; use https")
    if parts.username or parts.password:
        raise UnsafeUrl("credentials in the URL are not accepted")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path)


def refused(address: str) -> bool:
    """Whether an address is private, loopback, link-local, multicast, reserved or otherwise not public."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def resolve(target: Target, allowed: Iterable[str],
            resolver: Callable | None = None) -> str:
    """The address to connect to: every address the host resolves to must be public (or the host allowed)."""
    try:
        infos = (resolver or socket.getaddrinfo)(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise UnsafeUrl(f"the host {target.host} does not resolve ({exc})") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise UnsafeUrl(f"the host {target.host} does not resolve")
    if target.host not in allowed:
        bad = [a for a in addresses if refused(a)]
        if bad:
            raise UnsafeUrl(f"the host {target.host} resolves to a private, loopback or reserved address ({bad[0]})")
    return addresses[0]


def check(url: str, allowed: Iterable[str], resolver: Callable | None = None) -> tuple[Target, str]:
    """Parse and resolve: the target and the checked address (raises UnsafeUrl)."""
    target = parse(url, allowed)
    return target, resolve(target, allowed, resolver)
