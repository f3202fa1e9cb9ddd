"""Limits on guessing and on costly actions: the one place that counts and refuses.

Every limit is a named rate, ``hits`` per ``seconds``, counted per *key* (an account, a phone
number, a client address). The table :data:`DEFAULT_LIMITS` holds them; ``OPENCITY_LIMITS``
(``name=hits/seconds,…``) overrides any of them per deployment.

How it counts:

- Counters live in Django's cache in fixed windows (``OPENCITY_CACHE_URL``: Redis in production,
  so every server process shares them; this process's memory in the embedded default, which
  serves with one process). ``cache.add`` + ``cache.incr`` are atomic in both.
- When a key goes over its limit, one :class:`~opencity.accounts.models.ThrottleBlock` row is
  written for that window: administrators see who is held back and why in the admin, and can
  lift the block there (which also clears the counter). Nothing else touches the database, so a
  limit costs a request two cache round trips.
- Every block ends with its window: a limit can slow someone down, never lock them out for good.
  Callers that guard sign-in add what keeps an attacker from locking a victim out (see
  ``accounts.services`` and docs/security.md).
- A cache that cannot be reached lets the request through (and logs it): limits are a brake,
  not a gate the city's service depends on.

Callers raise nothing themselves: :func:`hit` and :func:`check` raise
:class:`~opencity.errors.RateLimitedError` (HTTP 429 with ``Retry-After``), which the one error
mapping of pages and of the API turns into a readable answer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone

from opencity.errors import RateLimitedError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    name: str
    hits: int
    seconds: int


# name → (hits, seconds). Keys are chosen by the caller: "user:<id>", "phone:<+84…>",
# "client:<address>", or a combination such as "user:<id>|client:<address>".
DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    # Guessing: failed sign-ins and wrong codes
    "signin.fail.account_client": (5, 15 * 60),  # one account from one client
    "signin.fail.account": (20, 15 * 60),  # one account from clients it has not used before
    "signin.fail.client": (50, 15 * 60),  # one client across accounts (credential stuffing)
    "code.fail.phone": (5, 30 * 60),  # wrong SMS codes for one number, across codes sent
    "totp.fail.account": (5, 15 * 60),  # wrong two-factor codes for one account
    "password.change.fail.account": (5, 15 * 60),  # wrong current passwords, one signed-in account
    # SMS codes sent (each costs the city money and can be used to pester a number)
    "sms.send.phone": (3, 15 * 60),
    "sms.send.phone_day": (10, 24 * 3600),
    "sms.send.client": (10, 60 * 60),
    # Costly actions
    "report.submit.account": (10, 10 * 60),
    "report.submit.account_day": (50, 24 * 3600),
    "report.submit.client": (30, 10 * 60),
    "sos.submit.account": (3, 60 * 60),
    # Generous: during a flood many phones share one carrier address (CGNAT); the account
    # limit is what holds one person back.
    "sos.submit.client": (60, 60 * 60),
    # Rescue requests without an account (emergency/limits.py): per phone number (proven by a
    # code, or given for a call-back), SOS codes asked from one client, and call-back requests
    # (their number is not proven) from one client.
    "sos.submit.phone": (3, 60 * 60),
    "sos.code.client": (30, 60 * 60),
    "sos.callback.client": (10, 60 * 60),
    "push.subscribe.account": (10, 60 * 60),
    # One-stop dossier lookup (dossiers/limits.py): a code and 4 phone digits are guessable,
    # so wrong answers are counted per dossier code, and every lookup per client.
    "dossier.lookup.client": (30, 10 * 60),
    "dossier.lookup.fail.code": (5, 60 * 60),
}


def _parse_overrides(raw: str) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        name, _, rate = part.partition("=")
        hits, _, seconds = rate.partition("/")
        try:
            out[name.strip()] = (int(hits), int(seconds))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"OPENCITY_LIMITS: {part!r} is not name=hits/seconds"
            ) from exc
        if name.strip() not in DEFAULT_LIMITS:
            raise ImproperlyConfigured(f"OPENCITY_LIMITS: unknown limit {name.strip()!r}")
    return out


def limit(name: str) -> Limit:
    table = {**DEFAULT_LIMITS, **_parse_overrides(getattr(settings, "OPENCITY_LIMITS", ""))}
    try:
        hits, seconds = table[name]
    except KeyError:
        raise ValueError(f"unknown limit {name!r}") from None
    return Limit(name, hits, seconds)


def enabled() -> bool:
    return bool(getattr(settings, "OPENCITY_THROTTLE_ENABLED", True))


def _window(lim: Limit, now: float) -> tuple[int, int]:
    """(window number, seconds until it ends)."""
    number = int(now // lim.seconds)
    return number, max(1, math.ceil((number + 1) * lim.seconds - now))


def _cache_key(lim: Limit, key: str, window: int) -> str:
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    return f"throttle:{lim.name}:{digest}:{window}"


def _count(cache_key: str) -> int:
    try:
        return int(cache.get(cache_key) or 0)
    except Exception:  # a cache that cannot be reached lets the request through
        logger.exception("throttle: cache unreachable")
        return 0


def _increment(cache_key: str, by: int, ttl: int) -> int:
    try:
        cache.add(cache_key, 0, ttl + 5)
        try:
            return int(cache.incr(cache_key, by))
        except ValueError:  # expired between add and incr
            cache.add(cache_key, by, ttl + 5)
            return by
    except Exception:
        logger.exception("throttle: cache unreachable")
        return 0


def _record_block(lim: Limit, key: str, cache_key: str, hits: int, retry_after: int) -> None:
    """One row per key and window, for the administrators' list (never fails the request)."""
    from .models import ThrottleBlock

    until = timezone.now() + dt.timedelta(seconds=retry_after)
    try:
        with transaction.atomic():
            ThrottleBlock.objects.create(
                limit=lim.name, key=key[:200], cache_key=cache_key, hits=hits, blocked_until=until
            )
    except IntegrityError:
        ThrottleBlock.objects.filter(cache_key=cache_key).update(hits=hits)


