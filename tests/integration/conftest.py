from tests.utils.engines import fake_engine  # noqa: F401  (fixture)
