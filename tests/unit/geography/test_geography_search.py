import time
from datetime import date

from identito.geography import PlaceKind


def codes(places):
    return [place.code for place in places]


def test_le_havre_is_found_with_or_without_its_article(reference):
    assert codes(reference.search("havre"))[0] == "76351"
    assert codes(reference.search("le havre"))[0] == "76351"
    assert codes(reference.search("LE-HAVRE"))[0] == "76351"


def test_search_ignores_accents_case_hyphens_and_apostrophes(reference):
    for query in ("saint etienne", "SAINT-ÉTIENNE", "Saint Étienne", "st etienne"):
        assert codes(reference.search(query))[0] == "42218", query
    assert "01001" in codes(reference.search("l abergement clemenciat"))
    assert "01001" in codes(reference.search("L’Abergement-Clémenciat"))


def test_a_prefix_followed_by_a_hyphen_matches_whole_words_only(reference):
    places = reference.search("sainte-", limit=50)
    matched = [place.former_label or place.label for place in places]
    assert len(matched) == 50
    assert all(name.startswith(("Sainte-", "Sainte ")) for name in matched)


def test_exact_matches_come_before_prefix_matches(reference):
    labels = [place.label for place in reference.search("paris", limit=5)]
    assert labels[0] == "Paris"
    assert all(label.startswith("Paris") for label in labels)


def test_the_old_name_of_a_merged_commune_is_found_restricted_to_a_date(reference):
    before = reference.search("saint bois", on=date(1990, 1, 1))
    assert [(p.code, p.label) for p in before] == [("01340", "Saint-Bois")]
    after = reference.search("saint bois", on=date(2020, 1, 1))
    assert [(p.code, p.label, p.former_label) for p in after] == [
        ("01015", "Arboys en Bugey", "Saint-Bois")
    ]


def test_the_old_name_of_a_renamed_commune_gives_the_current_name_without_date(reference):
    place = reference.search("arbignieu")[0]
    assert (place.code, place.label, place.former_label) == (
        "01015",
        "Arboys en Bugey",
        "Arbignieu",
    )


def test_with_a_date_places_carry_the_label_they_had_on_that_date(reference):
    assert [p.label for p in reference.search("russie", on=date(1980, 1, 1))] == ["URSS"]
    assert codes(reference.search("ajaccio", on=date(1950, 1, 1))) == ["20004"]
    assert codes(reference.search("ajaccio", on=date(1980, 1, 1))) == ["2A004"]


def test_found_current_communes_carry_their_postal_codes(reference):
    place = reference.search("le havre")[0]
    assert place.postal_codes == ("76600", "76610", "76620")


def test_countries_are_found_by_name(reference):
    algeria = reference.search("algerie")[0]
    assert (algeria.code, algeria.kind) == ("99352", PlaceKind.COUNTRY)
    germany = codes(reference.search("allemagne"))
    assert {"99109", "99141", "99142"} <= set(germany)


def test_an_empty_query_finds_nothing_and_the_limit_is_kept(reference):
    assert reference.search("  - ") == []
    assert len(reference.search("saint", limit=7)) == 7


def test_a_search_takes_well_under_five_milliseconds(reference):
    queries = ["havre", "sainte-", "saint etienne", "algerie", "paris", "bou", "arbignieu"]
    started = time.perf_counter()
    for _ in range(20):
        for query in queries:
            reference.search(query, on=date(1980, 1, 1))
    mean = (time.perf_counter() - started) / (20 * len(queries))
    assert mean < 0.005
