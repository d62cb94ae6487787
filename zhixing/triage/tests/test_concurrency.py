"""Two desks press 全部自动分案 at the same moment: each case is assigned once, by one of them, and
the other reports it as already assigned (the case row lock, then a re-read of its handler)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from zhixing.cases.models import EnforcementCase, NodeRecord
from zhixing.triage import assignment


@pytest.mark.postgres_only
def test_two_simultaneous_auto_assignments_assign_each_case_once(log_flushable, make_case, command_centre, bureau_head,
                                                                 judge, second_judge, courts):
    cases = [make_case(amount_fen=1_000_000) for _ in range(12)]

    def run(actor):
        try:
            return assignment.assign_auto(actor=actor, court=courts["court"])
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(run, [command_centre, bureau_head]))
    assert sum(len(r.done) for r in results) == 12
    assert all(o.refused in ("已由他人分案",) for r in results for o in r.skipped)
    assert not EnforcementCase.objects.filter(pk__in=[c.pk for c in cases], handler__isnull=True).exists()
    assert NodeRecord.objects.filter(node_code="assign").count() == 12  # one assignment each, never two
