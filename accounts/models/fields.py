"""Field conventions shared by the account domain's tables."""

from django.db import models
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 16, "decimal_places": 2}


def version_field():
    return models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Bumped on every save; an edit based on an older version is refused."),
    )
