"""The closing pages: the case page's 终本 panel, the worklists with their filters, and the actions that
go back onto their forms when refused. Lists assert their query count so N+1 reads cannot creep in."""

from __future__ import annotations

import pytest

from zhixing.cases.models import EnforcementCase
from zhixing.closing import pool, restoration, review
from zhixing.closing.models import ConditionFinding

from .conftest import D, at


def test_the_case_page_shows_each_condition_with_its_article_and_proof(client, zhongben_case, judge):
    case = zhongben_case(skip={"interview"})
    client.force_login(judge)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "智能终本核查" in page and "终本条件 11/12 项已满足，尚缺 1 项" in page
    assert 'id="condition-interview"' in page and "法〔2016〕373号第5条" in page
    assert "流程节点“发出执行通知书”" in page and "执行日志第" in page
    assert 'id="closing-finding-form"' in page


def test_a_finding_from_the_case_page_needs_a_reason(client, zhongben_case, judge):
    case = zhongben_case(skip={"obstruction"})
    client.force_login(judge)
    response = client.post(f"/closing/cases/{case.pk}/findings/", {"finding-condition": "obstruction", "finding-text": "无"})
    assert response.status_code == 422 and "至少4个字" in response.content.decode()
    response = client.post(f"/closing/cases/{case.pk}/findings/", {"finding-condition": "obstruction",
                                                                   "finding-text": "被执行人配合执行，无妨害行为"})
    assert response.status_code == 302 and ConditionFinding.objects.filter(case=case, condition="obstruction").count() == 1


def test_a_supervisor_sees_the_panel_without_forms_and_cannot_act(client, zhongben_case, supervisor):
    case = zhongben_case()
    client.force_login(supervisor)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "智能终本核查" in page and 'id="closing-finding-form"' not in page
    response = client.post(f"/closing/cases/{case.pk}/findings/", {"finding-condition": "obstruction", "finding-text": "某某理由"})
    assert response.status_code == 403


def test_another_courts_case_is_not_found(client, zhongben_case, other_judge):
    case = zhongben_case()
    client.force_login(other_judge)
    assert client.post(f"/closing/cases/{case.pk}/findings/", {}).status_code == 404
    assert client.get(f"/api/v1/closing/cases/{case.pk}/checks").status_code == 404


def test_the_home_page_counts(client, judge):
    client.force_login(judge)
    page = client.get("/closing/").content.decode()
    assert "应二次财产调查" in page and "终本库到期待查询" in page


@pytest.mark.parametrize("url", ["/closing/second-investigation/", "/closing/pool/", "/closing/proposals/",
                                 "/closing/reviews/", "/closing/bankruptcy/", "/closing/bankruptcy/transfers/",
                                 "/closing/archive/"])
def test_every_list_page_opens(client, judge, url):
    client.force_login(judge)
    assert client.get(url).status_code == 200


def test_the_pool_list_reads_a_fixed_number_of_queries(client, make_case, clerk, django_assert_max_num_queries):
    cases = [make_case(filed_on=D(2026, 3, 2)) for _ in range(8)]
    EnforcementCase.objects.filter(pk__in=[c.pk for c in cases]).update(status="closed", closing_type="terminate_current",
                                                                        closed_on=D(2026, 7, 1))
    pool.pool_sync()
    client.force_login(clerk)
    with django_assert_max_num_queries(12):
        page = client.get("/closing/pool/").content.decode()
    assert all(c.case_number in page for c in cases)


def test_the_archive_worklist_flags_a_missing_ruling_in_a_fixed_number_of_queries(client, make_case, clerk,
                                                                                 django_assert_max_num_queries):
    cases = [make_case(filed_on=D(2026, 3, 2)) for _ in range(6)]
    EnforcementCase.objects.filter(pk__in=[c.pk for c in cases]).update(status="closed", closing_type="terminate_current",
                                                                        closed_on=D(2026, 10, 1), archive_due=D(2026, 11, 2))
    client.force_login(clerk)
    with django_assert_max_num_queries(14):
        page = client.get("/closing/archive/?overdue=on").content.decode()
    assert page.count("缺：终结本次执行程序裁定书") == 6


def test_restoring_from_the_proposals_page_opens_the_new_case(client, closed_zhongben, judge):
    original = closed_zhongben(D(2026, 4, 1))
    with at(D(2026, 11, 20)):
        proposal = restoration.proposal_record(actor=judge, case=original, source="application", description="申请人申请恢复执行")
    client.force_login(judge)
    page = client.get("/closing/proposals/").content.decode()
    assert original.case_number in page and f"/closing/proposals/{proposal.pk}/restore/" in page
    response = client.post(f"/closing/proposals/{proposal.pk}/restore/", {"filed_on": "2026-11-25", "note": ""})
    new = EnforcementCase.objects.get(origin_case=original)
    assert response.status_code == 302 and response["Location"] == f"/cases/{new.pk}/"
    page = client.get(f"/cases/{new.pk}/").content.decode()
    assert "恢复执行案件，原案" in page and original.case_number in page


def test_a_dismissal_without_a_reason_is_shown_on_its_form(client, closed_zhongben, judge):
    original = closed_zhongben(D(2026, 4, 1))
    with at(D(2026, 11, 20)):
        proposal = restoration.proposal_record(actor=judge, case=original, source="clue", description="线索")
    client.force_login(judge)
    response = client.post(f"/closing/proposals/{proposal.pk}/dismiss/", {"note": ""})
    page = response.content.decode()
    assert response.status_code == 422 and "必填" in page and f'id="proposal-{proposal.pk}"' in page
    proposal.refresh_from_db()
    assert proposal.status == "pending"


def test_review_marks_from_the_page(client, make_case, bureau_head, command_centre, courts):
    cases = [make_case(filed_on=D(2026, 3, 2)) for _ in range(3)]
    EnforcementCase.objects.filter(pk__in=[c.pk for c in cases]).update(status="closed", closing_type="terminate_current",
                                                                        closed_on=D(2026, 10, 15))
    client.force_login(bureau_head)
    response = client.post("/closing/reviews/", {"period_start": "2026-10-01", "period_end": "2026-10-31"})
    assert response.status_code == 302
    sample = review.SampleReview.objects.get()
    item = sample.items.order_by("position").first()
    client.force_login(command_centre)
    response = client.post(f"/closing/reviews/items/{item.pk}/", {f"item{item.pk}-verdict": "fail"})
    assert response.status_code == 422 and "至少一项原因" in response.content.decode()
    client.post(f"/closing/reviews/items/{item.pk}/", {f"item{item.pk}-verdict": "fail", f"item{item.pk}-reasons": ["interview"]})
    page = client.get(f"/closing/reviews/{sample.pk}/").content.decode()
    assert 'id="pass-rate">0.00%' in page


def test_the_transfer_page_offers_the_next_step_and_the_documents(client, make_case, judge, president):
    from .test_bankruptcy import CODE, company_cases

    company_cases(make_case, 5)
    client.force_login(judge)
    page = client.get("/closing/bankruptcy/").content.decode()
    assert "某某建材有限公司" in page and CODE in page
    response = client.post("/closing/bankruptcy/", {"credit_code": CODE, "opinion": "资不抵债，五案终本"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert 'id="step-consent"' in page and "执行案件移送破产审查征询意见书" in page
    response = client.post(response["Location"] + "panel/", {"panel_on": "2026-11-25"})
    assert response.status_code == 409 and "此步骤须在" in response.content.decode()
