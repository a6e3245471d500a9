import datetime

import pytest

from tests.tickets import Clock

# Every RMA test stands on Tuesday 1 December 2026, 10:00 UTC, inside the test contracts' term:
# the dates they assert do not move with the day the suite runs.
NOW = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    return Clock(monkeypatch, NOW)
