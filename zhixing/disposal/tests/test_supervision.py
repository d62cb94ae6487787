"""The disposal deadlines supervision watches (法释〔2018〕15号): the reference price started within 30 days
of seizing property for sale (Art. 1), the sale started within 10 days of fixing the price (Art. 30) —
asset by asset, through the disposal services. Today is Wednesday 2026-11-25; dates worked out by hand
on the 2026 calendar (default policy: yellow 3 days before the due day, orange on it, red after)."""

from __future__ import annotations

import datetime as dt

import pytest

from zhixing.cases import services as case_services
from zhixing.cases.exceptions import Locked
from zhixing.disposal import auctions, reference, valuation
from zhixing.disposal.choices import PriceStatus
from zhixing.property import measures
from zhixing.property.models import ControlMeasure
from zhixing.property.rules import ASSET_KINDS
from zhixing.supervision import engine, property_facts
from zhixing.supervision.engine import supervise, supervise_cases
from zhixing.supervision.models import CaseLock, Deadline, EscalationEvent, SupervisionPolicy

from .conftest import D, register, seal

FLAT_2 = {"certificate_number": "浙(2020)温岭市不动产权第0054321号", "address": "浙江省温岭市太平街道锦园小区4幢302室",
          "area": "120.00"}
DEPOSIT = {"bank": "中国工商银行温岭支行", "account": "6222021207001234567", "balance": "35000.00"}
PRICE = 100_000_000  # fen: 1,000,000 yuan


def deadline(case, rule_code: str) -> Deadline:
    return Deadline.objects.get(case=case, rule_code=rule_code)


def levels(case, rule_code: str, days: list[dt.date]) -> list[int]:
    out = []
    for day in days:
        supervise_cases([case.pk], as_of=day)
        out.append(deadline(case, rule_code).level)
    return out


def agree(judge, case, asset, on: dt.date):
    """当事人议价 with an agreed price: fixed (and served) on `on`."""
    return reference.negotiation_record(actor=judge, case=case, asset=asset, applicant_figure_fen=PRICE,
                                        respondent_figure_fen=PRICE, agreed_price_fen=PRICE, on=on)


def travel(time_machine, day: dt.date) -> None:
    time_machine.move_to(dt.datetime(day.year, day.month, day.day, 9, tzinfo=dt.timezone(dt.timedelta(hours=8))))


