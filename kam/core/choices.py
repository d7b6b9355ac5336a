"""Choice labels read cheaply, in the reader's language.

Django's `get_FOO_display()` builds a hashable copy of the field's choices on every call, and hashing a
lazy label translates it: each call translated every label of the field. The account page, showing
the kind of each interaction and the role and attitude of each person, made some 2,500 translations
that way. `ChoiceLabels` looks the value up in a dict built once per field; the label found stays
lazy, so it is translated once, in the language active when it is shown.
"""

from __future__ import annotations

from functools import cache

from django.utils.encoding import force_str


@cache
def _labels(field) -> dict:
    return {value: label for value, label in field.flatchoices}


class ChoiceLabels:
    """A mixin for models with choice fields, listed before `models.Model` (or another model base)."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        try:
            label = _labels(field).get(value, value)
        except TypeError:  # an unhashable value: Django's own way, which can compare it
            return super()._get_FIELD_display(field)
        return force_str(label, strings_only=True)