def _refuse(lim: Limit, retry_after: int) -> RateLimitedError:
    return RateLimitedError(retry_after=retry_after, limit=lim.name)


def check(name: str, key: str) -> None:
    """Refuse (``RateLimitedError``) if ``key`` has used up ``name`` in this window; count nothing.

    For limits on failures (wrong passwords): check before trying, :func:`hit` on failure.
    """
    if not enabled():
        return
    lim = limit(name)
    window, retry_after = _window(lim, time.time())
    if _count(_cache_key(lim, key, window)) >= lim.hits:
        raise _refuse(lim, retry_after)


def wait(name: str, key: str) -> int:
    """Seconds until ``key`` may act again under ``name`` (0: it may now); counts nothing.
    What a page shows as a countdown ("send the code again in 42 s")."""
    try:
        check(name, key)
    except RateLimitedError as exc:
        return exc.retry_after
    return 0


def hit(name: str, key: str, *, cost: int = 1, refuse: bool = True) -> bool:
    """Count ``cost`` against ``key``; over the limit: record the block and refuse.

    Returns True when the key is now over its limit (with ``refuse=False`` the caller decides).
    """
    if not enabled():
        return False
    lim = limit(name)
    window, retry_after = _window(lim, time.time())
    cache_key = _cache_key(lim, key, window)
    count = _increment(cache_key, cost, retry_after)
    if count <= lim.hits:
        return False
    if count - cost <= lim.hits:  # the hit that crossed the line records the block
        _record_block(lim, key, cache_key, count, retry_after)
    if refuse:
        raise _refuse(lim, retry_after)
    return True


def fail(name: str, key: str) -> bool:
    """Count one failure (a wrong password or code) against ``key``; refuse nothing now.

    For limits on failures, which :func:`check` guards before each try: the failure that uses
    up the allowance starts the block, so the block is recorded then (administrators see it
    and can lift it). Returns True when ``key`` is now held back until the window ends."""
    if not enabled():
        return False
    lim = limit(name)
    window, retry_after = _window(lim, time.time())
    cache_key = _cache_key(lim, key, window)
    count = _increment(cache_key, 1, retry_after)
    if count == lim.hits:  # incr is atomic: exactly one failure sees the allowance used up
        _record_block(lim, key, cache_key, count, retry_after)
    return count >= lim.hits


def hit_all(pairs: list[tuple[str, str]]) -> None:
    """Count one hit against each (limit, key) pair and refuse if any is over: the whole
    action is refused, but every counter still advances (so retrying does not help)."""
    refusals = []
    for name, key in pairs:
        try:
            hit(name, key)
        except RateLimitedError as exc:
            refusals.append(exc)
    if refusals:
        raise max(refusals, key=lambda e: e.retry_after)


def reset(name: str, key: str) -> None:
    """Forget ``key``'s count in this window (a correct password clears its own failures)."""
    if not enabled():
        return
    lim = limit(name)
    window, _ = _window(lim, time.time())
    try:
        cache.delete(_cache_key(lim, key, window))
    except Exception:
        logger.exception("throttle: cache unreachable")


def clear(name: str, key: str) -> None:
    """Forget ``key``'s count and lift its block in force, if any (after a password reset the
    account's failed sign-ins no longer hold its owner back)."""
    if not enabled():
        return
    reset(name, key)
    from .models import ThrottleBlock

    ThrottleBlock.objects.filter(limit=name, key=key[:200], lifted_at__isnull=True,
                                 blocked_until__gt=timezone.now()).update(lifted_at=timezone.now())


def lift(block, *, by) -> None:
    """An administrator lifts a block: its counter is cleared and the row says who lifted it."""
    from opencity.lib.audit import audit

    try:
        cache.delete(block.cache_key)
    except Exception:
        logger.exception("throttle: cache unreachable")
    block.lifted_at = timezone.now()
    block.lifted_by = by
    block.save(update_fields=["lifted_at", "lifted_by"])
    audit(by, "throttle.lift", block, summary=f"{block.limit} {block.key}")


def client_address(request) -> str:
    """The client's address: ``REMOTE_ADDR``, or — behind ``OPENCITY_TRUSTED_PROXIES`` reverse
    proxies — the address the nearest of them saw in ``X-Forwarded-For``. IPv6 clients are
    counted by their /64, which one household or phone holds."""
    raw = request.META.get("REMOTE_ADDR", "") or ""
    proxies = int(getattr(settings, "OPENCITY_TRUSTED_PROXIES", 0) or 0)
    if proxies:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= proxies:
            raw = hops[-proxies]
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw[:64] or "unknown"
    if address.version == 6 and not address.ipv4_mapped:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address.ipv4_mapped or address) if address.version == 6 else str(address)


def client_key(request) -> str:
    return f"client:{client_address(request)}"
