"""Model fields the project needs on both databases."""

from __future__ import annotations

import json

from django.db import models


class FloatListField(models.Field):
    """A list of floats (None for a gap) kept whole in one column: a `double precision[]` on PostgreSQL,
    where SQL reads an item without parsing anything, and JSON text elsewhere."""

    description = "A list of floats"

    def db_type(self, connection) -> str:
        return "double precision[]" if connection.vendor == "postgresql" else "text"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        if isinstance(value, str):
            return json.loads(value)
        return list(value)

    def to_python(self, value):
        if value is None or isinstance(value, list):
            return value
        if isinstance(value, str):
            return json.loads(value)
        return list(value)

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        items = [None if item is None else float(item) for item in value]
        return items if connection.vendor == "postgresql" else json.dumps(items)
