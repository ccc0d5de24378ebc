"""Identity endpoints through HTTP on a migrated SQLite database."""

from __future__ import annotations

from api_support import Api, identity_payload, qualify

from identito.bootstrap import Container

IDENTITIES = "/api/v1/identities"
PROBLEM = "application/problem+json"


def test_creation_returns_201_with_location_etag_normalised_traits_and_warnings(api: Api) -> None:
    payload = identity_payload(
        birth_name="Œuvray-d’Arc",
        birth_first_names=["Jean-Christophe", "Pierre"],
        first_birth_first_name="jean christophe",
        birth_date="1960-00-00",
        sex="m",
    )
    response = api.post(IDENTITIES, json=payload)

    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == f"{IDENTITIES}/{body['id']}"
    assert response.headers["etag"] == '"1"'
    assert body["version"] == 1
    assert body["status"] == "PROV"
    assert body["attributes"] == []
    assert body["birth_name"] == "OEUVRAY-D'ARC"
    assert body["birth_first_names"] == ["JEAN-CHRISTOPHE", "PIERRE"]
    assert body["first_birth_first_name"] == "JEAN CHRISTOPHE"
    assert body["birth_date"] == "1960-00-00"
    assert body["birth_date_completed"] == "1960-12-31"
    assert body["birth_date_uncertain"] is True
    assert body["sex"] == "M"
    assert body["used_name"] == "DUPRE"
    assert body["used_first_name"] is None
    assert body["ins"] is None and body["ins_history"] == [] and body["validation"] is None
    codes = {w["code"] for w in body["warnings"]}
    assert codes == {"uncertain_birth_date"}  # a disagreeing first name is refused (issue 11)
    assert body["created_at"] and body["updated_at"]


def test_creation_with_missing_fields_is_a_422_problem_listing_each_field(api: Api) -> None:
    response = api.post(IDENTITIES, json={"used_name": "Martin"})

    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == 422 and body["type"].endswith("invalid-input") and body["title"]
    fields = {e["field"]: e["rule"] for e in body["errors"]}
    assert fields == {
        "birth_name": "required",
        "first_birth_first_name": "required",
        "birth_date": "required",
        "sex": "required",
        "birth_place_code": "required",
    }


def test_no_field_is_defaulted_even_the_used_name_stays_empty(api: Api) -> None:
    payload = identity_payload()
    del payload["used_name"]
    response = api.post(IDENTITIES, json=payload)

    assert response.status_code == 201
    body = response.json()
    assert body["used_name"] is None
    assert body["used_first_name"] is None


def test_a_character_without_equivalent_is_a_422_naming_field_and_character(api: Api) -> None:
    response = api.post(IDENTITIES, json=identity_payload(birth_name="Mart1n"))

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "birth_name"
    assert error["rule"] == "character_not_allowed"
    assert "« 1 »" in error["message"]


def test_wrong_json_types_and_unknown_fields_are_422_problems_with_field_names(api: Api) -> None:
    response = api.post(IDENTITIES, json={**identity_payload(), "sex": 1, "birthname": "X"})

    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
    fields = {e["field"]: e["rule"] for e in response.json()["errors"]}
    assert fields == {"sex": "string_type", "birthname": "extra_forbidden"}


