"""The 终本 pool: re-queries every 6 months for 5 years after 终本 (法〔2016〕373号 Art. 9), due on the
next working day of the PRC calendar; sent once per round however often the command runs; new property
in the replies becomes a restoration proposal."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from zhixing.cases.models import LogEntry
from zhixing.closing import pool
from zhixing.closing.models import PoolEntry, PoolRound, RestorationProposal
from zhixing.property.models import PropertyQuery
from zhixing.property.replies import reply_import

from .conftest import D, at


@pytest.mark.parametrize(("closed_on", "first_due"), [
    (D(2026, 3, 31), D(2026, 9, 30)),  # a Wednesday: due that day
    (D(2026, 4, 1), D(2026, 10, 8)),  # 2026-10-01 is National Day: the holiday runs to 10-07
    (D(2025, 8, 16), D(2026, 2, 24)),  # Spring Festival 2026-02-15…23
    (D(2025, 8, 31), D(2026, 2, 28)),  # no 31 February: the month's last day, a Saturday made a workday (调休)
])
def test_the_first_re_query_is_six_months_after_zhongben_on_a_working_day(db, closed_on, first_due):
    assert pool.round_due(closed_on, 1) == first_due


def test_the_schedule_has_ten_rounds_over_five_years(db):
    rounds = pool.schedule(D(2026, 3, 31))
    assert len(rounds) == 10 and rounds[0] == D(2026, 9, 30)
    assert pool.pool_ends_on(D(2026, 3, 31)) == D(2031, 3, 31)


def test_a_missed_round_is_sent_once_not_twice(db):
    # three rounds past by 2027-10-08: the latest one due is the one sent
    assert pool.latest_round_due(D(2026, 4, 1), D(2026, 10, 7), 1) is None
    assert pool.latest_round_due(D(2026, 4, 1), D(2026, 10, 8), 1) == 1
    assert pool.latest_round_due(D(2026, 4, 1), D(2027, 10, 8), 1) == 3


def run(clerk, day):
    with at(day):
        out = io.StringIO()
        call_command("zhongben_pool", court="京0108", user=clerk.username, stdout=out)
        return out.getvalue()


def test_the_pool_command_queries_on_the_due_day_once(closed_zhongben, clerk):
    case = closed_zhongben(D(2026, 4, 1))
    assert "新入库 1 件，到期查询 0 件" in run(clerk, D(2026, 10, 7))
    entry = PoolEntry.objects.get(case=case)
    assert entry.next_query_due == D(2026, 10, 8) and entry.rounds_done == 0
    out = run(clerk, D(2026, 10, 8))
    assert "到期查询 1 件，已发送 1 件 5 项" in out
    queries = PropertyQuery.objects.filter(case=case, sent_on=D(2026, 10, 8))
    assert queries.count() == 5 and all(q.batch_id for q in queries)
    entry.refresh_from_db()
    assert (entry.rounds_done, entry.next_round, entry.last_query_on) == (1, 2, D(2026, 10, 8))
    assert entry.next_query_due == D(2027, 4, 1)
    log = LogEntry.objects.filter(case=case).order_by("-seq").first()
    assert log.action == "property_query" and "终本库定期查询（第1次）" in log.summary
    # the same night again, and the next day: nothing more is sent
    assert "到期查询 0 件，已发送 0 件" in run(clerk, D(2026, 10, 8))
    assert "到期查询 0 件" in run(clerk, D(2026, 10, 9))
    assert PoolRound.objects.filter(case=case).count() == 1 and PropertyQuery.objects.filter(case=case, sent_on__gte=D(2026, 10, 8)).count() == 5


def test_after_the_last_round_the_case_leaves_the_pool(closed_zhongben, clerk):
    case = closed_zhongben(D(2026, 4, 1))
    run(clerk, D(2026, 10, 7))
    PoolEntry.objects.filter(case=case).update(next_round=10, next_query_due=pool.round_due(D(2026, 4, 1), 10))
    out = run(clerk, D(2031, 4, 1))
    assert "五年期满出库 1 件" in out
    entry = PoolEntry.objects.get(case=case)
    assert entry.status == "ended" and entry.next_query_due is None and entry.rounds_done == 1


def reply_found(clerk, case, day):
    query = PropertyQuery.objects.get(case=case, item_code="deposits", sent_on__gte=D(2026, 10, 8))
    csv = ("查询序号,证件号码,结果,反馈日期,财产类别,开户行,账号,余额（元）\n"
           f"{query.pk},{query.identity_number},有,{day.isoformat()},银行存款,中国工商银行北京海淀支行,6222020200112233,"
           "35000.00\n").encode()
    return reply_import(actor=clerk, file_name="bank-reply.csv", content=csv)


def test_property_found_by_a_pool_query_becomes_a_restoration_proposal_once(closed_zhongben, clerk):
    case = closed_zhongben(D(2026, 4, 1))
    run(clerk, D(2026, 10, 8))
    with at(D(2026, 10, 9)):
        reply_found(clerk, case, D(2026, 10, 9))
    assert "新增恢复执行建议 1 件" in run(clerk, D(2026, 10, 9))
    proposal = RestorationProposal.objects.get(case=case)
    assert proposal.source == "pool_asset" and proposal.detected_on == D(2026, 10, 9) and proposal.status == "pending"
    assert "6222020200112233" in proposal.description
    assert "新增恢复执行建议 0 件" in run(clerk, D(2026, 10, 12))
    assert LogEntry.objects.filter(case=case, summary__startswith="恢复执行建议").count() == 1


def test_property_of_the_same_respondent_found_in_another_case_is_proposed(closed_zhongben, make_case, judge, clerk):
    from zhixing.cases.models import Party
    from zhixing.property.measures import asset_register

    case = closed_zhongben(D(2026, 4, 1))
    respondent = Party.objects.get(case=case, role="respondent")
    with at(D(2026, 11, 20)):
        other = make_case(filed_on=D(2026, 11, 2))
        Party.objects.filter(case=other, role="respondent").update(id_number=respondent.id_number, name=respondent.name)
        owner = Party.objects.get(case=other, role="respondent")
        asset_register(actor=judge, case=other, kind="vehicle", owner_party=owner, found_on=D(2026, 11, 20),
                       details={"plate": "京B54321", "vin": "LFV2A21K1A3123456"}, found_via="onsite")
    run(clerk, D(2026, 11, 23))
    proposal = RestorationProposal.objects.get(case=case)
    assert proposal.source == "other_case_asset" and proposal.found_in_case_id == other.pk


def test_only_query_staff_may_run_the_pool(closed_zhongben, finance):
    from zhixing.cases.exceptions import NotAllowed

    closed_zhongben(D(2026, 4, 1))
    with pytest.raises(NotAllowed):
        pool.pool_run(actor=finance)
