"""The people of issue 16's examples created through the API (one database per module)."""

from __future__ import annotations

from typing import Any

from api_support import Api

from anteriority_cases import BORN, PEOPLE


def create_people(api: Api) -> dict[str, dict[str, Any]]:
    """Each synthetic person of ``anteriority_cases.PEOPLE``, by nickname."""
    return {
        nick: api.create(**{"birth_date": BORN, "used_name": None, "sex": "M", **fields})
        for nick, fields in PEOPLE.items()
    }


def merged_lefebvre(api: Api) -> tuple[dict[str, Any], dict[str, Any]]:
    """LEFEBVRE merged into LEFEVRE (survivor, merged)."""
    survivor = api.create(birth_name="LEFEVRE", used_name=None, birth_date="1975-06-20")
    merged = api.create(birth_name="LEFEBVRE", used_name=None, birth_date="1975-06-20")
    body = {"survivor_id": survivor["id"], "merged_id": merged["id"]}
    response = api.post("/api/v1/merges", "identitovigilance", json=body)
    assert response.status_code == 201, response.text
    return survivor, merged