def test_a_body_that_is_not_json_is_a_422_problem(api: Api) -> None:
    response = api.post(IDENTITIES, content=b"{nope", headers={"content-type": "application/json"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["rule"] == "json_invalid"


def test_reading_an_identity_returns_it_with_its_etag(api: Api) -> None:
    created = api.create()

    response = api.get(f"{IDENTITIES}/{created['id']}")

    assert response.status_code == 200
    assert response.headers["etag"] == '"1"'
    assert response.json() == created


def test_an_unknown_identity_is_a_404_problem(api: Api) -> None:
    response = api.get(f"{IDENTITIES}/00000000-0000-4000-8000-000000000000")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith(PROBLEM)


def test_an_invalid_uuid_in_the_path_is_a_422_problem_not_a_500(api: Api) -> None:
    response = api.get(f"{IDENTITIES}/not-a-uuid")

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "identity_id"


def test_patch_without_if_match_is_a_428_problem(api: Api) -> None:
    created = api.create()

    response = api.patch(f"{IDENTITIES}/{created['id']}", json={"used_name": "Durand"})

    assert response.status_code == 428
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["errors"][0]["field"] == "If-Match"


def test_patch_with_the_current_version_returns_200_and_a_new_version(api: Api) -> None:
    created = api.create()

    response = api.patch(
        f"{IDENTITIES}/{created['id']}",
        json={"used_first_name": "Léna", "used_name": None},
        headers={"If-Match": "1"},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 2
    assert response.headers["etag"] == '"2"'
    assert body["used_first_name"] == "LENA"
    assert body["used_name"] is None
    assert body["birth_name"] == created["birth_name"]


def test_patch_accepts_the_etag_as_sent_by_the_server(api: Api) -> None:
    created = api.create()
    etag = api.get(f"{IDENTITIES}/{created['id']}").headers["etag"]

    response = api.patch(
        f"{IDENTITIES}/{created['id']}", json={"used_name": "Roux"}, headers={"If-Match": etag}
    )

    assert response.status_code == 200


def test_patch_with_a_stale_version_is_a_412_problem_and_loses_nothing(api: Api) -> None:
    created = api.create()
    url = f"{IDENTITIES}/{created['id']}"
    assert api.patch(url, json={"used_name": "Roux"}, headers={"If-Match": "1"}).status_code == 200

    response = api.patch(url, json={"used_name": "Blanc"}, headers={"If-Match": "1"})

    assert response.status_code == 412
    assert response.json()["current_version"] == 2
    assert api.get(url).json()["used_name"] == "ROUX"


def test_patch_with_an_invalid_trait_is_a_422_and_an_unparsable_if_match_too(api: Api) -> None:
    url = f"{IDENTITIES}/{api.create()['id']}"

    bad_trait = api.patch(url, json={"sex": "X"}, headers={"If-Match": "1"})
    bad_header = api.patch(url, json={"sex": "M"}, headers={"If-Match": "*"})

    assert bad_trait.status_code == 422
    assert bad_trait.json()["errors"][0]["field"] == "sex"
    assert bad_header.status_code == 422
    assert bad_header.json()["errors"][0]["field"] == "If-Match"


def test_anteriority_search_finds_by_traits_insensitive_to_case_accents_and_prefix(
    api: Api,
) -> None:
    created = api.create(birth_name="Ébrard-Noël", birth_date="1971-07-02")

    response = api.get(
        IDENTITIES,
        params={"birth_date": "1971-07-02", "name": "ebrard noe", "first_name": "HEL", "sex": "F"},
    )

    assert response.status_code == 200
    assert [i["id"] for i in response.json()["items"]] == [created["id"]]


def test_anteriority_search_without_birth_date_is_a_422_problem(api: Api) -> None:
    response = api.get(IDENTITIES, params={"name": "Martin"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "birth_date"


def test_search_by_matricule_finds_the_identity_carrying_it(api: Api, container: Container) -> None:
    created = api.create(birth_date="1962-10-20")
    qualified = qualify(container, api, created["id"])

    response = api.get(IDENTITIES, params={"ins": qualified["ins"]["number"]})

    assert response.status_code == 200
    [found] = response.json()["items"]
    assert found["id"] == created["id"]
    assert found["ins"]["kind"] == "NIR_TEST"
    assert found["ins"]["oid"] == "1.2.250.1.213.1.4.10"


def test_validation_with_a_high_trust_document_turns_prov_into_vali(api: Api) -> None:
    created = api.create()

    response = api.post(
        f"{IDENTITIES}/{created['id']}/validation",
        json={"document_type": "CN", "document_expiry": "2030-01-31"},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "VALI"
    assert body["validation"]["document_type"] == "CN"
    assert body["validation"]["document_expiry"] == "2030-01-31"
    assert body["validation"]["validated_by"] == "admin"


def test_validation_without_document_type_or_with_a_driving_licence_is_422(api: Api) -> None:
    url = f"{IDENTITIES}/{api.create()['id']}/validation"

    missing = api.post(url, json={"document_expiry": "2030-01-31"})
    licence = api.post(url, json={"document_type": "PC", "document_expiry": "2030-01-31"})
    bad_date = api.post(url, json={"document_type": "CN", "document_expiry": "31/01/2030"})

    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "document_type"
    assert licence.status_code == 422
    assert licence.json()["errors"][0]["rule"] == "document_not_high_trust"
    assert bad_date.status_code == 422
    assert bad_date.json()["errors"][0]["field"] == "document_expiry"


def test_doubtful_attribute_on_a_qual_identity_forces_prov_and_drops_the_ins(
    api: Api, container: Container
) -> None:
    created = api.create(birth_date="1990-01-15")
    qualify(container, api, created["id"])

    response = api.post(
        f"{IDENTITIES}/{created['id']}/attributes",
        json={"add": ["dout"], "reason": "traits contestés à l'accueil"},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["attributes"] == ["DOUT"]
    assert body["status"] == "PROV"
    assert body["ins"] is None and body["validation"] is None
    assert len(body["ins_history"]) == 1


def test_a_doubtful_identity_cannot_be_validated_409(api: Api) -> None:
    created = api.create()
    url = f"{IDENTITIES}/{created['id']}"
    assert api.post(f"{url}/attributes", json={"add": ["DOUT"]}).status_code == 200

    response = api.post(
        f"{url}/validation", json={"document_type": "PA", "document_expiry": "2030-01-31"}
    )

    assert response.status_code == 409
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["type"].endswith("invalid-transition")


def test_forbidden_attribute_combinations_are_409_and_unknown_attributes_422(api: Api) -> None:
    url = f"{IDENTITIES}/{api.create()['id']}/attributes"

    combination = api.post(url, json={"add": ["FICT", "HOMA"]})
    unknown = api.post(url, json={"add": ["XYZ"]})

    assert combination.status_code == 409
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "add[0]"


def test_audit_lists_the_changes_and_the_reads_of_the_matricule(
    api: Api, container: Container
) -> None:
    created = api.create(birth_date="1955-05-05")
    url = f"{IDENTITIES}/{created['id']}"
    qualify(container, api, created["id"])
    api.get(url, "care")

    response = api.get(f"{url}/audit")

    assert response.status_code == 200
    actions = [(e["action"], e["actor"]) for e in response.json()["items"]]
    assert actions[:3] == [
        ("identity.created", "admin"),
        ("identity.ins_retrieved", "system"),
        ("identity.validated", "admin"),
    ]
    assert ("identity.read", "care") in actions
    created_entry = response.json()["items"][0]
    assert created_entry["before"] is None
    assert created_entry["after"]["birth_name"] == created["birth_name"]
