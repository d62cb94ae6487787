"""Supervision for the demo province: Zhejiang's stricter payout rule, a locking policy, and a month
of nightly runs so that the command centre has warnings, escalations, locks and history to show."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import connection

from zhixing.courts.models import Court
from zhixing.supervision.engine import supervise
from zhixing.supervision.models import RuleVersion, SupervisionPolicy
from zhixing.supervision.policies import ensure_rule_versions, looser_start
from zhixing.supervision.rules import LOCAL_RULES

# Rules whose overdue red locks a demo case: the node steps a team controls from day to day.
DEMO_LOCK_RULES = "enforcement_notice,first_network_query,property_control,payout,archive"
HISTORY_DAYS = 30
HISTORY_MAX_CASES = 20_000  # beyond this, only today's run (a month of runs would slow the build)


def configure(today: dt.date) -> None:
    """Every demo court (浙) adopts Zhejiang's 7 working days for payout and locks after 15 red days."""
    ensure_rule_versions()
    rule_code, amount, unit, citation = LOCAL_RULES["浙江执行款7个工作日"]
    assert looser_start(rule_code, amount, unit, 0, start=today) is None  # stricter than the law, as required
    for court in Court.objects.all():
        RuleVersion.objects.get_or_create(
            rule_code=rule_code, court=court, version=1,
            defaults={"amount": amount, "unit": unit, "citation": citation, "effective_from": today - dt.timedelta(days=365),
                      "reason": "演示数据：浙江执行款发放期限"},
        )
        SupervisionPolicy.objects.get_or_create(
            court=court,
            defaults={"lock_from": today - dt.timedelta(days=HISTORY_DAYS), "lock_after_red_days": 15,
                      "lock_rules": DEMO_LOCK_RULES},
        )


def nightly_runs(today: dt.date, cases: int) -> str:
    """Run supervision night by night up to `today`; returns the last run's summary."""
    first = today - dt.timedelta(days=HISTORY_DAYS - 1) if cases <= HISTORY_MAX_CASES else today
    if connection.vendor == "postgresql":
        # The cases were just bulk-inserted, maybe in this very transaction, where autovacuum cannot
        # see them: without statistics the planner picks poor joins for the runs below.
        with connection.cursor() as cursor:
            for table in ("cases_enforcementcase", "cases_noderecord", "supervision_deadline"):
                cursor.execute(f"ANALYZE {table}")
    day, result = first, None
    while day <= today:
        # Timestamps derived from the date, so that the same seed and day give the same log hashes.
        at = dt.datetime.combine(day, dt.time(1, 30), tzinfo=ZoneInfo("Asia/Shanghai"))
        result = supervise(as_of=day, reason="演示数据：每日督办", at=at)
        day += dt.timedelta(days=1)
    return result.summary
