"""Writes through the API that are not bulk sync: a versioned PATCH of one record."""

from __future__ import annotations

from django.db import transaction

from kam.core.versions import save_if_unchanged


@transaction.atomic
def record_patch(*, instance, changes: dict, expected_version: int, by) -> None:
    """Apply `changes` to `instance` if nobody saved it since `expected_version` (StaleVersion otherwise).

    Validated like a form save (full_clean), written with the version check, and kept in its history.
    """
    for name, value in changes.items():
        setattr(instance, name, value)
    instance.full_clean()
    save_if_unchanged(instance, expected_version=expected_version, fields=list(changes))
    instance._history_user = author(by)
    type(instance).history.bulk_history_create([instance], update=True)


def author(by):
    """Who history names: a person; a machine (an integration key) is not one of our users."""
    return by if getattr(by, "pk", None) else None
