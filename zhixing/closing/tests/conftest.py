"""Fixtures of the closing tests: today is Wednesday 2026-11-25 in Beijing, and `zhongben_case` builds a
case through the real services with every 终本 condition met — or all but the ones named in `skip`."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from zhixing.cases import services as case_services
from zhixing.cases.models import Party
from zhixing.closing import services
from zhixing.documents import services as documents
from zhixing.property import clues as property_clues
from zhixing.property.checklist import query_record_manual
from zhixing.property.rules import CHECKLIST, Group

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 11, 25)
FILED = dt.date(2026, 8, 3)  # more than three months before TODAY: 终本 possible from 2026-11-04
D = dt.date
FIRST_OF_APRIL = D(2026, 4, 1)


def at(day: dt.date, hour: int = 10):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI), tick=False)


@pytest.fixture(autouse=True)
def exchange_dir(settings, tmp_path):
    """Request files of the network queries go to a temporary folder, never to var/."""
    settings.PROPERTY_EXCHANGE_DIR = tmp_path / "exchange"
    return settings.PROPERTY_EXCHANGE_DIR


@pytest.fixture(autouse=True)
def on_25_november_2026():
    with at(TODAY):
        yield


def node(case, code: str, actor, on: dt.date = TODAY) -> None:
    case_services.node_record(actor=actor, case=case, node_code=code, occurred_on=on)


@pytest.fixture
def zhongben_case(make_case, judge):
    """zhongben_case(skip={"interview", …}) — a case ready for 终本 except for the conditions skipped."""

    def build(*, skip: frozenset[str] | set[str] = frozenset(), filed_on: dt.date = FILED, **kwargs):
        case = make_case(filed_on=filed_on, **kwargs)
        respondent = Party.objects.get(case=case, role="respondent")
        if "enforcement_notice" not in skip:
            node(case, "enforcement_notice", judge, filed_on + dt.timedelta(days=1))
        if "property_report_order" not in skip:
            node(case, "property_report_order", judge, filed_on + dt.timedelta(days=1))
        proof = documents.document_generate(actor=judge, case=case, kind="proof_of_service")
        if "service" not in skip:  # the recipient signed the 送达回证 of 执行通知书、报告财产令
            documents.document_mark(actor=judge, document=proof, signed=True)
        if "consumption_restriction" not in skip:
            node(case, "consumption_restriction", judge, filed_on + dt.timedelta(days=30))
        if "dishonest_listing" not in skip:
            node(case, "dishonest_listing", judge, filed_on + dt.timedelta(days=30))
        if "network_investigation" not in skip:
            for item in CHECKLIST:
                if item.group == Group.FIVE:
                    query_record_manual(actor=judge, case=case, party=respondent, item_code=item.code,
                                        state="replied_none", replied_on=filed_on + dt.timedelta(days=10))
        if "clues_verified" in skip:  # missing means: a clue received and never verified
            property_clues.clue_receive(actor=judge, case=case, source="applicant", description="被执行人在某地有房产",
                                        received_on=filed_on + dt.timedelta(days=40))
        if "offline_investigation" not in skip:
            node(case, "traditional_query", judge, filed_on + dt.timedelta(days=15))
            node(case, "traditional_query_done", judge, filed_on + dt.timedelta(days=20))
        if "property_disposal" not in skip:
            node(case, "no_property_found", judge, filed_on + dt.timedelta(days=30))
        if "missing_respondent" not in skip:
            services.finding_record(actor=judge, case=case, condition="missing_respondent", text="被执行人住所明确，已当面送达")
        if "obstruction" not in skip:
            services.finding_record(actor=judge, case=case, condition="obstruction", text="未发现妨害执行行为")
        if "interview" not in skip:
            node(case, "interview", judge, filed_on + dt.timedelta(days=45))
        case.refresh_from_db()
        return case

    return build


@pytest.fixture
def closed_zhongben(zhongben_case, judge):
    """closed_zhongben(on=date) — a case closed by 终本 on `on` (filed four months before), every condition met."""

    def build(on: dt.date = FIRST_OF_APRIL, **kwargs):
        with at(on):
            case = zhongben_case(filed_on=on - dt.timedelta(days=121), **kwargs)
            return case_services.case_close(actor=judge, case=case, closing_type="terminate_current",
                                            performed_amount_fen=kwargs.get("performed", 0))

    return build
