"""What a browser view does with a form's save: the field errors, or the other person's newer values.

Every view that saves a form through a service calls `submit`; it answers how the page should come
back (422 with field messages, 409 keeping what was typed beside what the other person saved, or
saved) so that no view carries its own copy of that translation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from kam.core.versions import StaleVersion


@dataclass
class Submission:
    """How a posted form fared: saved, refused with field messages (422), or stale (409)."""

    status: int
    result: Any = None
    current: Any = None  # what the other person saved, on a 409
    their_values: list[tuple[str, str]] = field(default_factory=list)

    @property
    def saved(self) -> bool:
        return self.status == 200


def attach_errors(form, error: ValidationError) -> None:
    """A service's error goes to the form's field of that name, or to the whole form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def their_values(form, current, *, names=None) -> list[tuple[str, str]]:
    """What the other person saved, field by field (the form's visible fields, or `names`)."""
    values = []
    if names is None:
        names = [name for name, f in form.fields.items() if not f.widget.is_hidden]
    for name in names:
        if not hasattr(current, name):
            continue
        label = form.fields[name].label if name in form.fields else None
        if label is None:
            label = current._meta.get_field(name).verbose_name
        display = getattr(current, f"get_{name}_display", None)
        value = display() if display else getattr(current, name)
        if hasattr(value, "all"):
            value = ", ".join(str(v) for v in value.all())
        values.append((str(label), "" if value is None else str(value)))
    return values


def keep_what_was_typed(form, current, *, seen: str = "version") -> None:
    """Everything typed stays in the form; only what was seen moves on, so saving again is deliberate."""
    form.data = form.data.copy()
    form.data[form.add_prefix(seen)] = current.pk if seen == "based_on" else current.version


def submit(
    form,
    save: Callable,
    *,
    seen: str = "version",
    describe: Callable | None = None,
) -> Submission:
    """Validate `form`, then `save(form)` through a service; translate its errors for the page."""
    if not form.is_valid():
        return Submission(422)
    try:
        result = save(form)
    except StaleVersion as stale:
        keep_what_was_typed(form, stale.current, seen=seen)
        values = (describe or their_values)(form, stale.current)
        return Submission(409, current=stale.current, their_values=values)
    except ValidationError as error:
        attach_errors(form, error)
        return Submission(422)
    return Submission(200, result=result)
