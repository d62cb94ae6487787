"""Auction rounds: every rule at its boundary (70% start, 5–20% deposit, announcement periods, parties
told 3 days before, 24 hours of bidding, validity, 30 days and ≤ 20% for the second auction), results
and premium rate, sale, taking in kind, handover, the proceeds' receipt. Reference price 1,000,000 yuan."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from zhixing.cases.exceptions import DomainError, ValidationFailed
from zhixing.cases.models import NodeRecord
from zhixing.disposal import auctions, reference
from zhixing.disposal.choices import PlanStatus, RoundKind, RoundStatus
from zhixing.money import services as money

from .conftest import CAR, D, applicant, register

BJ = ZoneInfo("Asia/Shanghai")
PRICE = 100_000_000  # fen: 1,000,000 yuan
ANNOUNCE, STARTS, NOTIFIED = D(2026, 11, 25), D(2026, 12, 25), D(2026, 11, 20)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=BJ)


def travel(time_machine, day: dt.date) -> None:
    time_machine.move_to(at(day, 9))


@pytest.fixture
def price(judge, case, flat):
    """Agreed by the parties on 2026-10-20: valid until 2027-10-19."""
    return reference.negotiation_record(actor=judge, case=case, asset=flat, applicant_figure_fen=PRICE,
                                        respondent_figure_fen=PRICE, agreed_price_fen=PRICE, on=D(2026, 10, 20))


@pytest.fixture
def plan(judge, case, flat, price):
    return auctions.plan_create(actor=judge, case=case, asset=flat, platform="淘宝网", viewing="每周三上午现场看样",
                                encumbrances="中国工商银行温岭支行抵押（债权额80万元）", taxes="买卖双方各自承担",
                                priority_holders="承租人李某", contact="王法官 0576-86000000")


def first_round(judge, plan, *, start=70_000_000, deposit=None, announce=ANNOUNCE, starts=STARTS, hours=24,
                notified=NOTIFIED, increment=500_000):
    return auctions.round_create(actor=judge, plan=plan, starting_price_fen=start,
                                 deposit_fen=deposit if deposit is not None else start // 10, increment_fen=increment,
                                 announce_on=announce, starts_at=at(starts), ends_at=at(starts) + dt.timedelta(hours=hours),
                                 parties_notified_on=notified)


def fields(exc) -> set[str]:
    return {e.field for e in exc.value.errors}


# ---------------------------------------------------------------- the first auction


def test_a_starting_price_of_69_9_percent_is_refused_and_70_percent_accepted(judge, plan):
    with pytest.raises(ValidationFailed) as refused:
        first_round(judge, plan, start=69_900_000)
    assert fields(refused) == {"starting_price_fen"}
    assert "法释〔2016〕18号第10条" in refused.value.message
    with pytest.raises(ValidationFailed):
        first_round(judge, plan, start=69_999_999)  # a fen below 70%
    r = first_round(judge, plan, start=70_000_000)
    assert (r.number, r.kind, r.reference_price_fen) == (1, RoundKind.AUCTION, PRICE)


@pytest.mark.parametrize(("deposit", "ok"), [(3_499_999, False), (3_500_000, True), (14_000_000, True), (14_000_001, False)])
def test_the_deposit_is_5_to_20_percent_of_the_starting_price(judge, plan, deposit, ok):
    if ok:
        assert first_round(judge, plan, deposit=deposit).deposit_fen == deposit
    else:
        with pytest.raises(ValidationFailed) as refused:
            first_round(judge, plan, deposit=deposit)
        assert fields(refused) == {"deposit_fen"} and "第17条" in refused.value.message


def test_real_estate_is_announced_30_days_before_the_auction(judge, plan):
    with pytest.raises(ValidationFailed) as refused:
        first_round(judge, plan, starts=D(2026, 12, 24))  # 29 days after 25 November
    assert fields(refused) == {"announce_on"} and "不足30日" in refused.value.message
    assert first_round(judge, plan, starts=D(2026, 12, 25)).starts_at == at(D(2026, 12, 25))


def test_a_vehicle_is_announced_15_days_before(judge, case, price):
    car = register(judge, case, kind="vehicle", details=CAR)
    from .conftest import seal

    seal(judge, case, car, kind="detain")
    reference.negotiation_record(actor=judge, case=case, asset=car, applicant_figure_fen=6_000_000,
                                 respondent_figure_fen=6_000_000, agreed_price_fen=6_000_000)
    plan = auctions.plan_create(actor=judge, case=case, asset=car, platform="京东网")
    with pytest.raises(ValidationFailed):
        first_round(judge, plan, start=4_200_000, starts=D(2026, 12, 9))  # 14 days
    assert first_round(judge, plan, start=4_200_000, starts=D(2026, 12, 10)).number == 1


def test_the_parties_are_told_3_days_before_the_announcement(judge, plan):
    with pytest.raises(ValidationFailed) as refused:
        first_round(judge, plan, notified=D(2026, 11, 23))
    assert fields(refused) == {"parties_notified_on"} and "第16条" in refused.value.message
    assert first_round(judge, plan, notified=D(2026, 11, 22)).parties_notified_on == D(2026, 11, 22)


def test_bidding_lasts_24_hours_at_least(judge, plan):
    with pytest.raises(ValidationFailed) as refused:
        first_round(judge, plan, hours=23)
    assert fields(refused) == {"ends_at"}


def test_the_first_announcement_falls_within_the_reference_prices_validity(judge, plan):
    # Valid until 2027-10-19: the first announcement on that day is in time, the next day is not.
    with pytest.raises(ValidationFailed) as refused:
        first_round(judge, plan, announce=D(2027, 10, 20), starts=D(2027, 11, 20), notified=D(2027, 10, 15))
    assert "一拍公告须在有效期内发布" in refused.value.message
    assert first_round(judge, plan, announce=D(2027, 10, 19), starts=D(2027, 11, 19), notified=D(2027, 10, 15))


def test_no_round_without_a_standing_reference_price(judge, case, flat):
    plan = auctions.plan_create(actor=judge, case=case, asset=flat, platform="淘宝网")
    with pytest.raises(DomainError) as refused:
        first_round(judge, plan)
    assert refused.value.code == "no_reference_price" and "尚未确定参考价" in refused.value.message


def test_a_plan_needs_a_listed_platform_and_a_seizure_in_force(judge, make_case, case, flat, price):
    with pytest.raises(ValidationFailed):
        auctions.plan_create(actor=judge, case=case, asset=flat, platform="某某拍卖行")
    second = make_case(filed_on=D(2026, 3, 2))
    from .conftest import seal

    seal(judge, second, register(judge, second))  # queued
    with pytest.raises(DomainError) as queued:
        auctions.plan_create(actor=judge, case=second, asset=flat, platform="淘宝网")
    assert queued.value.code == "asset_not_held"


# ---------------------------------------------------------------- announcing, results, the second round


def _failed_first(judge, plan, time_machine, start=70_000_000):
    r = first_round(judge, plan, start=start)
    auctions.round_announce(actor=judge, round=r)
    travel(time_machine, D(2026, 12, 26))
    return auctions.round_result(actor=judge, round=r, sold=False, closed_on=D(2026, 12, 26))


def test_announcing_records_auction_started(judge, case, plan):
    r = auctions.round_announce(actor=judge, round=first_round(judge, plan))
    assert r.status == RoundStatus.ANNOUNCED
    assert NodeRecord.objects.filter(case=case, node_code="auction_started").values_list("occurred_on", flat=True).get() == D(2026, 11, 25)


def test_a_sale_records_price_buyer_and_premium_rate(judge, case, plan, time_machine):
    r = auctions.round_announce(actor=judge, round=first_round(judge, plan))
    travel(time_machine, D(2026, 12, 26))
    with pytest.raises(ValidationFailed):  # below the reserve price
        auctions.round_result(actor=judge, round=r, sold=True, closed_on=D(2026, 12, 26), price_fen=69_999_999, buyer_name="赵某")
    r = auctions.round_result(actor=judge, round=r, sold=True, closed_on=D(2026, 12, 26), price_fen=86_695_000,
                              buyer_name="赵某", buyer_identity="330000199001011234")
    assert r.premium_bp == 2385  # (86,695,000 − 70,000,000) ÷ 70,000,000 = 23.85% (seed 001 案例15's rate)
    assert auctions.percent_text(r.premium_bp) == "23.85%"
    assert r.plan.status == PlanStatus.SOLD
    assert NodeRecord.objects.filter(case=case, node_code="auction_confirmed").exists()


def test_a_second_auction_at_most_20_percent_lower(judge, plan, time_machine):
    _failed_first(judge, plan, time_machine)
    kwargs = {"announce": D(2026, 12, 28), "starts": D(2027, 1, 12), "notified": D(2026, 12, 24)}
    with pytest.raises(ValidationFailed) as refused:
        first_round(judge, plan, start=55_993_000, **kwargs)  # 20.01% below 70,000,000
    assert fields(refused) == {"starting_price_fen"} and "降价超过20%" in refused.value.message
    second = first_round(judge, plan, start=56_000_000, **kwargs)  # exactly 20%
    assert (second.number, second.kind) == (2, RoundKind.AUCTION)


def test_the_second_auction_is_announced_within_30_days_and_15_days_before(judge, plan, time_machine):
    _failed_first(judge, plan, time_machine)  # failed 2026-12-26: announce by 2027-01-25
    with pytest.raises(ValidationFailed) as late:
        first_round(judge, plan, start=60_000_000, announce=D(2027, 1, 26), starts=D(2027, 2, 12), notified=D(2027, 1, 20))
    assert "30日内再次拍卖" in late.value.message
    with pytest.raises(ValidationFailed) as short:
        first_round(judge, plan, start=60_000_000, announce=D(2027, 1, 25), starts=D(2027, 2, 8), notified=D(2027, 1, 20))
    assert "不足15日" in short.value.message
    assert first_round(judge, plan, start=60_000_000, announce=D(2027, 1, 25), starts=D(2027, 2, 9), notified=D(2027, 1, 20))


def test_after_the_second_failure_the_sale_at_the_second_starting_price(judge, case, plan, time_machine):
    _failed_first(judge, plan, time_machine)
    second = first_round(judge, plan, start=56_000_000, announce=D(2026, 12, 26), starts=D(2027, 1, 11),
                         notified=D(2026, 12, 22))
    auctions.round_announce(actor=judge, round=second)
    travel(time_machine, D(2027, 1, 12))
    auctions.round_result(actor=judge, round=second, sold=False, closed_on=D(2027, 1, 12))
    kwargs = {"announce": D(2027, 1, 12), "starts": D(2027, 1, 20), "hours": 24 * 60, "notified": D(2027, 1, 8)}
    with pytest.raises(ValidationFailed):
        first_round(judge, plan, start=55_000_000, **kwargs)
    sale = first_round(judge, plan, start=56_000_000, **kwargs)
    assert (sale.number, sale.kind, sale.title) == (3, RoundKind.SALE, "变卖")
    auctions.round_announce(actor=judge, round=sale)
    codes = set(NodeRecord.objects.filter(case=case).values_list("node_code", flat=True))
    assert {"auction_started", "second_auction", "sale_started"} <= codes


def test_taking_in_kind_at_the_failed_auctions_reserve_price(judge, case, plan, time_machine):
    with pytest.raises(DomainError):  # nothing failed yet
        auctions.transfer_in_kind(actor=judge, plan=plan, party=applicant(case), on=D(2026, 11, 25))
    _failed_first(judge, plan, time_machine)
    with pytest.raises(ValidationFailed):  # the respondent cannot take it
        auctions.transfer_in_kind(actor=judge, plan=plan, party=case.parties.get(role="respondent"), on=D(2026, 12, 26))
    plan = auctions.transfer_in_kind(actor=judge, plan=plan, party=applicant(case), on=D(2026, 12, 26))
    assert (plan.status, plan.in_kind_price_fen) == (PlanStatus.IN_KIND, 70_000_000)
    plan = auctions.plan_handover(actor=judge, plan=plan, on=D(2026, 12, 26))
    codes = set(NodeRecord.objects.filter(case=case).values_list("node_code", flat=True))
    assert {"transfer_in_kind", "handover"} <= codes and plan.status == PlanStatus.HANDED_OVER


def test_one_open_round_at_a_time_and_a_withdrawn_round_can_be_set_again(judge, plan):
    r = first_round(judge, plan)
    with pytest.raises(DomainError) as refused:
        first_round(judge, plan)
    assert refused.value.code == "round_open"
    auctions.round_withdraw(actor=judge, round=r, reason="被执行人申请暂缓")
    assert first_round(judge, plan).number == 1


def test_the_buyers_payment_booked_by_finance_is_linked_to_the_sale(judge, finance, case, plan, time_machine):
    r = auctions.round_announce(actor=judge, round=first_round(judge, plan))
    travel(time_machine, D(2026, 12, 26))
    r = auctions.round_result(actor=judge, round=r, sold=True, closed_on=D(2026, 12, 26), price_fen=80_000_000, buyer_name="赵某")
    voluntary = money.receipt_record(actor=finance, court_id=case.court_id, amount_fen=1_000, received_on=D(2026, 12, 26),
                                     case=case, bank_reference="B1")
    with pytest.raises(ValidationFailed):  # not the auction's money
        auctions.receipt_link(actor=judge, round=r, receipt=voluntary)
    receipt = money.receipt_record(actor=finance, court_id=case.court_id, amount_fen=80_000_000, received_on=D(2026, 12, 26),
                                   channel="auction", case=case, bank_reference="B2")
    r = auctions.receipt_link(actor=judge, round=r, receipt=receipt)
    assert r.receipt == receipt
    assert auctions.receipt_link(actor=judge, round=r, receipt=receipt).receipt == receipt  # a retry
