#!/usr/bin/env python
"""Django's command-line utility for administrative tasks.

What an operator gets wrong (a setting, a database that is not there, Redis down) ends in one line
saying what and where, not a traceback; --traceback shows the traceback as usual."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")
    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(sys.argv)
    except Exception as error:
        message = operator_error(error)
        if message is None or "--traceback" in sys.argv:
            raise
        sys.stderr.write(f"kam: {message}\n")
        sys.exit(1)


def operator_error(error: BaseException) -> str | None:
    """One line for the failures an operator can fix; None for a bug, which keeps its traceback."""
    from django.core.exceptions import ImproperlyConfigured
    from django.db import DatabaseError, OperationalError
    from kombu.exceptions import OperationalError as BrokerError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    first_line = (str(error).strip().splitlines() or [error.__class__.__name__])[0]
    if isinstance(error, ImproperlyConfigured):
        return f"bad settings: {first_line}"
    if isinstance(error, (RedisConnectionError, RedisTimeoutError, BrokerError)):
        return f"Redis (cache or broker) is unreachable: {first_line}"
    if isinstance(error, OperationalError) and "no such table" in first_line:
        return f"the database is not migrated ({first_line}): run `manage.py migrate`"
    if isinstance(error, (OperationalError, DatabaseError)):
        return f"the database is unreachable or missing: {first_line} (check DATABASE_URL)"
    return None


if __name__ == "__main__":
    main()
