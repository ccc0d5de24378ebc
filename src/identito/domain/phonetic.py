"""A French phonetic key for names: spellings that sound alike get the same key.

The key is used twice by duplicate detection: as a blocking key (a typo in the
first letters of a name that keeps its sound, such as ``CHMIDT`` for ``SCHMIDT``
or ``KATERINE`` for ``CATHERINE``, still brings the pair together) and as an
agreement level between ``exact`` and ``close``.

Why our own: no French phonetic algorithm on PyPI is both maintained and
widely used (``phonex`` 0.0.2 and ``abydos`` have had no release since 2020-2021,
``phonetic-fr`` is a young single-author package), and the key is **stored**
in the database (``birth_name_phonetic``, ``used_name_phonetic``): a change in a
third-party rule would silently split blocks until a backfill. The rules below
are a small Phonex/Soundex-FR-like reduction of French spelling, applied to the
search key (A-Z only), in order:

1. silent ``H`` (not in ``CH``/``PH``/``SH``), ``PH`` -> ``F``, ``TH`` -> ``T``;
2. ``SCH``/``SH``/``CH`` -> ``S`` (``CH`` before a consonant -> ``K``), ``GN`` -> ``NI``;
3. soft and hard ``C``/``G``: ``C`` before E/I/Y -> ``S`` else ``K``,
   ``G`` before E/I/Y -> ``J``, ``GU`` before a vowel -> ``G``, ``QU``/``Q``/``CK`` -> ``K``;
4. ``X`` -> ``KS`` (final ``X`` is silent), ``W`` -> ``V``, ``Y`` -> ``I``, ``Z`` -> ``S``
   (a final ``Z`` is kept: MARTINEZ is not MARTIN);
5. vowel groups: ``EAU``/``AU`` -> ``O``, ``OU`` -> ``U``, ``AI``/``EI`` -> ``E``,
   ``OI`` -> ``OA``; nasals ``EN``/``EM``/``AM`` (not before a vowel) -> ``AN``,
   ``AIN``/``EIN``/``UN``/``IM`` -> ``IN``, ``OM`` -> ``ON``;
6. silent endings: final ``ER``/``ET`` -> ``E``, then a final ``E``, ``S``, ``T``,
   ``D``, ``X`` (repeatedly, keeping at least two letters);
7. doubled letters collapse.

>>> phonetic_key("DUPONT") == phonetic_key("DUPOND") == phonetic_key("DUPON")
True
>>> phonetic_key("SCHMIDT") == phonetic_key("CHMIDT")
True
>>> phonetic_key("CATHERINE") == phonetic_key("KATERINE")
True
>>> phonetic_key("GAUTHIER") == phonetic_key("GAUTIER") == phonetic_key("GOTIER")
True
>>> phonetic_key("PHILIPPE") == phonetic_key("FILIPE")
True
>>> phonetic_key("MARTIN") == phonetic_key("MARTINEZ")
False
>>> phonetic_key("BERNARD"), phonetic_key("LEFEBVRE"), phonetic_key("")
('BERNAR', 'LEFEBVR', '')
"""

from __future__ import annotations

import re
from functools import lru_cache

_VOWEL = "AEIOUY"
_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"(?<![CPS])H", ""),
        (r"PH", "F"),
        (r"TH", "T"),
        (r"S?CH(?=[^AEIOUY]|$)", "K"),
        (r"S?C?[CS]H", "S"),
        (r"GN", "NI"),
        (r"C(?=[EIY])", "S"),
        (r"QU|Q|CK|C", "K"),
        (r"G(?=[EIY])", "J"),
        (r"GU(?=[AEIOUY])", "G"),
        (r"X$", ""),
        (r"X", "KS"),
        (r"W", "V"),
        (r"Y", "I"),
        (r"Z(?!$)", "S"),
        (r"EAU|AU", "O"),
        (r"OU", "U"),
        (r"[AE]I(?=N(?![AEIOU]))", "I"),
        (r"AI|EI", "E"),
        (r"OI", "OA"),
        (r"(?:EN|EM|AM)(?![AEIOU])", "AN"),
        (r"(?:UN|IM)(?![AEIOU])", "IN"),
        (r"OM(?![AEIOU])", "ON"),
        (r"E[RT]$", "E"),
        (r"(?<=..)[ESTDX]+$", ""),
        (r"(.)\1+", r"\1"),
    )
)


@lru_cache(maxsize=262144)
def phonetic_key(key: str) -> str:
    """The phonetic key of a search key (A-Z only, as ``traits.search_key`` gives)."""
    out = key
    for pattern, replacement in _RULES:
        out = pattern.sub(replacement, out)
    return out
