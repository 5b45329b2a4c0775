from tests.support import client  # noqa: F401  (fixture)
