"""The Redis cache, failing open: with Redis down, a read is a miss and a write is skipped.

Everything kam keeps in the cache can be computed again (the dashboard's totals, the what-if's
figures) or may lapse for a while (the API's request budgets), so an outage of Redis slows pages
down instead of answering 500. A warning says so, at most once a minute per process."""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

OUTAGE_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)
WARNING_INTERVAL_SECONDS = 60


class FailOpenRedisCache(RedisCache):
    _last_warning = 0.0

    def _outage(self, operation: str, error: Exception) -> None:
        now = time.monotonic()
        if now - FailOpenRedisCache._last_warning >= WARNING_INTERVAL_SECONDS:
            FailOpenRedisCache._last_warning = now
            logger.warning(
                "cache unreachable, going on without it",
                extra={"operation": operation, "error": f"{error.__class__.__name__}: {error}"},
            )

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except OUTAGE_ERRORS as error:
            self._outage("get", error)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except OUTAGE_ERRORS as error:
            self._outage("get_many", error)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except OUTAGE_ERRORS as error:
            self._outage("has_key", error)
            return False

    def set(self, key, value, timeout=None, version=None):
        try:
            super().set(key, value, timeout, version)
        except OUTAGE_ERRORS as error:
            self._outage("set", error)

    def set_many(self, data, timeout=None, version=None):
        try:
            return super().set_many(data, timeout, version)
        except OUTAGE_ERRORS as error:
            self._outage("set_many", error)
            return list(data)

    def add(self, key, value, timeout=None, version=None):
        try:
            return super().add(key, value, timeout, version)
        except OUTAGE_ERRORS as error:
            self._outage("add", error)
            return False

    def touch(self, key, timeout=None, version=None):
        try:
            return super().touch(key, timeout, version)
        except OUTAGE_ERRORS as error:
            self._outage("touch", error)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except OUTAGE_ERRORS as error:
            self._outage("delete", error)
            return False

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except OUTAGE_ERRORS as error:
            self._outage("delete_many", error)

    def clear(self):
        try:
            return super().clear()
        except OUTAGE_ERRORS as error:
            self._outage("clear", error)
            return False
