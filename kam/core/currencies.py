"""ISO 3166 countries and ISO 4217 currencies, from pycountry, as choices and validators."""

from functools import cache

import pycountry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


@cache
def currency_codes() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.currencies)


@cache
def country_choices() -> list[tuple[str, str]]:
    return sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda pair: pair[1])


@cache
def country_codes() -> frozenset[str]:
    return frozenset(code for code, _name in country_choices())


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code) if code else None
    return country.name if country else code


# One message whatever the path (form, admin, API, CRM sync): the same bad code reads the same.
UNKNOWN_CURRENCY = gettext_noop("“%(value)s” is not an ISO 4217 currency code (for example EUR, USD, PLN).")


def validate_currency(value: str) -> None:
    if value not in currency_codes():
        raise ValidationError(
            _(UNKNOWN_CURRENCY),
            code="unknown_currency",
            params={"value": value},
        )


def validate_country(value: str) -> None:
    if value not in country_codes():
        raise ValidationError(
            _("“%(value)s” is not an ISO 3166 country code (for example PL, DE, US)."),
            code="unknown_country",
            params={"value": value},
        )
