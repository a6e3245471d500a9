"""Who is knocking, and how often they got it wrong: one lock-out per account for every way in.

The sign-in form, the API token exchange and the two-factor step all count failed attempts
against the same per-account counter in the cache (Redis), and all refuse a locked account,
even with the right password or code. Failures are counted per email address as typed, so an
address with no account locks just the same and a guesser learns nothing about which exist.

A client's address is read the same way everywhere (allauth's per-address limit, the API's
throttles): from the connection, or from `X-Forwarded-For` only as far as the configured
number of trusted proxies vouches for it, so a made-up header cannot pose as a new client.
"""

from __future__ import annotations

import hashlib
import ipaddress

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def _failures_key(email: str) -> str:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return f"sign-in-failures:{digest}"


def failed_sign_ins(email: str) -> int:
    return cache.get(_failures_key(email), 0)


def account_locked(email: str) -> bool:
    """True while the account has had too many failed attempts, by whatever way in."""
    return failed_sign_ins(email) >= settings.POLYPLUS_SIGN_IN_FAILURE_LIMIT


def record_failed_sign_in(email: str) -> None:
    """Count a wrong password or code; the count (and so a lock) lasts the lock-out period
    from the latest failure."""
    key, timeout = _failures_key(email), settings.POLYPLUS_SIGN_IN_LOCKOUT_SECONDS
    cache.add(key, 0, timeout=timeout)
    try:
        cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=timeout)
    cache.touch(key, timeout)


def client_ip(request: HttpRequest) -> str:
    """The client's address: the Nth entry from the right of `X-Forwarded-For` behind N trusted
    proxies (POLYPLUS_TRUSTED_PROXY_COUNT), else the connection's own address."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.POLYPLUS_TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",")]
    if len(hops) < proxies:
        return remote
    candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
