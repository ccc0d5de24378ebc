"""Matching like INSi, over the simulator's reference base.

By traits: normalised birth name, sex and birth date equal; any first name sent
equal to one of the birth first names, or to the whole list; the birth place only
when one is sent. With a Vitale card: holder NIR, birth date and rank. One match
gives ``00``, none ``01``, several ``02``. Names are compared with
``identito.domain.traits.search_key`` (upper case, no accents, separators ignored).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from identito.adapters.insi.simulator.population import Person
from identito.domain.traits import search_key
from identito.services.teleservice import CardQuery, TraitsQuery, VerificationQuery

TraitsKey = tuple[str, str, str]


def _first_names_match(sent: Iterable[str], listed: str) -> bool:
    names = {search_key(name) for name in listed.split(" ") if name}
    names.add(search_key(listed))
    return any(search_key(name) in names for name in sent)


class ReferenceBase:
    """The persons of the simulated national base, indexed for the three lookups."""

    def __init__(self, persons: Iterable[Person]) -> None:
        self.persons: list[Person] = []
        self._by_traits: dict[TraitsKey, list[Person]] = defaultdict(list)
        self._by_card: dict[tuple[str, str], list[Person]] = defaultdict(list)
        self._by_ins: dict[str, Person] = {}
        for person in persons:
            self.persons.append(person)
            key = (search_key(person.birth_name), person.sex, person.birth_date)
            self._by_traits[key].append(person)
            self._by_card[(person.holder, person.birth_date)].append(person)
            self._by_ins[person.ins_number] = person

    def __len__(self) -> int:
        return len(self.persons)

    def by_traits(self, query: TraitsQuery) -> list[Person]:
        key = (search_key(query.birth_name), query.sex.strip().upper(), query.birth_date.strip())
        place = (query.birth_place_code or "").strip().upper()
        return [
            p
            for p in self._by_traits.get(key, ())
            if _first_names_match(query.first_names, p.birth_first_names)
            and (not place or (p.birth_place_code or "").upper() == place)
        ]

    def by_card(self, query: CardQuery) -> list[Person]:
        holder = query.nir.replace(" ", "")[:13].upper()
        candidates = self._by_card.get((holder, query.birth_date.strip()), ())
        return [p for p in candidates if p.rank == query.rank]

    def verify(self, query: VerificationQuery) -> bool:
        """OK when the matricule, its OID and the traits are those of the base."""
        person = self._by_ins.get(query.ins_number)
        if person is None or person.oid != query.oid:
            return False
        traits = TraitsQuery(
            query.birth_name, query.first_names, query.sex, query.birth_date, query.birth_place_code
        )
        return person in self.by_traits(traits)
