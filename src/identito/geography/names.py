"""Normalisation of place names into search keys.

A key is lower case ASCII, every run of characters other than letters and digits
(hyphen, apostrophe, space, parenthesis...) becomes one space:

>>> name_key("L'Abergement-Clémenciat")
'l abergement clemenciat'
>>> name_key("Allemagne de l’Est")
'allemagne de l est'
>>> query_key("Sainte-")
'sainte '
>>> query_key("st  Étienne")
'saint etienne'
>>> query_key("st")
'st'
"""

from __future__ import annotations

import re

from unidecode import unidecode

_SEPARATORS = re.compile(r"[^a-z0-9]+")
_ABBREVIATIONS = {"st": "saint", "ste": "sainte"}


def name_key(text: str) -> str:
    """Search key of a place name."""
    return _SEPARATORS.sub(" ", unidecode(text).lower()).strip()


def query_key(text: str) -> str:
    """Search key of what a user typed.

    Complete words ``St``/``Ste`` are expanded; a trailing separator is kept, so that ``sainte-``
    only matches names whose first word is ``sainte``.
    """
    key = name_key(text)
    if not key:
        return ""
    trailing = " " if _SEPARATORS.fullmatch(unidecode(text[-1]).lower() or " ") else ""
    words = key.split(" ")
    complete = words if trailing else words[:-1]  # the last word may still be typed
    expanded = [_ABBREVIATIONS.get(word, word) for word in complete]
    return " ".join(expanded + words[len(complete) :]) + trailing
