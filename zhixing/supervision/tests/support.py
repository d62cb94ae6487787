"""Dates and helpers shared by the supervision page, API and admin tests (their fixtures: conftest.py).

Today is Wednesday 2026-11-25 (Beijing). A case filed on Monday 2026-11-16 must have its enforcement
notice sent by Thursday 11-19 (3 days): red from Friday 11-20, with the team lead 2 working days later
(Tuesday 11-24), the division head after 5 (11-27), the president after 10 (12-04). So today it is
red and escalated to the team lead only; its first network query (10 days, due Thursday 11-26) is
yellow. A case filed on 2026-09-01 missed its notice on 09-04: red and at the president long ago.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from zhixing.cases import services as case_services
from zhixing.supervision.models import CaseLock, SupervisionPolicy

BEIJING = ZoneInfo("Asia/Shanghai")
D = dt.date
TODAY = D(2026, 11, 25)
NOW = dt.datetime(2026, 11, 25, 10, tzinfo=BEIJING)
RECENT_FILING = D(2026, 11, 16)
OLD_FILING = D(2026, 9, 1)


def assigned(case, judge, team=None):
    return case_services.case_assign(actor=judge, case=case, handler=judge, team=team or judge.team)


def lock_policy(court) -> SupervisionPolicy:
    """Lock a case red for more than 10 days over its enforcement notice (counted from 2026-01-01)."""
    policy, _ = SupervisionPolicy.objects.get_or_create(
        court=court, defaults={"lock_from": D(2026, 1, 1), "lock_after_red_days": 10, "lock_rules": "enforcement_notice"}
    )
    return policy


def second_lock(case) -> CaseLock:
    """The case's first lock was released and it was locked again (the engine's part is tested in test_engine)."""
    first = CaseLock.objects.get(case=case, released_on__isnull=True)
    first.released_on, first.relock_not_before = D(2026, 11, 20), D(2026, 11, 23)
    first.save(update_fields=["released_on", "relock_not_before"])
    return CaseLock.objects.create(
        court_id=case.court_id, case=case, sequence=2, rule_codes="enforcement_notice",
        reason="红色预警超过锁定期限：发出执行通知书（2026-11-05 届满）。可办理：发出执行通知书和报告财产令",
        locked_on=TODAY,
    )
