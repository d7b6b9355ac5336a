"""No lost updates: a version number per row, checked and bumped in the same UPDATE.

The browser's edit forms carry the version they were loaded at; the API's ETag is the same number.
When someone saved in between, the write matches no row and the second person is told.
"""

from __future__ import annotations

import functools

from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _


class StaleVersion(Exception):
    """Someone else saved this record after it was loaded; `current` is what they saved."""

    def __init__(self, current):
        super().__init__(_("Someone else changed this after you opened it."))
        self.current = current


@functools.cache
def history_manager(model: type[models.Model]):
    """The model's simple-history manager, None for a model without history. Kept: simple-history
    builds a new manager class on every `model.history` (with inspect.getmembers, about half a
    millisecond), which the account page's history did a dozen times per view."""
    return getattr(model, "history", None)


def save_if_unchanged(instance: models.Model, *, expected_version: int, fields: list[str]) -> None:
    """Write `fields` of `instance` only if the stored version is still `expected_version`."""
    model = type(instance)
    values = {name: getattr(instance, name) for name in fields}
    if any(f.name == "updated_at" for f in model._meta.fields):
        values["updated_at"] = timezone.now()
    updated = model._default_manager.filter(pk=instance.pk, version=expected_version).update(
        version=F("version") + 1, **values
    )
    if not updated:
        raise StaleVersion(model._default_manager.get(pk=instance.pk))
    instance.version = expected_version + 1


def save_versioned(instance, *, expected_version: int | None, fields: list[str], by=None):
    """Validate, then insert, or update only if nobody saved since `expected_version` (with history).

    Every service that writes a versioned record ends here: one check, one bump, one history row
    naming `by`. An update without an expected version is refused like a stale one.
    """
    instance.full_clean()
    # History names `by`, never whoever the request happens to carry (an integration key is no user).
    instance._history_user = by
    if instance.pk is None:
        instance.save()
        return instance
    history = history_manager(type(instance))
    if history is not None:
        _keep_the_starting_state(history, instance)
    save_if_unchanged(instance, expected_version=expected_version or 0, fields=fields)
    # save_if_unchanged writes with UPDATE, which simple-history does not see: record it here.
    if history is not None:
        history.bulk_history_create([instance], update=True, default_user=by)
    return instance


def _keep_the_starting_state(history, instance) -> None:
    """Record the stored row as its creation when no history holds it yet (rows bulk-inserted by the
    demo or a migration): the first change would otherwise have no old values to show."""
    if history.filter(id=instance.pk).exists():
        return
    stored = type(instance)._default_manager.filter(pk=instance.pk).first()
    if stored is None:
        return  # gone: save_if_unchanged reports it
    history.bulk_history_create(
        [stored], update=False, default_user=None, default_date=getattr(stored, "created_at", None)
    )
