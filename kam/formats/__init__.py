"""Formats where Django's own for a language are ambiguous, missing or mixed (FORMAT_MODULE_PATH).

Numbers: grouping fixed where Django's defaults would be ambiguous (Persian, Traditional Chinese).
Dates: one format per language, so every page shows a day the same way. Django's own locales give
each language two or three (a long date, a short one, a date with time); a page mixing them read like
three conventions. Here the short forms are the long ones, and a moment is that date with the time.
Input formats stay Django's, so typed dates parse as before. Only what differs from
django/conf/locale/<lang>/formats.py is here: Django falls back to its own module for everything else.
"""
