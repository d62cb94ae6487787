"""Fixtures of the distribution tests: today is Wednesday 2026-11-25 in Beijing (the clock can be moved),
and a flat sealed by this case and queued on by two others — one of this court, one of another."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
import time_machine

from zhixing.cases.models import EnforcementCase
from zhixing.money import services as money
from zhixing.property import measures
from zhixing.property.assets import case_asset_link
from zhixing.testing.fixtures import *  # noqa: F401,F403

D = dt.date
BEIJING = dt.timezone(dt.timedelta(hours=8))
FILED = D(2026, 6, 2)
FLAT = {"certificate_number": "京(2020)海淀区不动产权第0001234号", "address": "北京市海淀区某路1号", "area": "89.5"}


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=BEIJING)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(D(2026, 11, 25)), tick=False) as traveller:
        yield traveller


@dataclass
class Flat:
    case: EnforcementCase  # sealed first (2026-07-01), holds the proceeds
    same_court: EnforcementCase  # queued 2026-07-02, this court
    other_court: EnforcementCase  # queued 2026-07-03, another court


def receive(finance, case, amount_fen: int, reference: str = "") -> None:
    money.receipt_record(actor=finance, court_id=case.court_id, case=case, amount_fen=amount_fen,
                         received_on=D(2026, 11, 20), channel="auction", payer_name="网络司法拍卖",
                         bank_reference=reference)


@pytest.fixture
def flat(judge, other_judge, make_case) -> Flat:
    """120,000 yuan owed in this case, 80,000 in the other case of this court, 50,000 in the other court's."""
    case = make_case(filed_on=FILED, amount_fen=12_000_000)
    same_court = make_case(filed_on=FILED, amount_fen=8_000_000)
    other_court = make_case(actor=other_judge, filed_on=FILED, amount_fen=5_000_000)
    link = measures.asset_register(actor=judge, case=case, kind="real_estate", details=FLAT,
                                   owner_party=case.parties.get(role="respondent"), found_on=D(2026, 6, 20),
                                   found_via="onsite")
    measures.measure_take(actor=judge, case=case, asset=link.asset, kind="seal", started_on=D(2026, 7, 1))
    for actor, other, day in ((judge, same_court, D(2026, 7, 2)), (other_judge, other_court, D(2026, 7, 3))):
        case_asset_link(case=other, asset=link.asset, found_on=day, found_via="onsite")
        measures.measure_take(actor=actor, case=other, asset=link.asset, kind="seal", started_on=day)
    return Flat(case, same_court, other_court)


@pytest.fixture
def proceeds(flat, finance) -> Flat:
    """The flat sold: 100,000 yuan on this case's account."""
    receive(finance, flat.case, 10_000_000, "AUCTION-1")
    flat.case.refresh_from_db()
    return flat
