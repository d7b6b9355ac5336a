"""One date format per language (settings.FORMAT_MODULE_PATH): every page shows a day the same way.

Django's own locales give each language two or three (a long date, a short one, a date with time); a
page mixing them read like three conventions. Here the short forms are the long ones, and a moment is
that date with the time. Input formats stay Django's, so typed dates parse as before.
"""
