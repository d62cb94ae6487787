"""Fixtures of the property tests: the 事务集约 team's clerk, and request files kept in a temporary folder."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from zhixing.accounts.choices import Role
from zhixing.courts.choices import TeamType
from zhixing.courts.models import Team
from zhixing.testing.fixtures import make_user


@pytest.fixture(autouse=True)
def exchange_dir(settings, tmp_path):
    """Request files go to a temporary folder, never to var/."""
    settings.PROPERTY_EXCHANGE_DIR = tmp_path / "exchange"
    return settings.PROPERTY_EXCHANGE_DIR


@pytest.fixture
def affairs_team(courts):
    return Team.objects.create(court=courts["court"], name="事务集约组", team_type=TeamType.AFFAIRS)


@pytest.fixture
def affairs_clerk(courts, affairs_team):
    """The clerk of the 事务集约 team who sends the court's network queries."""
    return make_user("affairs_clerk", courts["court"], Role.CLERK, "孙书记员", affairs_team)


@pytest.fixture
def other_clerk(courts):
    """A clerk of another court (西城)."""
    return make_user("other_clerk", courts["other"], Role.CLERK, "西城书记员")


@pytest.fixture
def on_25_november_2026():
    """Today is Wednesday 2026-11-25, 10:00 in Beijing (the measure and clue tests count from it)."""
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        yield
