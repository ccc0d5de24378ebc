"""``identito insi recover`` and ``identito insi worklist`` on a migrated SQLite file."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
from cli_support import Cli, text

from fakes import FakeTeleservice, insi_person
from identito.domain.status import IdentityStatus
from identito.entrypoints import cli_insi
from identito.services.identities import create_identity

#: The CNDA test person ECETINSI PIERRE-ALAIN (00 with an INS history).
ECETINSI = {
    "birth_name": "ECETINSI",
    "birth_first_names": ["PIERRE-ALAIN", "MURIEL", "FLORIANT"],
    "first_birth_first_name": "PIERRE-ALAIN",
    "birth_date": "2009-07-14",
    "sex": "M",
    "birth_place_code": "63220",
}
NAMES = ("ALPHA", "BRAVO", "CHARLIE", "DELTA", "ECHO")


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    runner = Cli(tmp_path, monkeypatch)
    monkeypatch.setenv("IDENTITO_INSI_SIMULATOR_POPULATION", "20")
    runner.ok("db", "upgrade")
    yield runner
    runner.close()


def create(cli: Cli, **traits) -> UUID:
    container = cli.container()
    identity = create_identity(
        {**ECETINSI, **traits}, uow=container.uow_factory(), actor=_admin(), rules=container.rules
    )
    return identity.id


def _admin():
    from identito.domain.permissions import Actor, Role, role_permissions

    return Actor("test", Role.ADMIN, role_permissions(Role.ADMIN))


class Counting(FakeTeleservice):
    """Knows ALPHA and CHARLIE; raises KeyboardInterrupt at the first call of ``stop_at``."""

    def __init__(self, stop_at: str | None = None) -> None:
        super().__init__([insi_person(**_person(n)) for n in ("ALPHA", "CHARLIE")])
        self.stop_at = stop_at

    def recover_with_traits(self, query, context):
        if query.birth_name == self.stop_at:
            self.stop_at = None
            raise KeyboardInterrupt
        return super().recover_with_traits(query, context)


def _person(name: str) -> dict:
    from stdnum.fr import nir

    body = f"1090763220{NAMES.index(name):03d}"
    return {
        "birth_name": name,
        "first_names": "PIERRE-ALAIN MURIEL FLORIANT",
        "birth_date": "2009-07-14",
        "birth_place_code": "63220",
        "ins_number": body + nir.calc_check_digits(body),
    }


def use(monkeypatch: pytest.MonkeyPatch, teleservice: FakeTeleservice) -> None:
    monkeypatch.setattr(cli_insi, "_teleservice", lambda container: teleservice)


def test_recover_integrates_a_cnda_test_person_from_the_simulator(cli):
    identity_id = create(cli)

    result = cli.ok("insi", "recover", str(identity_id))

    output = text(result)
    assert "Résultat INSi : 00" in output and "statut RECUP" in output
    with cli.container().uow_factory() as uow:
        identity = uow.identities.get(identity_id)
    assert identity.status is IdentityStatus.RETRIEVED
    assert identity.ins is not None and identity.ins.number.number == "109076322083489"
    assert [h.number for h in identity.insi_history] == ["209076322083439", "209066322012355"]


def test_recover_shows_the_comparison_and_how_to_confirm_a_difference(cli):
    identity_id = create(cli, birth_place_code="75116")

    output = text(cli.ok("insi", "recover", str(identity_id)))

    assert "Comparaison" in output and "différent" in output
    assert f"identito insi accept {identity_id}" in output


def test_recover_refuses_a_fictitious_identity(cli):
    identity_id = create(cli)
    container = cli.container()
    from identito.services.identities import change_attributes

    change_attributes(
        identity_id,
        add=["FICT"],
        uow=container.uow_factory(),
        actor=_admin(),
        rules=container.rules,
    )

    result = cli("insi", "recover", str(identity_id))

    assert result.exit_code == 1 and "fictive" in text(result)


def test_recover_refuses_sex_i_before_any_call_naming_the_field_and_the_rule(cli):
    identity_id = create(cli, sex="I")

    result = cli("insi", "recover", str(identity_id))

    assert result.exit_code == 1
    output = text(result)
    assert "sex" in output and "M ou F" in output and "R-TR-14" in output
    with cli.container().uow_factory() as uow:
        assert uow.insi_calls.for_identity(identity_id) == []


def test_an_interrupted_worklist_resumes_and_never_calls_an_identity_twice(
    cli, monkeypatch, tmp_path
):
    ids = [create(cli, birth_name=name) for name in NAMES]
    path = tmp_path / "ids.csv"
    path.write_text("id\n" + "\n".join(map(str, ids)) + "\n", encoding="utf-8")
    first = Counting(stop_at="DELTA")
    use(monkeypatch, first)

    interrupted = cli("insi", "worklist", str(path))
    second = Counting()
    use(monkeypatch, second)
    resumed = cli.ok("insi", "worklist", str(path))

    assert interrupted.exit_code == 130 and "relancez" in text(interrupted)
    assert "Reprise de la liste" in text(resumed) and "3/5 déjà traitées" in text(resumed)
    assert {q.birth_name for q in first.queries} == {"ALPHA", "BRAVO", "CHARLIE"}
    assert {q.birth_name for q in second.queries} == {"DELTA", "ECHO"}
    with cli.container().uow_factory() as uow:
        statuses = [uow.identities.get(i).status for i in ids]
        attempts = Counter(
            call.identity_id
            for i in ids
            for call in {c.attempt_id: c for c in uow.insi_calls.for_identity(i)}.values()
        )
    assert attempts == Counter({i: 1 for i in ids})
    assert statuses.count(IdentityStatus.RETRIEVED) == 2


def test_a_worklist_from_the_saved_query_takes_identities_without_ins(cli, monkeypatch):
    for name in NAMES[:3]:
        create(cli, birth_name=name)
    teleservice = Counting()
    use(monkeypatch, teleservice)

    result = cli.ok("insi", "worklist", "--query", "without-ins")

    output = text(result)
    assert "INS intégrés │ 2" in output
    assert {q.birth_name for q in teleservice.queries} == {"ALPHA", "BRAVO", "CHARLIE"}


def test_a_worklist_file_with_a_bad_id_is_refused_before_any_call(cli, monkeypatch, tmp_path):
    path = tmp_path / "ids.csv"
    path.write_text("id\nnot-an-id\n", encoding="utf-8")
    teleservice = Counting()
    use(monkeypatch, teleservice)

    result = cli("insi", "worklist", str(path))

    assert result.exit_code == 1 and "ligne(s) 2" in text(result)
    assert teleservice.queries == []
