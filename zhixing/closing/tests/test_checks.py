"""智能终本: each condition of 法〔2016〕373号 missing one at a time refuses 终本, naming the condition and
its article; with all of them met the case closes. The checks read the case's own records."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from zhixing.cases import services as case_services
from zhixing.cases.exceptions import DomainError, ValidationFailed
from zhixing.cases.models import Party
from zhixing.closing import checks, services
from zhixing.closing.checks import ZhongbenRefused
from zhixing.closing.rules import ZHONGBEN_CONDITIONS
from zhixing.property import clues as property_clues
from zhixing.property.measures import asset_register, measure_take

from .conftest import TODAY, D, at, node

CODES = [c.code for c in ZHONGBEN_CONDITIONS]


def close_zhongben(case, judge, on=None):
    return case_services.case_close(actor=judge, case=case, closing_type="terminate_current", performed_amount_fen=0,
                                    closed_on=on)


def test_a_case_with_every_condition_met_closes_by_zhongben(zhongben_case, judge):
    case = zhongben_case()
    check = checks.zhongben_check(case)
    assert check.met, [r.refusal_line() for r in check.missing]
    closed = close_zhongben(case, judge)
    assert closed.closing_type == "terminate_current" and closed.status == "closed"


@pytest.mark.parametrize("code", [c for c in CODES if c != "min_time"])
def test_each_condition_missing_alone_refuses_zhongben_naming_it(zhongben_case, judge, code):
    case = zhongben_case(skip={code})
    check = checks.zhongben_check(case)
    assert [r.condition.code for r in check.missing] == [code]
    with pytest.raises(ZhongbenRefused) as exc:
        close_zhongben(case, judge)
    condition = next(c for c in ZHONGBEN_CONDITIONS if c.code == code)
    assert exc.value.http_status == 409 and exc.value.code == "zhongben_conditions_missing"
    assert [e.field for e in exc.value.errors] == [f"conditions.{code}"]
    assert condition.title in exc.value.message and condition.citation in exc.value.message
    case.refresh_from_db()
    assert case.is_open


def test_the_three_months_minimum_is_counted_from_filing_at_its_boundary(zhongben_case, judge):
    # Filed 2026-08-25: three months end 2026-11-25, so 终本 is possible from 2026-11-26 (Art. 1(4)).
    case = zhongben_case(filed_on=D(2026, 8, 25))
    check = checks.zhongben_check(case, TODAY)
    assert [r.condition.code for r in check.missing] == ["min_time"]
    # case_close's own minimum check answers first, with the date
    with pytest.raises(DomainError, match="2026年11月26日"):
        close_zhongben(case, judge)
    with at(D(2026, 11, 26)):
        assert checks.zhongben_check(case).met
        close_zhongben(case, judge)


def test_service_of_the_notice_needs_a_signed_proof_of_service(zhongben_case):
    case = zhongben_case(skip={"service"})
    missing = {r.condition.code: r for r in checks.zhongben_check(case).missing}
    assert set(missing) == {"enforcement_notice", "property_report_order"}
    assert "送达回证" in missing["enforcement_notice"].missing


def test_each_result_names_the_record_that_proves_it(zhongben_case):
    case = zhongben_case()
    results = checks.results_by_code(checks.zhongben_check(case))
    kinds = {code: {p.kind for p in r.proofs} for code, r in results.items()}
    assert kinds["enforcement_notice"] == {"node", "document"}
    assert kinds["network_investigation"] == {"query"} and len(results["network_investigation"].proofs) == 5
    assert kinds["missing_respondent"] == {"finding"} and results["missing_respondent"].not_applicable
    notice = next(p for p in results["enforcement_notice"].proofs if p.kind == "node")
    assert notice.log_seq is not None and notice.url == f"/cases/{case.pk}/"
    served = [p for p in results["enforcement_notice"].proofs if p.kind == "document"]
    assert any("送达回证" in p.label and p.url.startswith("/documents/") for p in served)


def test_a_pending_clue_blocks_zhongben_until_verified(zhongben_case, judge):
    case = zhongben_case()
    clue = property_clues.clue_receive(actor=judge, case=case, source="applicant", description="被执行人在某银行有存款")
    assert [r.condition.code for r in checks.zhongben_check(case).missing] == ["clues_verified"]
    property_clues.clue_verify(actor=judge, clue=clue, outcome="not_found", verified_on=TODAY, note="查询无此账户")
    assert checks.zhongben_check(case).met


def test_found_property_must_be_controlled_and_found_not_disposable(zhongben_case, judge):
    case = zhongben_case()
    respondent = Party.objects.get(case=case, role="respondent")
    link = asset_register(actor=judge, case=case, kind="vehicle", owner_party=respondent,
                          details={"plate": "京A12345", "vin": "LSVAA4180E2123456"}, found_on=TODAY, found_via="onsite")
    result = checks.results_by_code(checks.zhongben_check(case))["property_disposal"]
    assert not result.met and "未采取控制措施" in result.missing
    measure_take(actor=judge, case=case, asset=link.asset, kind="seal", started_on=TODAY, document_number="（2026）京0108执1号之一")
    result = checks.results_by_code(checks.zhongben_check(case))["property_disposal"]
    assert not result.met and "尚未处置" in result.missing
    services.finding_record(actor=judge, case=case, condition="property_disposal",
                            text="车辆仅在车管所查封，未实际扣押，无法处置（第4条）")
    assert checks.zhongben_check(case).met


def test_a_minor_respondent_needs_no_dishonest_listing(zhongben_case, judge):
    case = zhongben_case(skip={"dishonest_listing"})
    Party.objects.filter(case=case, role="respondent").update(birth_on=dt.date(2012, 5, 1), id_number="")
    result = checks.results_by_code(checks.zhongben_check(case))["dishonest_listing"]
    assert result.met and result.not_applicable and "未成年人" in result.proofs[0].label


def test_a_lead_proves_the_search_for_a_missing_respondent(zhongben_case, judge):
    case = zhongben_case(skip={"missing_respondent"})
    respondent = Party.objects.get(case=case, role="respondent")
    property_clues.person_lead_record(actor=judge, case=case, party=respondent, source="police", content="公安协查：暂住地不详")
    result = checks.results_by_code(checks.zhongben_check(case))["missing_respondent"]
    assert result.met and not result.not_applicable and result.proofs[0].kind == "lead"


def test_a_withdrawn_finding_no_longer_counts(zhongben_case, judge):
    case = zhongben_case()
    services.finding_withdraw(actor=judge, case=case, condition="obstruction", reason="发现被执行人转移车辆")
    assert [r.condition.code for r in checks.zhongben_check(case).missing] == ["obstruction"]
    node(case, "sanction", judge, TODAY)
    assert checks.zhongben_check(case).met


def test_a_finding_is_refused_for_a_condition_that_always_applies(zhongben_case, judge):
    case = zhongben_case()
    with pytest.raises(ValidationFailed, match="不是可以认定为不适用"):
        services.finding_record(actor=judge, case=case, condition="interview", text="申请执行人拒绝约谈")


def test_the_api_refuses_zhongben_with_409_listing_what_is_missing(client, zhongben_case, judge):
    case = zhongben_case(skip={"interview", "consumption_restriction"})
    client.force_login(judge)
    response = client.post(f"/api/v1/cases/{case.pk}/close", data=json.dumps(
        {"closing_type": "terminate_current", "performed_amount_fen": 0}), content_type="application/json")
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "zhongben_conditions_missing"
    assert {e["field"] for e in body["errors"]} == {"conditions.interview", "conditions.consumption_restriction"}
    assert "法〔2016〕373号第5条" in body["message"]


def test_the_close_form_shows_each_missing_condition(client, zhongben_case, judge):
    case = zhongben_case(skip={"interview"})
    client.force_login(judge)
    response = client.post(f"/cases/{case.pk}/close/", {"close-closing_type": "terminate_current", "close-performed_amount": "0"})
    page = response.content.decode()
    assert response.status_code == 409
    assert "约谈申请执行人" in page and "法〔2016〕373号第5条" in page


def test_service_by_other_means_is_recorded_as_a_finding_but_the_notice_must_still_issue(zhongben_case, judge):
    case = zhongben_case(skip={"service", "property_report_order"})
    services.finding_record(actor=judge, case=case, condition="enforcement_notice", text="2026年8月5日电子送达，已读回执在卷")
    services.finding_record(actor=judge, case=case, condition="property_report_order", text="2026年8月5日电子送达")
    results = checks.results_by_code(checks.zhongben_check(case))
    assert results["enforcement_notice"].met and not results["enforcement_notice"].not_applicable
    assert not results["property_report_order"].met and "未发出报告财产令" in results["property_report_order"].missing
