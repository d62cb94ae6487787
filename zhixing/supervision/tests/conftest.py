"""Fixtures of the supervision page, API and admin tests (dates worked out in support.py). None is
autouse: a module freezes the clock with `pytest.mark.usefixtures("on_25_november_2026")`."""

from __future__ import annotations

import pytest
import time_machine

from zhixing.accounts.choices import Role
from zhixing.supervision import engine
from zhixing.supervision.models import CaseLock
from zhixing.testing.fixtures import make_user

from .support import NOW, OLD_FILING, RECENT_FILING, D, assigned, lock_policy


@pytest.fixture
def on_25_november_2026():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def president(courts):
    return make_user("president", courts["court"], Role.PRESIDENT, "刘院长")


@pytest.fixture
def lead(courts, team):
    """Another judge of the judge's team, who leads it."""
    user = make_user("lead", courts["court"], Role.JUDGE, "周组长", team)
    team.leader = user
    team.save(update_fields=["leader"])
    return user


@pytest.fixture
def mid_head(courts):
    return make_user("mid_head", courts["mid"], Role.BUREAU_HEAD, "中院执行局长")


@pytest.fixture
def recent_case(make_case, judge):
    return assigned(make_case(filed_on=RECENT_FILING), judge)


@pytest.fixture
def old_case(make_case, judge):
    return assigned(make_case(filed_on=OLD_FILING), judge)


@pytest.fixture
def locked_case(make_case, judge, courts):
    """Filed 11-02: notice due Thursday 11-05, red from 11-06, locked from 11-16. Assigned first: a
    locked case refuses assignment."""
    case = assigned(make_case(filed_on=D(2026, 11, 2)), judge)
    lock_policy(courts["court"])
    engine.supervise_cases([case.pk])
    assert CaseLock.objects.filter(case=case, released_on__isnull=True).exists()
    return case
