"""Two judges press the same button at once (PostgreSQL row locks): one plan is made, and a plan is
carried out into one payout order per share, never two."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from zhixing.cases.exceptions import Conflict
from zhixing.distribution import services
from zhixing.distribution.models import DistributionPlan
from zhixing.money.models import PayoutOrder

from .conftest import D, at


def _in_thread(call):
    def run(_):
        try:
            return call()
        except Conflict as exc:
            return exc
        finally:
            connection.close()
    return run


@pytest.mark.postgres_only
def test_parallel_drafts_make_one_plan_and_parallel_execution_orders_each_share_once(log_flushable, judge, assistant,
                                                                                      proceeds, clock):
    clock.move_to(at(D(2026, 11, 20)))
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(_in_thread(lambda: services.plan_create(actor=judge, case=proceeds.case)), range(6)))
    assert sum(isinstance(r, DistributionPlan) for r in results) == 1 and DistributionPlan.objects.count() == 1
    plan = DistributionPlan.objects.get()
    services.plan_serve(actor=judge, plan=plan, served_on=D(2026, 11, 20))
    for line in plan.lines.exclude(creditor_case=proceeds.same_court):
        services.line_set_payee(actor=judge, line=line, payee_name="申请人", payee_account="6222000011112222")
    clock.move_to(at(D(2026, 12, 8)))
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(_in_thread(lambda: services.plan_execute(actor=assistant, plan=plan)), range(6)))
    assert PayoutOrder.objects.count() == 3
    assert sorted(PayoutOrder.objects.values_list("amount_fen", flat=True)) == [2_000_000, 3_200_000, 4_800_000]
