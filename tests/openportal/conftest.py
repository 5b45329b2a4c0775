import pytest


@pytest.fixture
def open_org(org, classes):
    """The org fixture with the catalog classification the open entries use."""
    return org
