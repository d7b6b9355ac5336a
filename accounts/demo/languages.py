"""The demo's languages: who reads kam in Persian or Polish, and customers whose names are written in
Persian, Chinese and Russian script, so that every page is seen with right-to-left and CJK text."""

from __future__ import annotations

from decimal import Decimal

# username: the language kam speaks to them (the others follow their browser).
DEMO_LANGUAGES = {"shirin": "fa", "marek": "pl"}

# Markets only key accounts come from (the candidates' random draws keep to records.MARKETS).
KEY_ACCOUNT_MARKETS = [  # country, currency, rate to EUR
    ("AE", "AED", Decimal("0.2490")),
    ("TW", "TWD", Decimal("0.0285")),
    ("KZ", "KZT", Decimal("0.0018")),
]

# The people of a customer in these countries, in the script they write their names in.
PEOPLE_BY_COUNTRY = {
    "AE": (
        ["مریم", "علی", "نرگس", "رضا", "فاطمه", "حسین", "سارا", "مهدی"],
        ["احمدی", "حسینی", "کریمی", "موسوی", "رحیمی", "جعفری", "صادقی"],
    ),
    "TW": (
        ["志明", "淑芬", "家豪", "美玲", "建宏", "怡君", "俊傑", "雅婷"],
        ["陳", "林", "黃", "張", "李", "王", "吳"],
    ),
    "KZ": (
        ["Айгерим", "Дмитрий", "Наталья", "Ерлан", "Ольга", "Сергей", "Динара", "Алексей"],
        ["Иванов", "Ахметова", "Смирнов", "Нурланов", "Кузнецова", "Сейткали", "Попова"],
    ),
}
# Chinese names are written family name first, with no space.
FAMILY_NAME_FIRST = {"TW"}


def person_name(country: str, first: str, last: str) -> str:
    return f"{last}{first}" if country in FAMILY_NAME_FIRST else f"{first} {last}"
