"""A fixed-window counter in the cache, for actions that send something (password reset e-mails).

It fails open: with the cache unreachable the action goes on, and a warning says the limit is off."""

from __future__ import annotations

import hashlib
import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


def within_limit(scope: str, ident: str, *, limit: int, period_seconds: int) -> bool:
    """Count one use of (scope, ident); False once it is used more than `limit` times in the window."""
    key = f"ratelimit:{scope}:{hashlib.sha256(ident.encode()).hexdigest()}"
    try:
        if cache.add(key, 1, timeout=period_seconds):
            return True
        count = cache.incr(key)
    except ValueError:  # the window ended between add and incr: this use starts a new one
        cache.set(key, 1, timeout=period_seconds)
        return True
    except Exception:
        logger.warning(
            "rate limit not applied: the cache is unreachable", extra={"scope": scope}, exc_info=True
        )
        return True
    return count <= limit
