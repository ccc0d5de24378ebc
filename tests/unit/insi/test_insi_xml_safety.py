"""XML from the INSi teleservice is parsed without resolving entities nor reaching the
network (OWASP ASVS 5.5.2, XXE): a response declaring an external entity that names a
local file leaves that file's content out of what is read."""

from __future__ import annotations

from pathlib import Path

import pytest

from identito.adapters.insi.envelope import parse_xml
from identito.services.teleservice import MalformedResponse


def test_an_external_entity_naming_a_local_file_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-NIR-180037505612310")
    response = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]><r>&x;</r>'
    ).encode()

    root = parse_xml(response)

    assert "SECRET" not in (root.text or "")
    assert "SECRET" not in "".join(root.itertext())


def test_an_entity_expansion_bomb_is_refused_as_malformed_never_expanded() -> None:
    lol = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 8))
    response = f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY l0 "lol">{lol}]><r>&l7;</r>'

    with pytest.raises(MalformedResponse):  # libxml2 stops at the amplification
        parse_xml(response.encode())
