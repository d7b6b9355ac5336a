# Persian groups thousands with the Arabic thousands separator and writes the Arabic decimal
# separator; Django's defaults group nothing. Dates are shown in the Solar Hijri calendar by the
# local_date filter (accounts/templatetags/kam_format.py), so these Gregorian formats are fallbacks.
DECIMAL_SEPARATOR = "\u066b"
THOUSAND_SEPARATOR = "\u066c"
NUMBER_GROUPING = 3