def first_round(judge, plan):
    """Announced today (11-25), bidding 30 days on (real estate), the parties told on 11-20."""
    starts = dt.datetime(2026, 12, 25, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return auctions.round_create(actor=judge, plan=plan, starting_price_fen=70_000_000, deposit_fen=7_000_000,
                                 increment_fen=500_000, announce_on=D(2026, 11, 25), starts_at=starts,
                                 ends_at=starts + dt.timedelta(hours=24), parties_notified_on=D(2026, 11, 20))


# ---------------------------------------------------------------- 确定参考价: 30 days from the seizure


def test_a_sealed_flat_must_have_its_reference_price_started_within_30_days_rolled_off_a_weekend(judge, case):
    flat = register(judge, case)
    seal(judge, case, flat, on=D(2026, 10, 8))
    row = deadline(case, "reference_price")
    # Thursday 10-08 + 30 days = Saturday 11-07 → Monday 11-09 (CPL Art. 85), as the disposal page counts it
    assert (row.start_on, row.due_on) == (D(2026, 10, 8), D(2026, 11, 9)) == (D(2026, 10, 8), reference.start_due(case, flat))
    assert row.rule_version.citation.startswith("法释〔2018〕15号第1条")
    assert levels(case, "reference_price", [D(2026, 11, 5), D(2026, 11, 6), D(2026, 11, 9), D(2026, 11, 10)]) == [0, 1, 2, 3]
    agree(judge, case, flat, on=D(2026, 11, 20))  # late, but started: the service recomputes the case
    row = deadline(case, "reference_price")
    assert (row.status, row.met_on, row.level) == ("met", D(2026, 11, 20), 0)


def test_the_30_days_roll_off_the_national_day_holiday(judge, case):
    flat = register(judge, case)
    seal(judge, case, flat, on=D(2026, 9, 1))  # + 30 days = 10-01, the holiday runs to 10-07
    assert deadline(case, "reference_price").due_on == D(2026, 10, 8) == reference.start_due(case, flat)


def test_a_queued_seal_and_a_frozen_deposit_wait_for_no_price(judge, make_case, case, flat):
    second = make_case(filed_on=D(2026, 3, 2))
    queued = seal(judge, second, register(judge, second), on=D(2026, 10, 20))  # behind the first case's seal
    deposit = register(judge, second, kind="bank_deposit", details=DEPOSIT)
    measures.measure_take(actor=judge, case=second, asset=deposit, kind="freeze", started_on=D(2026, 10, 20))
    assert queued.status == "queued"
    assert not Deadline.objects.filter(case=second, rule_code__in=["reference_price", "sale_start"]).exists()
    assert deadline(case, "reference_price").due_on == D(2026, 11, 11)  # the first case's seal runs
    # The first case releases: the queued seal takes effect and the flat now waits in the second case,
    # counted from its seizure as the disposal page counts it.
    measures.measure_release(actor=judge, measure=ControlMeasure.objects.get(case=case, asset=flat),
                             released_on=D(2026, 11, 25), reason="被执行人提供担保")
    row = deadline(second, "reference_price")
    assert (row.start_on, row.due_on, row.status) == (D(2026, 10, 20), D(2026, 11, 19), "pending")
    assert row.due_on == reference.start_due(second, flat)


def test_every_cash_kind_has_a_period_class_of_its_own():
    # The engine tells a deposit's freeze by its period class instead of joining the asset.
    cash = {k.period_class for k in ASSET_KINDS.values() if k.cash}
    assert cash and not cash & {k.period_class for k in ASSET_KINDS.values() if not k.cash}
    assert property_facts.cash_period_classes() == tuple(sorted(cash))


def test_with_two_flats_the_one_not_yet_priced_runs_from_its_own_seizure(judge, case, flat):
    second = register(judge, case, details=FLAT_2)
    seal(judge, case, second, on=D(2026, 10, 20))
    assert deadline(case, "reference_price").start_on == D(2026, 10, 12)  # the older seizure first
    agree(judge, case, flat, on=D(2026, 11, 2))
    row = deadline(case, "reference_price")
    assert (row.start_on, row.due_on, row.status) == (D(2026, 10, 20), D(2026, 11, 19), "pending")
    agree(judge, case, second, on=D(2026, 11, 16))
    row = deadline(case, "reference_price")
    assert (row.status, row.met_on) == ("met", D(2026, 11, 16))


def test_releasing_the_seal_answers_the_deadline_on_the_day_of_release(judge, case, flat):
    # Met, not void: releasing is one of the remedies a lock allows (nothing is left to price), as a
    # released measure ends the measure rules' watch; void stays for closed cases.
    assert deadline(case, "reference_price").level == 3  # sealed 10-12, due 11-11
    measures.measure_release(actor=judge, measure=ControlMeasure.objects.get(case=case, asset=flat),
                             released_on=D(2026, 11, 24), reason="申请执行人申请解除查封")
    row = deadline(case, "reference_price")
    assert (row.status, row.met_on, row.level) == ("met", D(2026, 11, 24), 0)


# ---------------------------------------------------------------- 启动变价: 10 days from fixing the price


def test_a_fixed_price_must_be_followed_by_the_sale_within_10_days(judge, case, flat):
    agree(judge, case, flat, on=D(2026, 11, 11))
    assert (deadline(case, "reference_price").status, deadline(case, "reference_price").met_on) == ("met", D(2026, 11, 11))
    row = deadline(case, "sale_start")
    # Wednesday 11-11 + 10 days = Saturday 11-21 → Monday 11-23
    assert (row.start_on, row.due_on) == (D(2026, 11, 11), D(2026, 11, 23))
    assert row.rule_version.citation.startswith("法释〔2018〕15号第30条")
    assert levels(case, "sale_start", [D(2026, 11, 19), D(2026, 11, 20), D(2026, 11, 23), D(2026, 11, 24)]) == [0, 1, 2, 3]


def test_the_first_auction_announced_starts_the_sale(judge, case, flat):
    agree(judge, case, flat, on=D(2026, 11, 11))
    plan = auctions.plan_create(actor=judge, case=case, asset=flat, platform="淘宝网")
    r = first_round(judge, plan)
    assert deadline(case, "sale_start").status == "pending"  # set, not yet announced
    auctions.round_announce(actor=judge, round=r)
    row = deadline(case, "sale_start")
    assert (row.status, row.met_on, row.level) == ("met", D(2026, 11, 25), 0)
    # An announced round withdrawn (暂缓…) leaves the sale started; a withdrawn plan does not count.
    auctions.round_withdraw(actor=judge, round=r, reason="被执行人申请暂缓拍卖")
    supervise_cases([case.pk])
    assert deadline(case, "sale_start").status == "met"
    auctions.plan_withdraw(actor=judge, plan=plan, reason="双方和解")
    row = deadline(case, "sale_start")
    assert (row.status, row.start_on, row.due_on, row.level) == ("pending", D(2026, 11, 11), D(2026, 11, 23), 3)


def test_the_sale_clock_runs_from_service_and_stops_while_an_objection_is_pending(judge, case, flat, price_table,
                                                                                  time_machine):
    travel(time_machine, D(2026, 11, 20))
    reference.negotiation_record(actor=judge, case=case, asset=flat, applicant_figure_fen=PRICE,
                                 respondent_figure_fen=120_000_000, agreed_price_fen=None)  # failed: a start all the same
    assert deadline(case, "reference_price").met_on == D(2026, 11, 20)
    ref = reference.directed_inquiry_record(actor=judge, case=case,
                                            valuation=valuation.flat_lookup(actor=judge, case=case, asset=flat))
    assert (ref.status, ref.result_on) == (PriceStatus.RESULT, D(2026, 11, 20))
    assert not Deadline.objects.filter(case=case, rule_code="sale_start").exists()  # not served: not yet fixed
    travel(time_machine, D(2026, 11, 23))
    reference.reference_serve(actor=judge, reference=ref, served_on=D(2026, 11, 23))
    row = deadline(case, "sale_start")
    assert (row.start_on, row.due_on, row.status) == (D(2026, 11, 23), D(2026, 12, 3), "pending")
    travel(time_machine, D(2026, 11, 25))
    objection = reference.objection_record(actor=judge, reference=ref, raised_on=D(2026, 11, 25), raised_by="被执行人",
                                           grounds="询价结果明显低于市场价")
    row = deadline(case, "sale_start")
    assert (row.status, row.level, row.met_on) == ("paused", 0, None)
    supervise_cases([case.pk], as_of=D(2026, 12, 10))  # long after its due day: still not running
    assert (deadline(case, "sale_start").status, deadline(case, "sale_start").level) == ("paused", 0)
    reference.objection_decide(actor=judge, objection=objection, upheld=False, note="询价依据价格表，异议不成立")
    row = deadline(case, "sale_start")  # the price is fixed again on the day of the decision
    assert (row.status, row.start_on, row.due_on) == ("pending", D(2026, 11, 25), D(2026, 12, 7))


# ---------------------------------------------------------------- the case page, locks, both engine paths


def test_the_case_page_shows_the_disposal_deadlines_with_their_citations(client, judge, case, flat):
    agree(judge, case, flat, on=D(2026, 11, 11))
    client.force_login(judge)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    panel = page[page.index('id="supervision"'):]
    panel = panel[: panel.find("<section")]
    assert "确定参考价（查封、扣押、冻结后30日内启动）" in panel and 'title="依据：法释〔2018〕15号第1条' in panel
    assert "启动变价（参考价确定后10日内）" in panel and 'title="依据：法释〔2018〕15号第30条' in panel
    assert "2026-11-23" in panel and "发布拍卖（变卖）公告启动变价" in panel  # red: the remedy is shown


def test_a_case_locked_for_its_reference_price_may_still_start_one_but_nothing_else(judge, courts, case):
    SupervisionPolicy.objects.create(court=courts["court"], lock_from=D(2026, 1, 1), lock_after_red_days=10,
                                     lock_rules="reference_price")
    car = register(judge, case, kind="vehicle", details={"plate": "浙J12345", "vin": "LSVAM4187C2184846"})
    flat = register(judge, case)
    seal(judge, case, flat)  # 10-12: due 11-11, red from 11-12, locked from 11-22
    lock = CaseLock.objects.get(case=case, released_on__isnull=True)
    assert lock.rule_codes == "reference_price" and "启动确定参考价" in lock.reason
    with pytest.raises(Locked):
        measures.measure_take(actor=judge, case=case, asset=car, kind="detain", started_on=D(2026, 11, 25))
    with pytest.raises(Locked):
        case_services.node_record(actor=judge, case=case, node_code="network_query", occurred_on=D(2026, 11, 25))
    ref = agree(judge, case, flat, on=D(2026, 11, 25))  # the remedy
    assert ref.status == PriceStatus.RESULT and deadline(case, "reference_price").status == "met"
    auctions.plan_create(actor=judge, case=case, asset=flat, platform="淘宝网")  # and the sale after it


def test_the_first_run_stores_exactly_what_the_comparing_run_and_the_services_stored(judge, make_case, case, flat,
                                                                                      monkeypatch):
    """Seized and waiting (red), priced and waiting for the sale, sale announced, objection pending,
    released, a deposit only: the nightly run's two paths agree with each other and with the case-scoped
    runs the services made."""
    agree(judge, case, flat, on=D(2026, 11, 11))
    waiting = make_case(filed_on=D(2026, 3, 2))
    seal(judge, waiting, register(judge, waiting, details=FLAT_2), on=D(2026, 9, 1))
    released = make_case(filed_on=D(2026, 3, 2))
    car = register(judge, released, kind="vehicle", details={"plate": "浙J54321", "vin": "LSVAM4187C2999999"})
    m = seal(judge, released, car, kind="detain", on=D(2026, 10, 1))
    measures.measure_release(actor=judge, measure=m, released_on=D(2026, 11, 2), reason="案外人异议成立")
    cash = make_case(filed_on=D(2026, 3, 2))
    deposit = register(judge, cash, kind="bank_deposit", details=DEPOSIT)
    measures.measure_take(actor=judge, case=cash, asset=deposit, kind="freeze", started_on=D(2026, 10, 20))
    fields = ("case_id", "rule_code", "rule_version_id", "start_on", "due_on", "met_on", "status", "level", "escalation",
              "red_since")
    ours = ("reference_price", "sale_start")
    by_services = sorted(Deadline.objects.filter(rule_code__in=ours).values_list(*fields))
    assert {(r[0], r[1], r[6]) for r in by_services} == {
        (case.pk, "reference_price", "met"), (case.pk, "sale_start", "pending"),
        (waiting.pk, "reference_price", "pending"), (released.pk, "reference_price", "met")}

    def run(first_path: bool):
        Deadline.objects.all().delete()
        EscalationEvent.objects.all().delete()
        monkeypatch.setattr(engine, "FIRST_RUN_PATH", first_path)
        result = supervise(as_of=D(2026, 11, 25))
        return result.deadlines, sorted(Deadline.objects.filter(rule_code__in=ours).values_list(*fields)), sorted(
            EscalationEvent.objects.filter(rule_code__in=ours).values_list("case_id", "rule_code", "escalation"))

    first, compared = run(True), run(False)
    assert first == compared
    assert first[1] == by_services
    assert (waiting.pk, "reference_price", 3) in first[2]  # due 10-08, red from 10-09: at the president by now
    assert supervise(as_of=D(2026, 11, 25)).deadlines == 0


def test_a_case_whose_disposal_is_recorded_only_as_flow_nodes_is_answered_by_them(judge, case):
    # A case migrated from the national system carries its 启动评估 node but no reference price here.
    flat = register(judge, case)
    seal(judge, case, flat, on=D(2026, 10, 8))
    assert deadline(case, "reference_price").status == "pending"
    case_services.node_record(actor=judge, case=case, node_code="appraisal_started", occurred_on=D(2026, 10, 30))
    supervise_cases([case.pk])
    row = deadline(case, "reference_price")
    assert (row.status, row.met_on, row.start_on) == ("met", D(2026, 10, 30), D(2026, 10, 8))



def test_a_flow_node_from_before_the_seizure_does_not_answer_it_and_one_after_does(judge, case):
    # An earlier flat was sealed, appraised (node only) and released; the second flat's seizure starts
    # the clock again. The earlier 启动评估 node does not answer it, a later one does: the one-pass
    # answer (the first node of all, when it follows the start) cannot tell, the second pass must.
    earlier = register(judge, case)
    seal(judge, case, earlier, on=D(2026, 9, 1))
    case_services.node_record(actor=judge, case=case, node_code="appraisal_started", occurred_on=D(2026, 9, 15))
    measures.measure_release(actor=judge, measure=ControlMeasure.objects.get(case=case, asset=earlier),
                             released_on=D(2026, 9, 30), reason="案外人异议成立，解除查封")
    second = register(judge, case, details=FLAT_2)
    seal(judge, case, second, on=D(2026, 10, 8))
    supervise_cases([case.pk])
    row = deadline(case, "reference_price")
    assert (row.status, row.met_on, row.start_on) == ("pending", None, D(2026, 10, 8))
    case_services.node_record(actor=judge, case=case, node_code="auction_started", occurred_on=D(2026, 11, 2))
    case_services.node_record(actor=judge, case=case, node_code="appraisal_started", occurred_on=D(2026, 10, 30))
    supervise_cases([case.pk])
    row = deadline(case, "reference_price")
    assert (row.status, row.met_on) == ("met", D(2026, 10, 30))
