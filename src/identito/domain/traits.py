"""Value objects and normalisation rules of the identity traits.

Names and first names follow the INSi character profile (SEL-MP-043 §2, ANS
implementation guide EF_INS10_01/02): upper case A-Z, space, apostrophe, hyphen;
a double hyphen only in names. Diacritics and ligatures are transliterated; a
character with no defined equivalent is rejected, never dropped.

>>> normalize_name("Lætitia d’Arc", field="birth_name")
"LAETITIA D'ARC"
>>> BirthDate.parse("1960-00-00")
BirthDate(raw='1960-00-00', value=datetime.date(1960, 12, 31), corrected=False)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache

from identito.domain.errors import InvalidInput

#: Characters transliterated explicitly (ligatures and letters that Unicode does
#: not decompose). Everything else must decompose to A-Z plus combining marks.
_TRANSLITERATIONS = {
    "Œ": "OE",
    "Æ": "AE",
    "Ð": "D",
    "Þ": "TH",
    "Ø": "O",
    "Ł": "L",
    "Đ": "D",
    "\u2019": "'",  # typographic apostrophes
    "\u2018": "'",
    "\u00a0": " ",  # no-break spaces
    "\u202f": " ",
    "\u02bc": "'",
    "`": "'",
    "\u2010": "-",  # Unicode hyphens
    "\u2011": "-",
}
_ALLOWED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ '-")
_PLAIN = re.compile(r"[A-Z '-]+")
_SEPARATORS = re.compile(r"[-' ]+")


#: Longest stored name or first name (a storage bound: the INSi schemas set none).
MAX_NAME_LENGTH = 100


class NameKind(StrEnum):
    NAME = "name"
    FIRST_NAME = "first_name"


def _transliterate_char(original: str, field: str) -> str:
    char = original.upper()
    if len(char) != 1:  # ß upper-cases to SS: no equivalent in the INSi profile
        char = original
    if char in _ALLOWED:
        return char
    if char in _TRANSLITERATIONS:
        return _TRANSLITERATIONS[char]
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = decomposed[0], decomposed[1:]
    if base in _ALLOWED and base.isalpha() and all(unicodedata.combining(m) for m in marks):
        return base
    shown = char if char.isprintable() else f"U+{ord(char):04X}"
    message = (
        f"Le caractère « {shown} » n'est pas admis : seuls sont admis les lettres "
        f"(accents convertis), l'espace, l'apostrophe et le tiret."
    )
    raise InvalidInput.single(field, "character_not_allowed", message)


#: Syntax rules of the INSi profile: (rule, applies to first names only, test, message).
_SYNTAX_RULES: tuple[tuple[str, bool, Callable[[str], bool], str], ...] = (
    ("leading_separator", False, lambda v: v[0] in " -", "ne commence ni par un espace ni par un tiret"),
    ("double_space", False, lambda v: "  " in v, "ne contient pas deux espaces de suite"),
    ("double_apostrophe", False, lambda v: "''" in v, "ne contient pas deux apostrophes de suite"),
    ("space_beside_apostrophe", False, lambda v: " '" in v or "' " in v, "n'a pas d'espace à côté d'une apostrophe"),
    ("triple_hyphen", False, lambda v: "---" in v, "ne contient pas plus de deux tirets de suite"),
    ("double_hyphen", True, lambda v: "--" in v, "ne contient pas de double tiret (admis dans les noms seulement)"),
    ("trailing_separator", True, lambda v: v[-1] in "-'", "ne finit ni par un tiret ni par une apostrophe"),
    ("no_letter", False, lambda v: not any(c.isalpha() for c in v), "contient au moins une lettre"),
)  # fmt: skip


#: Names that obviously pass every rule: letters joined by single separators.
_SIMPLE = {
    NameKind.NAME: re.compile(r"[A-Z]+(?:(?:--?|[ '])[A-Z]+)*"),
    NameKind.FIRST_NAME: re.compile(r"[A-Z]+(?:[- ']?[A-Z]+)*"),
}


def _check_syntax(value: str, field: str, kind: NameKind) -> None:
    if _SIMPLE[kind].fullmatch(value):
        return
    label = "Le nom" if kind is NameKind.NAME else "Le prénom"
    for rule, first_names_only, broken, text in _SYNTAX_RULES:
        if (kind is NameKind.FIRST_NAME or not first_names_only) and broken(value):
            raise InvalidInput.single(field, rule, f"{label} {text}.")


@lru_cache(maxsize=65536)  # names repeat (MARTIN, MARIE...): imports check each once
def normalize_name(value: str, *, field: str, kind: NameKind = NameKind.NAME) -> str:
    """Return a name or first name in the INSi profile, or raise ``InvalidInput``.

    Leading and trailing white space is trimmed; nothing else is ever dropped.
    """
    text = unicodedata.normalize("NFC", value).strip()
    if not text:
        raise InvalidInput.single(field, "required", "Ce champ est obligatoire.")
    if len(text) > MAX_NAME_LENGTH:
        message = f"Ce champ compte au plus {MAX_NAME_LENGTH} caractères."
        raise InvalidInput.single(field, "too_long", message)
    upper = text.upper()
    if len(upper) == len(text) and _PLAIN.fullmatch(upper):  # fast path (ß -> SS is not)
        result = upper
    else:
        result = "".join(_transliterate_char(c, field) for c in text)
    _check_syntax(result, field, kind)
    return result


def search_key(value: str) -> str:
    """Key used to compare names: profile form without hyphens, apostrophes or spaces.

    Lenient by design (search input is not a stored trait): unknown characters
    are dropped rather than rejected.
    """
    text = unicodedata.normalize("NFD", value.upper())
    out: list[str] = []
    for char in text:
        char = _TRANSLITERATIONS.get(char, char)
        out.extend(c for c in char if "A" <= c <= "Z")
    return "".join(out)


def comparable_first_names(value: str) -> str:
    """First names with hyphen and apostrophe counted as space (agreement rule)."""
    return _SEPARATORS.sub(" ", value).strip()


def first_name_agrees(first: str, first_names: tuple[str, ...]) -> bool:
    """Does the first birth first name agree with the start of the list?

    It must be one or more *whole* first names of the list, taken from its start
    (R-TR-08, R-TR-09, R-MO-08): a hyphenated first name of the list is one
    first name, and hyphen and apostrophe count as space when comparing.

    >>> first_name_agrees("JEAN-CHRISTOPHE", ("JEAN", "CHRISTOPHE", "PIERRE"))
    True
    >>> first_name_agrees("CHRISTOPHE", ("JEAN", "CHRISTOPHE", "PIERRE"))
    False
    >>> first_name_agrees("PIERRE", ("PIERRE-ALAIN", "MURIEL"))
    False
    >>> first_name_agrees("PIERRE ALAIN", ("PIERRE-ALAIN", "MURIEL"))
    True
    """
    if not first_names:
        return True
    head = comparable_first_names(first)
    start = ""
    for name in first_names:
        start = f"{start} {comparable_first_names(name)}".strip()
        if start == head:
            return True
        if len(start) >= len(head):
            return False
    return False


class Sex(StrEnum):
    MALE = "M"
    FEMALE = "F"
    INDETERMINATE = "I"

    @property
    def label(self) -> str:
        return SEX_LABELS[self]

    @property
    def known_to_insi(self) -> bool:
        """INSi only knows M and F (R-TR-14): I is never sent nor confirmed."""
        return self in INSI_SEXES

    @classmethod
    def parse(cls, value: str, *, field: str = "sex") -> Sex:
        try:
            return cls((value or "").strip().upper())
        except ValueError:
            message = "Le sexe vaut M (masculin), F (féminin) ou I (indéterminé)."
            raise InvalidInput.single(field, "sex_value", message) from None


SEX_LABELS = {Sex.MALE: "Masculin", Sex.FEMALE: "Féminin", Sex.INDETERMINATE: "Indéterminé"}


#: The only sexes the INSi teleservice accepts and returns (R-TR-14).
INSI_SEXES = frozenset({Sex.MALE, Sex.FEMALE})


_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)  # no other scripts' digits


@dataclass(frozen=True)
class BirthDate:
    """A birth date as received, and the date it completes to.

    An exceptional date has day and/or month ``00`` (INSi may return one): it is
    kept as received in ``raw``; ``value`` completes it (day 00 -> 01, month 00
    -> 01, both -> 31/12) and ``uncertain`` is true.

    ``corrected`` is the "date de naissance corrigée" indicator (HL7 ZFD-4, FR Core
    ``birthdate-update-indicator``): the date was corrected (rules 9/10 of the INS
    guide), so it is uncertain too (R-TR-11, R-TR-12).
    """

    raw: str
    value: date
    corrected: bool = False

    @property
    def exceptional(self) -> bool:
        """Day and/or month ``00``."""
        return self.raw != self.value.isoformat()

    @property
    def uncertain(self) -> bool:
        """Exceptional or corrected: no RECUP/QUAL, the matricule is never diffused."""
        return self.exceptional or self.corrected

    @classmethod
    def parse(
        cls,
        raw: str,
        *,
        today: date | None = None,
        field: str = "birth_date",
        corrected: bool = False,
    ) -> BirthDate:
        match = _DATE.match((raw or "").strip())
        if not match:
            message = "La date de naissance s'écrit AAAA-MM-JJ."
            raise InvalidInput.single(field, "date_format", message)
        year, month, day = (int(g) for g in match.groups())
        earliest = (year, month or 1, day or 1)  # an exceptional date may be today's year
        if month == 0 and day == 0:
            month, day = 12, 31
        else:
            month, day = month or 1, day or 1
        try:
            value = date(year, month, day)
        except ValueError:
            message = f"La date de naissance {raw} n'existe pas."
            raise InvalidInput.single(field, "date_invalid", message) from None
        if today is not None and earliest > (today.year, today.month, today.day):
            message = "La date de naissance ne peut pas être dans le futur."
            raise InvalidInput.single(field, "date_in_future", message)
        return cls(match.group(0), value, corrected)


UNKNOWN_BIRTH_PLACE = "99999"
_PLACE = re.compile(r"^(\d{5}|2[AB]\d{3})$", re.ASCII)


def normalize_place_code(value: str, *, field: str = "birth_place_code") -> str:
    code = (value or "").strip().upper()
    if not code:
        raise InvalidInput.single(field, "required", "Ce champ est obligatoire.")
    if not _PLACE.match(code):
        message = (
            "Le code lieu de naissance est un code INSEE à 5 caractères (2A/2B pour la Corse)."
        )
        raise InvalidInput.single(field, "place_format", message)
    return code
