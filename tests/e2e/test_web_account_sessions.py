"""« Mon compte » (issue 16 point 7): the role in French and what it allows, the open
sessions of the user, closing the others."""

from __future__ import annotations

import itertools
import re

import pytest
from api_support import PASSWORD
from reads_support import audit_rows
from web_support import Browser

from identito.bootstrap import Container
from identito.services.auth import SYSTEM, add_user

SESSION_ROW = re.compile(r'name="reference" value="([0-9a-f]{16})"')
_numbers = itertools.count(1)


def new_user(container: Container, role: str) -> str:
    """A user of its own (the module's container is shared: sessions of other tests stay)."""
    username = f"{role}.sessions{next(_numbers)}"
    add_user(username, PASSWORD, role, uow=container.uow_factory(), actor=SYSTEM,
             rules=container.rules)  # fmt: skip
    return username


def logged_in(container: Container, username: str) -> Browser:
    browser = Browser(container)
    assert browser.login(username, PASSWORD).status_code == 303
    return browser


@pytest.mark.parametrize(
    ("role", "title", "right", "missing"),
    [("admin", "Administrateur", "Gérer les comptes utilisateurs", None),
     ("admission", "Admission (accueil)", "Créer une identité", "Gérer les comptes utilisateurs"),
     ("care", "Soignant (consultation)", "Voir le matricule INS", "Créer une identité"),
     ("statistics", "Statistiques (indicateurs seulement)",
      "Consulter les indicateurs de pilotage", "Créer une identité")],
)  # fmt: skip
def test_mon_compte_names_the_role_in_french_and_what_it_allows(
    container: Container, role: str, title: str, right: str, missing: str | None
) -> None:
    page = logged_in(container, role).get("/compte").text.replace("&#39;", "'")
    assert f"Mon profil : {title}" in page
    rights = re.findall(r'<ul class="account-rights">(.*?)</ul>', page, re.S)[0]
    assert right in rights
    assert missing is None or missing not in rights


def test_mon_compte_lists_every_open_session_of_the_user_and_marks_this_one(
    container: Container,
) -> None:
    user = new_user(container, "care")
    here, elsewhere = logged_in(container, user), logged_in(container, user)
    logged_in(container, "care")  # someone else's session is never listed
    page = here.get("/compte").text
    table = re.findall(r'<table class="table account-sessions">(.*?)</table>', page, re.S)[0]
    assert table.count("<tr") == 3  # header + two sessions of care
    assert table.count("(cette session)") == 1
    assert len(SESSION_ROW.findall(table)) == 1  # only the other one has a close button
    assert "Fermer toutes mes autres sessions" in page
    assert elsewhere.get("/compte").status_code == 200


def test_closing_one_other_session_ends_it_at_once_and_is_audited(container: Container) -> None:
    user = new_user(container, "care")
    here, elsewhere = logged_in(container, user), logged_in(container, user)
    before = audit_rows(container)
    reference = SESSION_ROW.findall(here.get("/compte").text)[0]
    response = here.post("/compte/sessions/fermer", {"reference": reference})
    assert response.status_code == 303
    assert "1 autre session fermée." in here.get(response.headers["location"]).text
    assert here.get("/recherche").status_code == 200
    assert elsewhere.get("/recherche").status_code == 303  # sent back to the login
    written = [row for key, row in audit_rows(container).items() if key not in before]
    assert (user, "session.own_closed", None) in written
    again = here.post("/compte/sessions/fermer", {"reference": reference})
    assert again.status_code == 404 and "déjà fermée" in again.text


def test_closing_all_other_sessions_keeps_only_this_one(container: Container) -> None:
    user = new_user(container, "admission")
    browsers = [logged_in(container, user) for _ in range(3)]
    response = browsers[0].post("/compte/sessions/fermer")
    assert "2 autres sessions fermées." in browsers[0].get(response.headers["location"]).text
    assert [b.get("/recherche").status_code for b in browsers] == [200, 303, 303]
    page = browsers[0].get("/compte").text
    assert SESSION_ROW.findall(page) == [] and "Fermer toutes mes autres sessions" not in page


def test_closing_sessions_without_the_csrf_token_is_refused(container: Container) -> None:
    here, elsewhere = logged_in(container, "care"), logged_in(container, "care")
    response = here.client.post("/compte/sessions/fermer", data={})
    assert response.status_code == 403
    assert elsewhere.get("/recherche").status_code == 200


def test_a_reference_of_someone_elses_session_closes_nothing(container: Container) -> None:
    them = new_user(container, "admission")
    mine, theirs = logged_in(container, "care"), logged_in(container, them)
    logged_in(container, them)
    reference_of_theirs = SESSION_ROW.findall(theirs.get("/compte").text)[0]
    response = mine.post("/compte/sessions/fermer", {"reference": reference_of_theirs})
    assert response.status_code == 404
    assert theirs.get("/recherche").status_code == 200
