"""Teams of every track at 京0108 besides the shared fast-track team (快执一组: 张法官, 吴法官):
普执一组 (two judges), 普执二组 (one judge), 特执组 (one judge)."""

from __future__ import annotations

import pytest

from zhixing.accounts.choices import Role
from zhixing.courts.choices import TeamType
from zhixing.courts.models import Team
from zhixing.testing.fixtures import make_user

YUAN = 100


@pytest.fixture
def teams(courts, team):
    court = courts["court"]
    return {
        "fast": team,
        "ordinary": Team.objects.create(court=court, name="普执一组", team_type=TeamType.ORDINARY),
        "ordinary2": Team.objects.create(court=court, name="普执二组", team_type=TeamType.ORDINARY),
        "special": Team.objects.create(court=court, name="特执组", team_type=TeamType.SPECIAL),
    }


@pytest.fixture
def judges(courts, teams, judge, second_judge):
    court = courts["court"]
    return {
        "fast": [judge, second_judge],
        "ordinary": [make_user("ord1", court, Role.JUDGE, "普执甲", teams["ordinary"]),
                     make_user("ord2", court, Role.JUDGE, "普执乙", teams["ordinary"])],
        "ordinary2": [make_user("ord3", court, Role.JUDGE, "普执丙", teams["ordinary2"])],
        "special": [make_user("spec1", court, Role.JUDGE, "特执甲", teams["special"])],
    }


@pytest.fixture
def intermediate_head(courts):
    return make_user("mid_head", courts["mid"], Role.BUREAU_HEAD, "中院执行局长")


@pytest.fixture
def other_clerk(courts):
    return make_user("other_clerk", courts["other"], Role.CLERK, "西城书记员")
