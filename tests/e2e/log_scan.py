"""Issue 13 point 4: what the logs must never hold, looked for in captured log text.

``identity_leaks`` returns the matricules (any NIR-shaped number, and every matricule,
current or former, stored in the test's database) and the birth and used names of
that database, plus the names the tests type, found in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from api_support import identity_payload
from sqlalchemy import select, union

from identito.adapters.database import engine_for
from identito.adapters.orm import identities, ins_history
from identito.entrypoints.logs import MASK, NIR_SHAPED

_PARAMETER_NAME = re.compile(r"[\w.\-\[\]]+=" + re.escape(MASK))
#: Names shorter than this are too likely to be a word of an ordinary log line.
MIN_NAME = 5
#: Names the tests type (api_support, web_support), found even in a database of their own.
TYPED_NAMES = (identity_payload()["birth_name"], identity_payload()["used_name"])


def stored_identity_strings(database_url: str) -> set[str]:
    """Every birth and used name and every matricule (current or former) stored."""
    names = union(
        select(identities.c.birth_name.label("v")),
        select(identities.c.used_name.label("v")),
        select(identities.c.ins_number.label("v")),
        select(ins_history.c.number.label("v")),
    )
    with engine_for(database_url).connect() as connection:
        return {v for v in connection.execute(names).scalars() if v}


def identity_leaks(text: str, known: Iterable[str]) -> list[str]:
    leaks = [match.group(0) for match in NIR_SHAPED.finditer(text)]
    # the parameter names kept by the access log are code, not data (``?liste=<masqué>``)
    lowered = _PARAMETER_NAME.sub(MASK, text).casefold()
    for value in {*known, *TYPED_NAMES}:
        if len(value) < MIN_NAME:
            continue
        if value.isdigit():
            found = value in text
        else:
            found = re.search(rf"(?<!\w){re.escape(value.casefold())}(?!\w)", lowered) is not None
        if found:
            leaks.append(value)
    return sorted(set(leaks))
