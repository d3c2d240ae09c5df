"""Where our workers may POST a push: an https push service on a public address (SSRF guard).

A push endpoint is a URL a browser handed us, so anyone with an account chooses where the worker
connects. It is checked twice:

- **At subscription time** (`check_endpoint`, the API's 400 field error): https only; a host that
  is a non-public IP literal, `localhost`, or under a suffix that never names a public service
  (`.localhost`, `.local`, `.internal`, `.home.arpa`, …), or a name that resolves to a non-public
  address, is refused. A name that does not resolve now is accepted: the send-time check decides.
- **At send time** (`GuardedAdapter`, mounted by `delivery.push_session`): every new connection
  resolves the host itself, refuses it unless *every* address is public, and connects to the
  address it checked — so a name that later resolves elsewhere (DNS rebinding, a short TTL)
  cannot reach the server's own network. Redirects are never followed (delivery.send_push).

"Public" is `ipaddress`'s `is_global`, minus multicast, with IPv4-mapped IPv6 addresses judged as
the IPv4 address they carry; loopback, private, link-local (169.254.169.254, the cloud metadata
service), shared (100.64/10) and unique-local (fd00:ec2::254) addresses are not.

Settings:
- PUSH_ALLOWED_HOSTS: host names (or IP literals) of self-hosted push services that may be on a
  private network; accepted at both checks, still https only.
- PUSH_ALLOW_LOOPBACK: the test suite's local push service (http://127.0.0.1:port). Honoured at
  send time only, and only for loopback addresses; off unless set (tests and the benchmarks).
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Names under these never belong to a public push service (RFC 6761, 6762, 8375; cloud internal
# DNS such as metadata.google.internal).
LOCAL_SUFFIXES = (
    ".localhost",
    ".local",
    ".localdomain",
    ".internal",
    ".intranet",
    ".lan",
    ".home",
    ".corp",
    ".home.arpa",
    ".in-addr.arpa",
    ".ip6.arpa",
)


class PushEndpointRefused(ValueError):
    """The endpoint is not a public https push service. `reason`: "scheme" or "address"."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


def normal_host(host: str) -> str:
    """Lower case, without a trailing dot or an IPv6 literal's brackets."""
    return host.strip().strip("[]").rstrip(".").lower()


def is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def allowed_host(host: str) -> bool:
    """A self-hosted push service the operator named (PUSH_ALLOWED_HOSTS)."""
    allowed = {normal_host(h) for h in getattr(settings, "PUSH_ALLOWED_HOSTS", ())}
    return normal_host(host) in allowed


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to (raises socket.gaierror when it does not resolve)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    # A scoped IPv6 address comes back as "fe80::1%eth0".
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def check_endpoint(url: str) -> None:
    """Subscription time: raises PushEndpointRefused unless `url` may be a public push service."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise PushEndpointRefused("scheme", "a push endpoint is an https:// URL")
    host = normal_host(parts.hostname)
    if allowed_host(host):
        return
    literal = _literal(host)
    if literal is not None:
        if not is_public(literal):
            raise PushEndpointRefused("address", f"{host} is not a public address")
        return
    if host == "localhost" or "." not in host or host.endswith(LOCAL_SUFFIXES):
        raise PushEndpointRefused("address", f"{host} is not a public host name")
    try:
        addresses = resolve(host, parts.port or 443)
    except (OSError, UnicodeError):
        return  # not resolvable now: nothing to connect to; the send-time check decides
    if not addresses or not all(is_public(a) for a in addresses):
        raise PushEndpointRefused("address", f"{host} resolves to a non-public address")


def checked_address(host: str, port: int) -> str | None:
    """Send time: the address to connect to for `host`, or None to connect to `host` as usual
    (an allowed self-hosted service). Raises PushEndpointRefused when any address is not public
    (loopback passes only with PUSH_ALLOW_LOOPBACK), socket.gaierror when it does not resolve."""
    if allowed_host(host):
        return None
    host = normal_host(host)
    literal = _literal(host)
    addresses = [literal] if literal is not None else resolve(host, port)
    loopback_ok = bool(getattr(settings, "PUSH_ALLOW_LOOPBACK", False))
    for address in addresses:
        if not (is_public(address) or (loopback_ok and address.is_loopback)):
            raise PushEndpointRefused("address", f"{host} resolves to {address}: not public")
    if not addresses:
        raise PushEndpointRefused("address", f"{host} has no address")
    return str(addresses[0])


class _GuardedConnectionMixin:
    """Resolves and checks the host on every new connection, then connects to that address (TLS
    still verifies the certificate against the host name)."""

    _dns_host: str
    port: int

    def _new_conn(self) -> socket.socket:
        host = self._dns_host
        address = checked_address(host, self.port)
        if address is None:
            return super()._new_conn()  # type: ignore[misc]
        self._dns_host = address
        try:
            return super()._new_conn()  # type: ignore[misc]
        finally:
            self._dns_host = host


class GuardedHTTPConnection(_GuardedConnectionMixin, HTTPConnection):
    pass


class GuardedHTTPSConnection(_GuardedConnectionMixin, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = GuardedHTTPSConnection


class GuardedAdapter(HTTPAdapter):
    """requests' adapter whose connections go through the address check, and which refuses
    plain http unless PUSH_ALLOW_LOOPBACK (the tests' local push service) is on. Through an
    outbound proxy (HTTPS_PROXY) the proxy connects, not us: it must do its own filtering."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _GuardedHTTPPool,
            "https": _GuardedHTTPSPool,
        }

    def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        scheme = urlsplit(request.url).scheme
        if scheme != "https" and not getattr(settings, "PUSH_ALLOW_LOOPBACK", False):
            raise PushEndpointRefused("scheme", "a push endpoint is an https:// URL")
        return super().send(request, *args, **kwargs)
