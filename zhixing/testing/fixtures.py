"""Personas and factories shared by every app's tests.

The demo court tree: 京 (high) → 京01 (intermediate) → 京0108, 京0105 (basic).
Personas at 京0108: judge, assistant, clerk, bailiff, command centre, bureau head, president;
another court's judge at 京0105; the intermediate court's supervisor at 京01.
"""

from __future__ import annotations

import datetime as dt
import importlib
import itertools

import pytest
from django.db import connection
from django.utils import timezone

from zhixing.accounts.choices import Role
from zhixing.accounts.models import User
from zhixing.cases import services
from zhixing.cases.inputs import parse_case
from zhixing.courts.choices import CourtLevel, TeamType
from zhixing.courts.models import Court, Team
from zhixing.demo.identity import make_credit_code, make_id_number

_serial = itertools.count(1)


@pytest.fixture
def courts(db):
    high = Court.objects.create(name="北京市高级人民法院", court_code="京", level=CourtLevel.HIGH)
    mid = Court.objects.create(name="北京市第一中级人民法院", court_code="京01", level=CourtLevel.INTERMEDIATE, parent=high)
    haidian = Court.objects.create(name="北京市海淀区人民法院", court_code="京0108", level=CourtLevel.BASIC, parent=mid)
    xicheng = Court.objects.create(name="北京市西城区人民法院", court_code="京0102", level=CourtLevel.BASIC, parent=mid)
    return {"high": high, "mid": mid, "court": haidian, "other": xicheng}


def make_user(username: str, court: Court, role: str, full_name: str = "", team: Team | None = None) -> User:
    return User.objects.create_user(
        username=username, password="zhixing-test-pw", court=court, role=role, full_name=full_name or username, team=team
    )


@pytest.fixture
def team(courts):
    return Team.objects.create(court=courts["court"], name="快执一组", team_type=TeamType.FAST)


@pytest.fixture
def judge(courts, team):
    return make_user("judge", courts["court"], Role.JUDGE, "张法官", team)


@pytest.fixture
def assistant(courts, team):
    return make_user("assistant", courts["court"], Role.ASSISTANT, "李助理", team)


@pytest.fixture
def clerk(courts, team):
    return make_user("clerk", courts["court"], Role.CLERK, "王书记员", team)


@pytest.fixture
def bailiff(courts):
    return make_user("bailiff", courts["court"], Role.BAILIFF, "赵法警")


@pytest.fixture
def command_centre(courts):
    return make_user("centre", courts["court"], Role.COMMAND_CENTRE, "指挥中心值班员")


@pytest.fixture
def bureau_head(courts):
    return make_user("head", courts["court"], Role.BUREAU_HEAD, "陈局长")


@pytest.fixture
def president(courts):
    return make_user("president", courts["court"], Role.PRESIDENT, "刘院长")


@pytest.fixture
def finance(courts):
    return make_user("finance", courts["court"], Role.FINANCE, "孙会计")


@pytest.fixture
def second_judge(courts, team):
    return make_user("judge2", courts["court"], Role.JUDGE, "吴法官", team)


@pytest.fixture
def other_judge(courts):
    return make_user("other_judge", courts["other"], Role.JUDGE, "外院法官")


@pytest.fixture
def supervisor(courts):
    return make_user("supervisor", courts["mid"], Role.SUPERVISOR, "中院监督员")


def case_payload(court_code: str = "京0108", *, filed_on: dt.date | None = None, amount_fen: int = 5_000_000,
                 respondent_kind: str = "natural_person", **overrides) -> dict:
    """A valid registration as plain data (what a form, the API or an import row gives)."""
    filed_on = filed_on or timezone.localdate() - dt.timedelta(days=3)
    n = next(_serial)
    respondent = (
        {"role": "respondent", "kind": "natural_person", "name": f"被执行人{n}",
         "id_number": make_id_number(birth_on=dt.date(1980, 1, 1) + dt.timedelta(days=n), serial=n)}
        if respondent_kind == "natural_person"
        else {"role": "respondent", "kind": "legal_person", "name": f"某某有限公司{n}",
              "credit_code": make_credit_code(__import__("random").Random(n)), "legal_representative": "周某"}
    )
    payload = {
        "court_code": court_code,
        "case_type": "执",
        "filed_on": filed_on.isoformat(),
        "basis": {"document_number": f"（2025）京0108民初{n}号", "issuing_court": "北京市海淀区人民法院",
                  "effective_on": (filed_on - dt.timedelta(days=30)).isoformat(), "main_text": "被告于判决生效之日起十日内支付原告货款。"},
        "parties": [
            {"role": "applicant", "kind": "natural_person", "name": f"申请人{n}",
             "id_number": make_id_number(birth_on=dt.date(1975, 6, 1) + dt.timedelta(days=n), serial=n + 500),
             "phone": "13800138000"},
            respondent,
        ],
        "claims": [{"kind": "principal", "amount_fen": amount_fen}],
    }
    payload.update(overrides)
    return payload


@pytest.fixture
def make_case(judge):
    """Register a case through the real service. make_case(actor=…, filed_on=…, amount_fen=…)."""

    def factory(*, actor: User | None = None, **kwargs):
        actor = actor or judge
        payload = case_payload(kwargs.pop("court_code", actor.court.court_code), **kwargs)
        return services.case_register(actor=actor, data=parse_case(payload))

    return factory


@pytest.fixture
def log_flushable(transactional_db):
    """For transactional tests on SQLite: the append-only triggers would stop the end-of-test flush
    (SQLite flushes with DELETE), so they are dropped just before it; `_log_triggers` puts them back."""
    yield
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS cases_logentry_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS cases_logentry_no_delete")
            for sql in _append_only_migration("zhixing.money.migrations.0002_ledger_append_only").SQLITE_DROP:
                cursor.execute(sql)


def _append_only_migration(name: str):
    return importlib.import_module(name)


@pytest.fixture(autouse=True)
def _log_triggers(request):
    """Every database test runs with the append-only triggers in place, whatever ran before it."""
    if connection.vendor == "sqlite" and {"db", "transactional_db"} & set(request.fixturenames):
        request.getfixturevalue("transactional_db" if "transactional_db" in request.fixturenames else "db")
        with connection.cursor() as cursor:
            for name in ("zhixing.cases.migrations.0002_log_append_only", "zhixing.money.migrations.0002_ledger_append_only"):
                for sql in _append_only_migration(name).SQLITE:
                    cursor.execute(sql)
    yield


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """The holiday table is cached per process; tests that load holidays must not leak into others."""
    from zhixing.workdays.calendar import invalidate_cache, reset_fallback_tracking

    invalidate_cache()
    reset_fallback_tracking()
    yield
    invalidate_cache()
