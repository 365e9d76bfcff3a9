"""Calls the platform makes to addresses that users chose (webhook endpoints), and the check that
keeps them off the platform's own network.

A user-supplied URL is a classic server-side request forgery: pointed at 127.0.0.1, 10.0.0.5 or
169.254.169.254 it would make the platform reach services that only it can reach. So every address
a name resolves to must be public (`is_public_address`), checked at registration and again before
each delivery, because DNS can change between the two (DNS rebinding). The deliverer then connects
to the address it checked, not to whatever the name resolves to a moment later.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from complaints.domain.webhook import is_public_address


class UnsafeAddress(Exception):
    """The URL's host is not public, or cannot be resolved. The message says which."""


@dataclass(frozen=True)
class Target:
    """Where one request goes: the URL's host, and the addresses checked for it, in the order
    the resolver prefers them."""

    host: str
    port: int
    addresses: tuple[str, ...]


def resolve(url: str, *, allow_private: bool) -> Target:
    """Resolve the URL's host and check every address it has. Raises `UnsafeAddress`."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        # Only address families this machine can reach (AI_ADDRCONFIG), in the order the
        # resolver prefers.
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_ADDRCONFIG)
    except (OSError, UnicodeError):
        raise UnsafeAddress(f"{host} cannot be resolved") from None
    addresses = tuple(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise UnsafeAddress(f"{host} cannot be resolved")
    if not allow_private and any(not is_public_address(a) for a in addresses):
        # Which address is not said: that would map the platform's internal names for anyone.
        raise UnsafeAddress(f"{host} resolves to an address that is not public")
    return Target(host, port, addresses)
