"""Number formats where Django's own would be ambiguous or missing (FORMAT_MODULE_PATH).

Only what differs from django/conf/locale/<lang>/formats.py is here: Django falls back to its own
module for everything else.
"""
