"""One delivery over HTTP(S) with urllib3: to the address the guard checked, no redirects, a time limit."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import urllib3
from urllib3.exceptions import HTTPError

from . import guard


@dataclass(frozen=True, slots=True)
class Sent:
    """What came back: the status (None if no answer) and an error text for the deliveries log."""
    status: int | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def post(url: str, body: bytes, headers: dict, *, allowed: Iterable[str], timeout: float = 10.0,
         resolver: Callable | None = None) -> Sent:
    """POST `body` to `url`: resolved and checked now (DNS rebinding), connected to that address, never redirected."""
    try:
        target, address = guard.check(url, allowed, resolver)
    except guard.UnsafeUrl as exc:
        return Sent(None, f"refused: {exc}")
    limit = urllib3.Timeout(total=timeout)
    if target.scheme == "https":   # TLS is checked against the name, while the socket goes to the checked address
        pool = urllib3.HTTPSConnectionPool(address, target.port, server_hostname=target.host,
                                           assert_hostname=target.host, cert_reqs="CERT_REQUIRED", timeout=limit,
                                           retries=False, maxsize=1)
    else:
        pool = urllib3.HTTPConnectionPool(address, target.port, timeout=limit, retries=False, maxsize=1)
    host = target.host if ":" not in target.host else f"[{target.host}]"
    default_port = 443 if target.scheme == "https" else 80
    try:
        response = pool.urlopen("POST", target.path, body=body, redirect=False, retries=False,
                                headers={**headers, "Host": host if target.port == default_port
                                         else f"{host}:{target.port}"}, preload_content=False)
        status = response.status
        response.read(64 * 1024)      # a little of the answer, so the connection ends cleanly
        response.release_conn()
    except (HTTPError, OSError) as exc:
        return Sent(None, f"no answer: {type(exc).__name__}: {str(exc)[:300]}")
    finally:
        pool.close()
    if 300 <= status < 400:
        return Sent(status, f"redirect {status} not followed")
    return Sent(status, None if 200 <= status < 300 else f"answered {status}")
