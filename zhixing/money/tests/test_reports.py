"""Balance and aging reports against figures worked out by hand, the reconciliation report, who may
read what, and the XLSX exports read back with openpyxl."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from zhixing.accounts.choices import Role
from zhixing.cases.exceptions import NotAllowed, ValidationFailed
from zhixing.cases.models import EnforcementCase
from zhixing.courts.choices import TeamType
from zhixing.courts.models import Team
from zhixing.money import exports, ledger, reconciliation, reports, services
from zhixing.money.choices import AccountKind, OrderKind
from zhixing.money.models import LineStatus
from zhixing.money.statements import statement_import
from zhixing.testing.fixtures import make_user

BEIJING = ZoneInfo("Asia/Shanghai")
D = dt.date


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=BEIJING), tick=False):
        yield


@pytest.fixture
def other_team(courts):
    return Team.objects.create(court=courts["court"], name="普执二组", team_type=TeamType.ORDINARY)


@pytest.fixture
def book(finance, assistant, judge, second_judge, bureau_head, make_case, team, other_team):
    """Case A (快执一组): 10,000.00 on 10-10, 5,000.00 on 11-20, 4,000.00 paid out on 11-24, the fee
    (125.00 on 15,000.00 enforced) and 1,000.00 moved to case B today (11-25).
    Case B (普执二组): 3,000.00 on 11-24, plus the 1,000.00. Unidentified: 800.00 on 11-18 (due 11-23)
    and 50.00 today."""
    a = make_case(amount_fen=10_000_000, filed_on=D(2026, 9, 1))
    b = make_case(amount_fen=5_000_000, filed_on=D(2026, 9, 1))
    EnforcementCase.objects.filter(pk=a.pk).update(team=team)
    EnforcementCase.objects.filter(pk=b.pk).update(team=other_team)

    def receive(case, fen, day, ref):
        return services.receipt_record(actor=finance, court_id=finance.court_id, case=case, amount_fen=fen,
                                       received_on=day, bank_reference=ref, payer_name="被执行人")

    receive(a, 1_000_000, D(2026, 10, 10), "R1")
    receive(a, 500_000, D(2026, 11, 20), "R2")
    receive(b, 300_000, D(2026, 11, 24), "R3")
    order = services.order_create(actor=assistant, case=a, amount_fen=400_000, reason="发放执行款", payee_name="申请人",
                                  payee_account="6222")
    services.order_decide(actor=second_judge, order=order, approve=True)
    services.order_decide(actor=bureau_head, order=order, approve=True)
    services.order_pay(actor=finance, order=order, paid_on=D(2026, 11, 24), bank_reference="P1")
    services.fee_settle(actor=finance, case=a)
    transfer = services.order_create(actor=assistant, case=a, amount_fen=100_000, reason="错入本案", kind=OrderKind.TRANSFER,
                                     target_case=b)
    services.order_decide(actor=second_judge, order=transfer, approve=True)
    services.order_decide(actor=bureau_head, order=transfer, approve=True)
    u1 = services.receipt_record(actor=finance, court_id=finance.court_id, amount_fen=80_000, received_on=D(2026, 11, 18),
                                 bank_reference="U1", payer_name="某公司")
    u2 = services.receipt_record(actor=finance, court_id=finance.court_id, amount_fen=5_000, received_on=D(2026, 11, 25),
                                 bank_reference="U2")
    assert ledger.verify() == []
    return {"a": a, "b": b, "u1": u1, "u2": u2}


def scope_of(court):
    return reports.ReportScope(court_ids=(court.pk,))


# ---------------------------------------------------------------- balances


def test_the_monthly_court_balance_adds_up_by_hand(courts, book):
    report = reports.balance_report(scope=scope_of(courts["court"]), level="court", period="month", as_of=D(2026, 11, 25))
    assert (report.start, report.end) == (D(2026, 11, 1), D(2026, 11, 25))
    (row,) = report.rows
    assert row.opening_fen == 1_000_000
    assert row.received_fen == 800_000
    assert row.paid_out_fen == 400_000
    assert row.fees_fen == 12_500  # 50 yuan + 1.5% of the 5,000 above 10,000 (诉讼费用交纳办法 Art. 14)
    assert (row.transfer_in_fen, row.transfer_out_fen) == (100_000, 100_000)
    assert row.closing_fen == 1_387_500
    assert row.closing_fen == sum(ledger.case_account(c).balance_fen for c in (book["a"], book["b"]))
    ledger_rows = {r.kind: r for r in report.ledger}
    assert (ledger_rows[AccountKind.BANK].opening_fen, ledger_rows[AccountKind.BANK].closing_fen) == (1_000_000, 1_485_000)
    assert ledger_rows[AccountKind.SUSPENSE].closing_fen == 85_000
    assert ledger_rows[AccountKind.FEE].closing_fen == 12_500
    # double entry: the bank holds the cases' money, the unidentified money and the fee
    assert ledger_rows[AccountKind.BANK].closing_fen == row.closing_fen + 85_000 + 12_500


def test_the_daily_balance_is_as_of_the_end_of_that_day(courts, book):
    report = reports.balance_report(scope=scope_of(courts["court"]), level="court", period="day", as_of=D(2026, 11, 24))
    (row,) = report.rows
    assert (row.opening_fen, row.received_fen, row.paid_out_fen, row.fees_fen) == (1_500_000, 300_000, 400_000, 0)
    assert row.closing_fen == 1_400_000


def test_case_and_team_rows_split_the_same_figures(courts, book, team, other_team):
    scope = scope_of(courts["court"])
    cases = reports.balance_report(scope=scope, level="case", period="month", as_of=D(2026, 11, 25))
    by_case = {row.key: row for row in cases.rows}
    a, b = by_case[book["a"].pk], by_case[book["b"].pk]
    assert (a.opening_fen, a.received_fen, a.paid_out_fen, a.fees_fen, a.transfer_out_fen, a.closing_fen) == (
        1_000_000, 500_000, 400_000, 12_500, 100_000, 987_500)
    assert (b.opening_fen, b.received_fen, b.transfer_in_fen, b.closing_fen) == (0, 300_000, 100_000, 400_000)
    assert a.label == book["a"].case_number and a.team_label == "快执一组"
    teams = reports.balance_report(scope=scope, level="team", period="month", as_of=D(2026, 11, 25))
    by_team = {row.label: row.closing_fen for row in teams.rows}
    assert by_team == {"快执一组": 987_500, "普执二组": 400_000}
    assert teams.total.closing_fen == cases.total.closing_fen == 1_387_500


def test_a_report_before_any_money_is_all_zero_and_lists_no_case(courts, book):
    report = reports.balance_report(scope=scope_of(courts["court"]), level="case", period="month", as_of=D(2026, 9, 30))
    assert report.rows == [] and report.total.closing_fen == 0


def test_a_reversal_shows_as_a_correction(courts, finance, book):
    receipt = services.receipt_record(actor=finance, court_id=finance.court_id, case=book["b"], amount_fen=7_000,
                                      received_on=D(2026, 11, 25), bank_reference="R7")
    services.journal_reverse(actor=finance, journal=receipt.journal, reason="错记")
    report = reports.balance_report(scope=scope_of(courts["court"]), level="case", period="day", as_of=D(2026, 11, 25))
    b = next(row for row in report.rows if row.key == book["b"].pk)
    assert (b.received_fen, b.corrections_fen) == (7_000, -7_000)
    assert b.closing_fen == ledger.case_account(book["b"]).balance_fen == 400_000


def test_a_future_date_and_an_unknown_level_are_refused(courts, book):
    with pytest.raises(ValidationFailed, match="晚于今天"):
        reports.balance_report(scope=scope_of(courts["court"]), as_of=D(2026, 11, 26))
    with pytest.raises(ValidationFailed, match="未知报表层级"):
        reports.balance_report(scope=scope_of(courts["court"]), level="province")
    with pytest.raises(ValidationFailed, match="选择一个法院"):
        reports.balance_report(scope=reports.ReportScope(court_ids=(courts["court"].pk, courts["other"].pk)), level="case")


# ---------------------------------------------------------------- aging


def test_aging_attributes_the_balance_to_the_most_recent_money_in(courts, book):
    report = reports.aging_report(scope=scope_of(courts["court"]), level="case", as_of=D(2026, 11, 25))
    by_case = {row.key: row for row in report.rows}
    a, b = by_case[book["a"].pk], by_case[book["b"].pk]
    # A holds 9,875.00: all of the 5,000.00 of 11-20 (5 days), the rest from the 10,000.00 of 10-10 (46 days)
    assert a.buckets == [500_000, 0, 487_500, 0, 0] and a.total_fen == 987_500
    assert a.oldest_on == D(2026, 10, 10)
    # the 10-10 money was due by 11-09 (30 days, 法发〔2017〕6号): late; the 11-20 money is not yet
    assert a.overdue_fen == 487_500
    assert b.buckets == [400_000, 0, 0, 0, 0] and b.overdue_fen == 0
    assert report.total.total_fen == 1_387_500
    court = reports.aging_report(scope=scope_of(courts["court"]), level="court", as_of=D(2026, 11, 25))
    assert court.rows[0].buckets == [900_000, 0, 487_500, 0, 0]
    teams = reports.aging_report(scope=scope_of(courts["court"]), level="team", as_of=D(2026, 11, 25))
    assert {row.label: row.total_fen for row in teams.rows} == {"快执一组": 987_500, "普执二组": 400_000}


def test_aging_as_of_an_earlier_day_uses_the_balances_of_that_day(courts, book):
    report = reports.aging_report(scope=scope_of(courts["court"]), level="case", as_of=D(2026, 11, 21))
    (a,) = report.rows
    assert a.buckets == [500_000, 0, 1_000_000, 0, 0] and a.overdue_fen == 1_000_000


def test_the_payout_deadline_rolls_off_rest_days(courts):
    court = courts["court"].pk
    assert reports.payout_overdue_through(court, D(2026, 11, 25)) == D(2026, 10, 25)  # 10-26 + 30 = 11-25: not late
    # 10-22 + 30 days = Saturday 11-21, rolled to Monday 11-23: not late on 11-23
    assert reports.payout_overdue_through(court, D(2026, 11, 23)) == D(2026, 10, 21)


def test_unidentified_money_waits_against_its_assign_due(courts, finance, book):
    report = reports.aging_report(scope=scope_of(courts["court"]), level="court", as_of=D(2026, 11, 25))
    waiting = {u.bank_reference: u for u in report.unidentified}
    assert set(waiting) == {"U1", "U2"}
    assert waiting["U1"].assign_due == D(2026, 11, 23) and waiting["U1"].overdue and waiting["U1"].days_waiting == 7
    assert not waiting["U2"].overdue and waiting["U2"].days_waiting == 0
    assert report.unidentified_total_fen == 85_000 and report.unidentified_overdue_fen == 80_000
    services.receipt_assign(actor=finance, receipt=book["u1"], case=book["a"])
    assert [u.bank_reference for u in reports.unidentified_rows(scope_of(courts["court"]), D(2026, 11, 25))] == ["U2"]
    # the assignment is dated today: the day before, the money was still waiting
    assert {u.bank_reference for u in reports.unidentified_rows(scope_of(courts["court"]), D(2026, 11, 24))} == {"U1"}


# ---------------------------------------------------------------- who reads what


def test_the_court_readers_see_their_court_and_a_supervisor_the_courts_below(courts, finance, bureau_head, president,
                                                                              command_centre, supervisor):
    for user in (finance, bureau_head, president, command_centre):
        assert reports.report_scope(user).court_ids == (courts["court"].pk,)
        with pytest.raises(NotAllowed, match="只能查看本院"):
            reports.report_scope(user, court_id=courts["other"].pk)
    seen = set(reports.report_scope(supervisor).court_ids)
    assert seen == {courts["mid"].pk, courts["court"].pk, courts["other"].pk}
    with pytest.raises(NotAllowed, match="本院及下级法院"):
        reports.report_scope(supervisor, court_id=courts["high"].pk)


def test_a_judge_sees_only_the_own_team(courts, judge, team, other_team, book):
    scope = reports.report_scope(judge)
    assert scope.team_id == team.pk and scope.team_only
    with pytest.raises(NotAllowed, match="只能查看本团队"):
        reports.report_scope(judge, team_id=other_team.pk)
    report = reports.balance_report(scope=scope, level="case", period="month", as_of=D(2026, 11, 25))
    assert [row.key for row in report.rows] == [book["a"].pk]
    aging = reports.aging_report(scope=scope, level="case", as_of=D(2026, 11, 25))
    assert [row.key for row in aging.rows] == [book["a"].pk] and aging.unidentified == []
    asked_for_the_court = reports.balance_report(scope=scope, level="court", period="month", as_of=D(2026, 11, 25))
    assert asked_for_the_court.level == "team" and [r.label for r in asked_for_the_court.rows] == ["快执一组"]
    assert asked_for_the_court.ledger == []


def test_a_clerk_a_teamless_judge_and_another_courts_judge_are_refused(courts, clerk, other_judge):
    with pytest.raises(NotAllowed, match="不能查看案款报表"):
        reports.report_scope(clerk)
    teamless = make_user("teamless", courts["court"], Role.JUDGE)
    with pytest.raises(NotAllowed, match="不属于任何执行团队"):
        reports.report_scope(teamless)
    with pytest.raises(NotAllowed, match="只能查看本院"):
        reports.report_scope(other_judge, court_id=courts["court"].pk)


# ---------------------------------------------------------------- reconciliation


def test_the_reconciliation_lists_what_each_side_lacks_and_compares_balances(courts, finance, make_case):
    case = make_case(amount_fen=10_000_000)
    number = ledger.sub_account_number(ledger.settings_for(case.court_id).sub_account_prefix, case.pk)
    content = ("交易日期,交易流水号,收入金额,支出金额,对方户名,子账号,摘要,余额\n"
               f"2026-11-20,S1,5000.00,,甲,{number},还款,5000.00\n"
               "2026-11-21,S2,,2.00,,,手续费,4998.00\n").encode()
    statement_import(actor=finance, court_id=case.court_id, file_name="nov.csv", content=content)
    manual = services.receipt_record(actor=finance, court_id=case.court_id, case=case, amount_fen=1_000,
                                     received_on=D(2026, 11, 21), bank_reference="M1")
    mistake = services.receipt_record(actor=finance, court_id=case.court_id, case=case, amount_fen=3_000,
                                      received_on=D(2026, 11, 21), bank_reference="M2")
    services.journal_reverse(actor=finance, journal=mistake.journal, reason="重复登记")
    court = courts["court"]
    assert reconciliation.default_period(court) == (D(2026, 11, 20), D(2026, 11, 21))
    recon = reconciliation.reconciliation_report(court=court, start=D(2026, 11, 20), end=D(2026, 11, 25))
    assert (recon.statement_in_fen, recon.statement_out_fen) == (500_000, 200)
    assert (recon.ledger_in_fen, recon.ledger_out_fen) == (504_000, 3_000)
    assert [line.bank_reference for line in recon.unmatched_lines] == ["S2"]
    # the mistake and its reversal cancel out; the manual receipt is not on the statement
    assert [(m.journal_id, m.reference, m.covered) for m in recon.movements] == [(manual.journal_id, "M1", True)]
    # on 11-21 the ledger still held the mistake (reversed on 11-25): 5,000 + 10 + 30 against the bank's 4,998
    assert [(b.day, b.statement_fen, b.ledger_fen) for b in recon.balances] == [
        (D(2026, 11, 20), 500_000, 500_000), (D(2026, 11, 21), 499_800, 504_000)]
    assert recon.closing.difference_fen == -4_200 and not recon.balanced
    assert recon.coverage == [(D(2026, 11, 20), D(2026, 11, 21))]
    assert recon.line_counts[LineStatus.BOOKED] == 1 and recon.line_counts[LineStatus.UNMATCHED] == 1


def test_a_statement_that_explains_everything_is_balanced(courts, finance, make_case):
    case = make_case(amount_fen=10_000_000)
    number = ledger.sub_account_number(ledger.settings_for(case.court_id).sub_account_prefix, case.pk)
    content = f"交易日期,交易流水号,收入金额,支出金额,子账号,余额\n2026-11-20,S1,5000.00,,{number},5000.00\n".encode()
    statement_import(actor=finance, court_id=case.court_id, file_name="nov.csv", content=content)
    recon = reconciliation.reconciliation_report(court=courts["court"], start=D(2026, 11, 1), end=D(2026, 11, 20))
    assert recon.balanced and recon.closing.difference_fen == 0


def test_statements_are_read_by_the_finance_desk_and_leaders_not_by_judges(courts, finance, bureau_head, judge, supervisor):
    assert reconciliation.statement_court(finance) == courts["court"]
    assert reconciliation.statement_court(bureau_head) == courts["court"]
    assert reconciliation.statement_court(supervisor, courts["court"].pk) == courts["court"]
    with pytest.raises(NotAllowed, match="不能查看银行对账单"):
        reconciliation.statement_court(judge)
    with pytest.raises(NotAllowed, match="不能导入银行对账单"):
        reconciliation.statement_court(bureau_head, write=True)
    with pytest.raises(NotAllowed, match="只能导入本院"):
        reconciliation.statement_court(finance, courts["other"].pk, write=True)


# ---------------------------------------------------------------- XLSX


def _sheet_rows(content: bytes, title: str) -> list[tuple]:
    book = load_workbook(io.BytesIO(content))
    return [tuple(row) for row in book[title].iter_rows(values_only=True)]


def test_the_balance_export_has_chinese_headers_and_exact_yuan(courts, book):
    report = reports.balance_report(scope=scope_of(courts["court"]), level="case", period="month", as_of=D(2026, 11, 25))
    rows = _sheet_rows(exports.balance_report_xlsx(report), "案款余额")
    assert rows[1] == ("案号", "法院", "承办团队", "期初余额", "本期到账", "本期发放", "结算执行费", "划入", "划出", "冲正调整", "期末余额")
    a = next(r for r in rows if r[0] == book["a"].case_number)
    assert [Decimal(str(v)) for v in a[3:]] == [Decimal(x) for x in ("10000", "5000", "4000", "125", "0", "1000", "0", "9875")]
    assert rows[-1][0] == "合计" and Decimal(str(rows[-1][-1])) == Decimal("13875")
    ledger_rows = _sheet_rows(exports.balance_report_xlsx(
        reports.balance_report(scope=scope_of(courts["court"]), level="court", period="month", as_of=D(2026, 11, 25))), "本院账户")
    assert ("北京市海淀区人民法院", "执行款专户（账面银行存款）", 10000, 14850) in ledger_rows


def test_the_aging_export_lists_buckets_and_unidentified_money(courts, book):
    report = reports.aging_report(scope=scope_of(courts["court"]), level="case", as_of=D(2026, 11, 25))
    content = exports.aging_report_xlsx(report)
    rows = _sheet_rows(content, "案款账龄")
    assert rows[1][4:] == ("7日以内", "8–30日", "31–90日", "91–365日", "一年以上", "合计", "已超发放期限")
    a = next(r for r in rows if r[0] == book["a"].case_number)
    assert a[3] == dt.datetime(2026, 10, 10) and a[4] == 5000 and a[6] == 4875 and a[-1] == 4875
    unidentified = _sheet_rows(content, "不明款")
    assert unidentified[2][2] == 800 and unidentified[2][-1] == "超期"


def test_a_fen_amount_stays_exact_in_the_sheet():
    assert exports.yuan(123_456_789_012_345) == Decimal("1234567890123.45")
    assert exports.yuan(-5) == Decimal("-0.05")
