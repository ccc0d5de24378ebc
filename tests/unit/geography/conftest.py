from pathlib import Path

import pytest

from identito.geography import GeographicReference, get_reference

SHARED_COG = Path("/work/shared/reference/cog")


@pytest.fixture(scope="session")
def reference() -> GeographicReference:
    """The reference loaded from the data shipped in the package."""
    return get_reference()
