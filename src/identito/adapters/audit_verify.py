"""Walk the audit chains (``SqlAuditLog.verify``): the first problem of each chain.

Each chain is read in ``seq`` order and every row checked three ways: its ``seq``
follows the previous one (else rows are missing), its ``prev_hash`` is the previous
row's hash (else the previous row was replaced), its hash matches its content (else
it was altered). The head must name the last row; an anchor's hash must be found at
its position. Messages are in French and name the row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC
from typing import Any

from sqlalchemy import Connection, select

from identito.adapters.audit_chain import (
    GENESIS,
    chain_members,
    heads,
    row_digest,
    unchained,
)
from identito.adapters.orm import audit_log
from identito.services.audit_integrity import AuditCheck, AuditProblem, ChainHead, ProblemKind

#: Unchained rows listed at most (the count is given).
UNCHAINED_LISTED = 20


def verify_chains(connection: Connection, anchor: Sequence[ChainHead]) -> AuditCheck:
    check = AuditCheck()
    stored_heads = heads(connection)
    used = connection.execute(select(audit_log.c.chain).distinct()).scalars()
    started = {chain for chain, (seq, _) in stored_heads.items() if seq > 0}
    chains = sorted({c for c in used if c is not None} | started)
    anchored = {h.chain: h for h in anchor if h.seq > 0}  # an empty chain anchors nothing
    for chain in chains:
        check.chains += 1
        members = chain_members(connection, chain)
        try:
            problem, count = _walk(chain, members, stored_heads.get(chain), anchored.get(chain))
        finally:
            members.close()
        check.rows += count
        if problem is not None:
            check.problems.append(problem)
    for head in anchored.values():
        if head.chain not in chains:
            message = f"Chaîne {head.chain} : ancrée à la ligne n° {head.seq}, elle a disparu."
            check.problems.append(_problem(ProblemKind.ANCHOR, head.chain, head.seq, None, message))
    check.problems.extend(_unchained(connection))
    return check


def _walk(
    chain: int,
    rows: Iterable[Mapping[str, Any]],
    head: tuple[int, str] | None,
    anchor: ChainHead | None,
) -> tuple[AuditProblem | None, int]:
    seq, prev, count = 0, GENESIS, 0
    for row in rows:
        count += 1
        problem = _row_problem(chain, row, seq, prev)
        if problem is not None:
            return problem, count
        if anchor is not None and row["seq"] == anchor.seq and row["hash"] != anchor.hash:
            return _anchor_problem(chain, row, anchor), count
        seq, prev = row["seq"], row["hash"]
    return _end_problem(chain, seq, prev, head, anchor), count


def _row_problem(chain: int, row: Mapping[str, Any], seq: int, prev: str) -> AuditProblem | None:
    if row["seq"] != seq + 1:
        gap = f"n° {seq + 1}" if row["seq"] == seq + 2 else f"n° {seq + 1} à {row['seq'] - 1}"
        message = f"ligne(s) {gap} manquante(s) (supprimées), juste avant {describe(row)}."
        return _problem(ProblemKind.MISSING, chain, seq + 1, row["id"], _in(chain, message))
    if row["prev_hash"] != prev:
        message = (
            f"{describe(row)} ne suit plus la ligne n° {seq} : celle-ci a été remplacée "
            "ou réécrite."
        )
        return _problem(ProblemKind.UNLINKED, chain, row["seq"], row["id"], _in(chain, message))
    if row_digest(row, prev) != row["hash"]:
        message = f"{describe(row)} a été modifiée après son écriture (empreinte différente)."
        return _problem(ProblemKind.ALTERED, chain, row["seq"], row["id"], _in(chain, message))
    return None


def _end_problem(
    chain: int, seq: int, prev: str, head: tuple[int, str] | None, anchor: ChainHead | None
) -> AuditProblem | None:
    if anchor is not None and seq < anchor.seq:
        message = f"ancrée à la ligne n° {anchor.seq}, elle s'arrête à la ligne n° {seq} : "
        message += "les dernières lignes ont été supprimées."
        return _problem(ProblemKind.ANCHOR, chain, seq + 1, None, _in(chain, message))
    if head is None:
        message = "aucune tête enregistrée (table audit_chain_heads modifiée)."
        return _problem(ProblemKind.HEAD, chain, None, None, _in(chain, message))
    if head[0] > seq:
        message = f"ligne(s) n° {seq + 1} à {head[0]} manquante(s) (fin de chaîne supprimée)."
        return _problem(ProblemKind.MISSING, chain, seq + 1, None, _in(chain, message))
    if head != (seq, prev):
        message = f"la tête (ligne n° {head[0]}) ne correspond pas à la dernière ligne n° {seq}."
        return _problem(ProblemKind.HEAD, chain, seq, None, _in(chain, message))
    return None


def _anchor_problem(chain: int, row: Mapping[str, Any], anchor: ChainHead) -> AuditProblem:
    message = f"{describe(row)} n'a plus l'empreinte ancrée : l'historique a été réécrit."
    return _problem(ProblemKind.ANCHOR, chain, anchor.seq, row["id"], _in(chain, message))


def _unchained(connection: Connection) -> list[AuditProblem]:
    return [
        _problem(
            ProblemKind.UNCHAINED, None, None, row["id"],
            f"{describe(row)} n'est dans aucune chaîne : insérée hors d'identito.",
        )
        for row in unchained(connection, UNCHAINED_LISTED)
    ]  # fmt: skip


def describe(row: Mapping[str, Any]) -> str:
    """« la ligne n° 12 (id …, 02/03/2026 09:30:00 UTC, utilisateur « x », action « y ») »."""
    at = row["at"].astimezone(UTC).strftime("%d/%m/%Y %H:%M:%S UTC")
    where = f"n° {row['seq']} " if row.get("seq") is not None else ""
    return (
        f"la ligne {where}(id {row['id']}, {at}, utilisateur « {row['actor']} », "
        f"action « {row['action']} »)"
    )


def _in(chain: int, message: str) -> str:
    return f"Chaîne {chain} : {message}"


def _problem(
    kind: ProblemKind, chain: int | None, seq: int | None, row_id: Any, message: str
) -> AuditProblem:
    return AuditProblem(kind, chain, seq, row_id, message)
