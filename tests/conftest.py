"""Settings every test shares."""

from hypothesis import settings

# Speed is measured by scripts/bench_*.py, not asserted in tests: a loaded machine must not fail a
# property test for taking long on one example.
settings.register_profile("track-xls", deadline=None)
settings.load_profile("track-xls")
