from tests.catalog.conftest import actors, classes  # noqa: F401  (fixtures)
from tests.support import client  # noqa: F401  (fixture)
