"""Haitian Creole is not in Django's built-in language table; add it once at start."""

from django.conf.locale import LANG_INFO

LANG_INFO.setdefault(
    "ht",
    {"bidi": False, "code": "ht", "name": "Haitian Creole", "name_local": "Kreyòl ayisyen"},
)
