"""Parameters of the duplicate model, term frequencies, and their estimation (EM).

A Fellegi–Sunter model gives each agreement level of each trait two
probabilities: ``m`` when both records are the same person, ``u`` when they are
two persons; the level weighs ``log2(m / u)``. ``DEFAULT`` is the documented
fixed choice used until the parameters are estimated on the base
(docs/duplicates.md); ``estimate_m`` runs expectation-maximisation on counted
agreement patterns with ``u`` held fixed (estimated on random pairs), as Splink
does, and maximises the posterior rather than the likelihood: each trait's ``m``
starts from ``PSEUDO_MATCHES`` pseudo-matches distributed as ``DEFAULT``'s (a
Dirichlet prior), so little evidence leaves ``m`` near the documented choice.

Twins: two persons born the same day to the same family share the name, the
date and often the place, which the product of independent weights takes for
overwhelming evidence of a match; only their first names differ. The model
carries a third class for them (``twins``: twin pairs per duplicate pair in
the base): a pair with the same birth name and date and different first names
(``is_twin_pattern``) gets the posterior odds ``1 / (1/odds + twins / m_twin)``
where ``m_twin`` is the chance that a duplicate shows that pattern (see
``ModelParameters.twin_odds``).

Term-frequency adjustment: an agreement on a common value (MARTIN, JEAN, a
birth country) is less telling than on a rare one. The adjustment is ``log2(Σf² / f(value))``
where ``Σf²`` is the chance that two random records share a value of that trait
and ``f(value)`` the share of the agreed value (at least ``floor``).

>>> tf = TermFrequencies({Trait.NAME: {"MARTIN": 0.01, "ZORN": 0.0001}}, {Trait.NAME: 0.001})
>>> round(tf.adjustment(Trait.NAME, "MARTIN"), 2), round(tf.adjustment(Trait.NAME, "ZORN"), 2)
(-3.32, 3.32)
>>> tf.adjustment(Trait.FIRST_NAMES, "JEAN")
0.0
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Agreement(StrEnum):
    EXACT = "exact"
    PHONETIC = "phonetic"  # same French phonetic key, different spelling
    CLOSE = "close"
    DIFFERENT = "different"
    MISSING = "missing"

    @property
    def label(self) -> str:
        return AGREEMENT_LABELS[self]


AGREEMENT_LABELS = {
    Agreement.EXACT: "= Identique",
    Agreement.PHONETIC: "≈ Même prononciation",
    Agreement.CLOSE: "≈ Proche",
    Agreement.DIFFERENT: "≠ Différent",
    Agreement.MISSING: "? Non comparable",
}


class Trait(StrEnum):
    """The compared traits (names are cross-compared birth/used)."""

    NAME = "name"
    FIRST_NAMES = "first_names"
    BIRTH_DATE = "birth_date"
    SEX = "sex"
    BIRTH_PLACE = "birth_place_code"
    INS = "ins"

    @property
    def label(self) -> str:
        return TRAIT_LABELS[self]


TRAIT_LABELS = {
    Trait.NAME: "Nom (de naissance / utilisé)",
    Trait.FIRST_NAMES: "Prénom(s) de naissance",
    Trait.BIRTH_DATE: "Date de naissance",
    Trait.SEX: "Sexe",
    Trait.BIRTH_PLACE: "Lieu de naissance",
    Trait.INS: "Matricule INS",
}


Levels = Mapping[Agreement, tuple[float, float]]
_E, _P, _C, _D = Agreement.EXACT, Agreement.PHONETIC, Agreement.CLOSE, Agreement.DIFFERENT
#: Traits whose parameters are estimated (``INS`` stays fixed: a rule, not a guess).
ESTIMATED = (Trait.NAME, Trait.FIRST_NAMES, Trait.BIRTH_DATE, Trait.SEX, Trait.BIRTH_PLACE)
#: Traits with a term-frequency adjustment on agreement on a value.
TF_TRAITS = (Trait.NAME, Trait.FIRST_NAMES, Trait.BIRTH_PLACE)
#: Strength of the prior of the estimation: pseudo-matches per trait, as ``DEFAULT``.
PSEUDO_MATCHES = 500.0
#: Twin pairs per duplicate pair assumed by ``DEFAULT`` (docs/duplicates.md: about
#: 1.7 % of births are multiple, both twins are in one base a fraction of the time,
#: and a base holds duplicates for 1-2 % of its records).
DEFAULT_TWINS = 0.25


@dataclass(frozen=True)
class ModelParameters:
    """``(m, u)`` per trait and level, and the prior log2-odds of a match."""

    levels: Mapping[Trait, Levels]
    prior: float
    estimated: bool = False
    details: Mapping[str, Any] = field(default_factory=dict)
    twins: float = DEFAULT_TWINS  # twin pairs per duplicate pair in the base

    def weight(self, trait: Trait, agreement: Agreement) -> float:
        if agreement is Agreement.MISSING:
            return 0.0
        m, u = self.levels[trait][agreement]
        return math.log2(m / u)

    @property
    def m_twin(self) -> float:
        """Chance that a duplicate shows the twin pattern (same name and date, first
        names different)."""
        lv = self.levels
        return (lv[Trait.NAME][_E][0] * lv[Trait.BIRTH_DATE][_E][0]
                * lv[Trait.FIRST_NAMES][_D][0])  # fmt: skip

    def twin_odds(self, odds: float) -> float:
        """Log2-odds of a twin-pattern pair, with the twin class beside the two others:
        posterior odds ``1 / (1/odds + twins / m_twin)``."""
        if self.twins <= 0.0:
            return odds
        ratio = self.twins / max(self.m_twin, 1e-12)
        return -math.log2(math.pow(2.0, -min(max(odds, -1000.0), 1000.0)) + ratio)

    def to_json(self) -> dict[str, Any]:
        return {
            "prior": self.prior,
            "estimated": self.estimated,
            "details": dict(self.details),
            "twins": self.twins,
            "levels": {
                t.value: {a.value: list(mu) for a, mu in levels.items()}
                for t, levels in self.levels.items()
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ModelParameters:
        levels = {
            Trait(t): {Agreement(a): (float(mu[0]), float(mu[1])) for a, mu in lv.items()}
            for t, lv in data["levels"].items()
        }
        return cls(
            levels, float(data["prior"]), bool(data["estimated"]), data.get("details", {}),
            float(data.get("twins", DEFAULT_TWINS)),
        )  # fmt: skip


DEFAULT = ModelParameters(
    levels={
        Trait.NAME: {_E: (0.90, 0.01), _P: (0.03, 0.004), _C: (0.05, 0.02), _D: (0.02, 0.966)},
        Trait.FIRST_NAMES: {_E: (0.86, 0.02), _P: (0.02, 0.005), _C: (0.10, 0.03),
                            _D: (0.02, 0.945)},
        Trait.BIRTH_DATE: {_E: (0.95, 0.003), _C: (0.03, 0.001), _D: (0.02, 0.996)},
        Trait.SEX: {_E: (0.98, 0.5), _D: (0.02, 0.5)},
        Trait.BIRTH_PLACE: {_E: (0.90, 0.05), _C: (0.07, 0.05), _D: (0.03, 0.90)},
        Trait.INS: {_D: (0.02, 0.30)},  # same active INS: blocking, not weighed
    },
    prior=-14.0,
)  # fmt: skip


@dataclass(frozen=True)
class TermFrequencies:
    """Shares of the common values of names, first names and birth places in the base."""

    shares: Mapping[Trait, Mapping[str, float]]
    sums: Mapping[Trait, float]  # Σf²: chance that two random records share a value
    floors: Mapping[Trait, float] = field(default_factory=dict)  # a value seen once

    def adjustment(self, trait: Trait, value: str) -> float:
        total = self.sums.get(trait, 0.0)
        if total <= 0.0:
            return 0.0
        floor = self.floors.get(trait, 1e-6)
        return math.log2(total / max(self.shares.get(trait, {}).get(value, floor), floor))


NO_FREQUENCIES = TermFrequencies({}, {})

#: An agreement pattern: one level per estimated trait, in ``ESTIMATED`` order.
Pattern = tuple[Agreement, ...]


def estimate_m(
    counts: Mapping[Pattern, int],
    *,
    u: Mapping[Trait, Levels],
    start: ModelParameters,
    fixed: Sequence[Trait] = (),
    iterations: int = 40,
    pseudo: float = PSEUDO_MATCHES,
) -> tuple[dict[Trait, dict[Agreement, float]], float]:
    """EM on counted patterns: ``m`` per trait and level and the share of matches.

    ``u`` is held fixed; traits in ``fixed`` (the blocked ones) keep ``start``'s m
    and do not enter the likelihood, since blocking decided them. The M step is a
    maximum a posteriori: ``pseudo`` matches spread as ``start``'s ``m`` are added to
    the expected counts of each trait (a Dirichlet prior; 0 gives plain EM).
    """
    m, share, _ = _em(counts, u, start, fixed, iterations, pseudo, twin_class=False)
    return m, share


def estimate_m_twins(
    counts: Mapping[Pattern, int],
    *,
    u: Mapping[Trait, Levels],
    start: ModelParameters,
    fixed: Sequence[Trait] = (Trait.BIRTH_DATE,),
    iterations: int = 40,
    pseudo: float = PSEUDO_MATCHES,
) -> tuple[dict[Trait, dict[Agreement, float]], float, float]:
    """``estimate_m`` on same-date pairs with a third class, twins: ``m``, the share
    of matches and the share of twins.

    A twin pair shows the same birth name and different first names (probability
    1) and its other free traits as a match does. The likelihood alone cannot tell
    a twin from a duplicate whose first name changed entirely; the prior on ``m``
    (``pseudo``) does: a different first name stays rare among duplicates and the
    excess of such pairs goes to the twin class.
    """
    return _em(counts, u, start, fixed, iterations, pseudo, twin_class=True)


def _em(
    counts: Mapping[Pattern, int],
    u: Mapping[Trait, Levels],
    start: ModelParameters,
    fixed: Sequence[Trait],
    iterations: int,
    pseudo: float,
    *,
    twin_class: bool,
) -> tuple[dict[Trait, dict[Agreement, float]], float, float]:
    m = {t: {a: mu[0] for a, mu in start.levels[t].items()} for t in ESTIMATED}
    share, twin = 0.01, (0.001 if twin_class else 0.0)
    if not counts:  # nothing to learn from: the start stands
        return m, 0.0, 0.0
    free = [i for i, t in enumerate(ESTIMATED) if t not in fixed]
    name, first = ESTIMATED.index(Trait.NAME), ESTIMATED.index(Trait.FIRST_NAMES)
    twin_class = twin_class and name in free and first in free
    total = max(sum(counts.values()), 1)
    for _ in range(iterations):
        totals = {t: {a: 1e-9 + pseudo * start.levels[t][a][0] for a in m[t]} for t in ESTIMATED}
        matched = twinned = 0.0
        for pattern, count in counts.items():
            p_m, p_u, p_t = share, 1.0 - share, twin
            for i in free:
                level = pattern[i]
                if level is not Agreement.MISSING:
                    p_m *= m[ESTIMATED[i]][level]
                    p_u *= u[ESTIMATED[i]][level][1]
                    if i not in (name, first):
                        p_t *= m[ESTIMATED[i]][level]
            if not (twin_class and pattern[name] is _E and pattern[first] is _D):
                p_t = 0.0
            whole = p_m + p_u + p_t
            posterior = p_m / whole if whole > 0 else 0.0
            matched += posterior * count
            twinned += (p_t / whole if whole > 0 else 0.0) * count
            for i in free:
                level = pattern[i]
                if level is not Agreement.MISSING:
                    totals[ESTIMATED[i]][level] += posterior * count
        share = min(max(matched / total, 1e-9), 0.5)
        twin = min(twinned / total, 0.5) if twin_class else 0.0
        for i in free:
            trait = ESTIMATED[i]
            whole = sum(totals[trait].values())
            m[trait] = {a: max(v / whole, 1e-4) for a, v in totals[trait].items()}
    return m, share, twin
