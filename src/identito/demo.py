"""Demo data: one account per role, the CNDA test persons and synthetic identities.

The CNDA persons are the public fictitious test identities of the INSi test
service (transcribed in ``../shared/reference/insi/cnda-test-persons.json``); in
the demo they carry the test OID so that no demo matricule passes for a real one.
A few fictitious pairs show the duplicate worklist: a typing error, a married
name typed as the birth name, day and month swapped, and two homonyms.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

from identito.bootstrap import Container
from identito.domain.identifiers import Ins, Oid
from identito.domain.permissions import Role
from identito.services.auth import SYSTEM, add_user
from identito.services.duplicate_reviews import run_scan
from identito.services.duplicate_scan import scan_pairs
from identito.services.identities import create_identity, validate_identity
from identito.services.imports import import_identities
from identito.services.interface_accounts import declare_interface_account
from identito.synthetic import synthetic_identities


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: Role


DEMO_ACCOUNTS = (
    DemoAccount("admin", "cle-demo-gestion", Role.ADMIN),
    DemoAccount("civ", "cle-demo-vigilance", Role.IDENTITY_VIGILANCE),
    DemoAccount("accueil", "cle-demo-admission", Role.ADMISSION),
    DemoAccount("soignant", "cle-demo-soins", Role.CARE),
    DemoAccount("stats", "cle-demo-indicateurs", Role.STATISTICS),
    DemoAccount("interface", "cle-demo-reception", Role.INTERFACE),
)
#: The demo interface account (compte d'interface): any domain, from this machine only,
#: so that a local test sender can use ``identito mllp serve`` and ``POST /api/v1/hl7v2``.
DEMO_SENDER_DOMAINS, DEMO_SENDER_ADDRESSES = ("*",), ("127.0.0.1/32", "::1/128")

#: (birth name, birth first names, sex, birth date, birth place, matricule, OID, qualified)
CNDA_PERSONS = (
    ("ADRUN", "ZOE", "F", "1975-12-31", "63220", "275126322074974", Oid.NIR_TEST, True),
    ("ECETINSI", "PIERRE-ALAIN MURIEL FLORIANT", "M", "2009-07-14", "63220",
     "109076322083489", Oid.NIR_TEST, True),
    ("CORSE", "ANTHONY", "M", "1980-03-02", "2B020", "180032B02040123", Oid.NIR_TEST, False),
    ("NESSI", "MICHELANGELO ANTHONY", "M", "2010-08-07", "63220", "110086322083060",
     Oid.NIR_TEST, False),
    ("TCHITCHI", "CATARINA BELLA", "F", "1936-06-21", "63220", "236066322083656",
     Oid.NIR_TEST, True),
    ("PROVISOIRE", "MATRICULE", "M", "2009-07-01", "63220", "109076322088835", Oid.NIA, False),
)  # fmt: skip


#: Pairs of fictitious records for the duplicate worklist (birth name, used name,
#: first names, sex, birth date, birth place): same person twice, or homonyms.
DEMO_PAIRS = (
    (("LEFEBVRE", None, "CLAIRE ANNE", "F", "1984-05-17", "69383"),
     ("LEFEVRE", None, "CLAIRE", "F", "1984-05-17", "69383")),
    (("BERNARD", "ROUSSEAU", "JULIE", "F", "1979-11-02", "33063"),
     ("ROUSSEAU", None, "JULIE", "F", "1979-11-02", "33063")),
    (("GIRARD", None, "THOMAS", "M", "1990-04-08", "75116"),
     ("GIRARD", None, "THOMAS", "M", "1990-08-04", "75116")),
    (("PETIT", None, "LOUIS", "M", "1950-01-01", "59350"),
     ("PETIT", None, "LOUIS", "M", "1950-01-01", "13205")),
)  # fmt: skip


def demo_loaded(container: Container) -> bool:
    with container.uow_factory() as uow:
        return uow.users.get(DEMO_ACCOUNTS[0].username) is not None


def load_demo(container: Container, *, synthetic: int = 500) -> None:
    """Create the demo accounts and identities (run once on an empty database)."""
    for account in DEMO_ACCOUNTS:
        add_user(
            account.username,
            account.password,
            account.role.value,
            uow=container.uow_factory(),
            actor=SYSTEM,
            rules=container.rules,
        )
    declare_demo_sender(container)
    for person in CNDA_PERSONS:
        _load_cnda_person(container, *person)
    rows = enumerate(synthetic_identities(synthetic, seed=7), start=1)
    import_identities(rows, uow_factory=container.uow_factory, actor=SYSTEM, rules=container.rules)
    for pair in DEMO_PAIRS:
        for name, used_name, first_names, sex, birth_date, place in pair:
            given = first_names.split(" ")
            data = {
                "birth_name": name,
                "used_name": used_name,
                "birth_first_names": given,
                "first_birth_first_name": given[0],
                "birth_date": birth_date,
                "sex": sex,
                "birth_place_code": place,
            }  # each creation records its potential duplicates in the worklist
            create_identity(data, uow=container.uow_factory(), actor=SYSTEM, rules=container.rules)
    scan = functools.partial(scan_pairs, workers=1)
    run_scan(uow_factory=container.uow_factory, actor=SYSTEM, rules=container.rules, scan=scan)


def declare_demo_sender(container: Container) -> bool:
    """Declare the demo interface account unless it is (a demo loaded before issue 13
    has its other accounts: the user is then created too). True when declared now."""
    account = next(a for a in DEMO_ACCOUNTS if a.role is Role.INTERFACE)
    with container.uow_factory() as uow:
        if uow.interface_accounts.get(account.username) is not None:
            return False
        has_user = uow.users.get(account.username) is not None
    declare_interface_account(
        account.username,
        domains=DEMO_SENDER_DOMAINS,
        addresses=DEMO_SENDER_ADDRESSES,
        password=None if has_user else account.password,
        uow=container.uow_factory(),
        actor=SYSTEM,
        rules=container.rules,
    )
    return True


def _load_cnda_person(
    container: Container,
    name: str,
    first_names: str,
    sex: str,
    birth_date: str,
    place: str,
    number: str,
    oid: Oid,
    qualified: bool,
) -> None:
    given = first_names.split(" ")
    data = {
        "birth_name": name,
        "birth_first_names": given,
        "first_birth_first_name": given[0],
        "birth_date": birth_date,
        "sex": sex,
        "birth_place_code": place,
    }
    rules = container.rules
    identity = create_identity(data, uow=container.uow_factory(), actor=SYSTEM, rules=rules)
    ins = Ins.parse(number, oid.value, allow_test_oids=True)
    with container.uow_factory() as uow:
        stored = uow.identities.get(identity.id)
        stored.record_ins_retrieval(ins, now=rules.now())
        uow.identities.update(stored)
        uow.commit(SYSTEM, rules.now())
    if qualified:
        expiry = date(rules.now().year + 5, 1, 1)
        validate_identity(
            identity.id,
            document_type="CN",
            document_expiry=expiry,
            uow=container.uow_factory(),
            actor=SYSTEM,
            rules=rules,
        )
