"""The distribution pages: the case's plans with shares, ratios and the objection countdown; the draft
editor adding and removing lines in place; each action through its form; read-only and other courts."""

from __future__ import annotations

import pytest

from zhixing.distribution import services
from zhixing.distribution.choices import PlanStatus, Tier
from zhixing.distribution.models import DistributionLine, DistributionPlan
from zhixing.money.models import PayoutOrder

from .conftest import D, at

HX = {"HTTP_HX_REQUEST": "true"}


def page(response) -> str:
    return response.content.decode()


def case_url(case, rest: str = "") -> str:
    return f"/distribution/cases/{case.pk}/{rest}"


def test_the_case_page_offers_a_draft_from_the_creditors_on_the_same_flat(client, judge, proceeds):
    client.force_login(judge)
    html = page(client.get(case_url(proceeds.case)))
    assert "制作分配方案" in html and "100,000.00" in html
    assert proceeds.same_court.case_number in html and proceeds.other_court.case_number in html
    assert "北京市西城区人民法院" in html  # the other court's case is named with its court
    response = client.post(case_url(proceeds.case, "create/"), {"create-prefill": "on", "create-reason": "房产拍卖成交"})
    plan = DistributionPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/distribution/plans/{plan.pk}/"
    html = page(client.get(response["Location"]))
    # 100,000 shared 120 : 80 : 50
    assert "48,000.00" in html and "32,000.00" in html and "20,000.00" in html and "40.00%" in html
    assert "草稿" in html and "列入债权人、优先受偿债权或执行费用" in html and "登记送达" in html
    assert "生成财产分配方案" in html and f"/documents/cases/{proceeds.case.pk}/?kind=distribution_plan" in html


def test_bad_proceeds_are_named_next_to_the_field(client, judge, flat):
    client.force_login(judge)
    response = client.post(case_url(flat.case, "create/"), {"create-prefill": "on"})
    assert response.status_code == 422 and "可用余额为零，请填写可供分配金额" in page(response)
    response = client.post(case_url(flat.case, "create/"), {"create-proceeds": "12.345"})
    assert response.status_code == 422 and "不是有效金额" in page(response)


def test_the_draft_editor_adds_and_removes_lines_in_place(client, judge, proceeds):
    plan = services.plan_create(actor=judge, case=proceeds.case)
    client.force_login(judge)
    response = client.post(f"/distribution/plans/{plan.pk}/lines/", {
        "line-tier": Tier.PRIORITY, "line-creditor_name": "某银行", "line-claim": "40,000.00",
        "line-priority_kind": "secured", "line-rank": "1", "line-basis": "抵押登记证明第0005678号"}, **HX)
    html = page(response)
    assert response.status_code == 200 and 'id="plan-panel"' in html and "<html" not in html
    assert "某银行" in html and "担保物权（抵押、质押、留置），第1顺位" in html
    assert "28,800.00" in html  # 60,000 left for 120 : 80 : 50 → 28,800 for this case
    refused = client.post(f"/distribution/plans/{plan.pk}/lines/", {
        "line-tier": Tier.PRIORITY, "line-creditor_name": "某公司", "line-claim": "1.00"}, **HX)
    assert refused.status_code == 422 and "优先受偿债权须写明依据" in page(refused) and "须选择优先权类别" in page(refused)
    bank = DistributionLine.objects.get(creditor_name="某银行")
    removed = client.post(f"/distribution/lines/{bank.pk}/remove/", **HX)
    assert removed.status_code == 200 and "某银行" not in page(removed) and "48,000.00" in page(removed)


def test_serving_shows_the_countdown_and_an_objection_out_of_time_is_refused_on_the_form(client, judge, proceeds, clock):
    clock.move_to(at(D(2026, 11, 20)))
    plan = services.plan_create(actor=judge, case=proceeds.case)
    client.force_login(judge)
    response = client.post(f"/distribution/plans/{plan.pk}/serve/", {"serve-served_on": "2026-11-20"})
    assert response.status_code == 302
    clock.move_to(at(D(2026, 11, 25)))
    html = page(client.get(case_url(proceeds.case)))
    assert "2026-12-07" in html and "剩余12日" in html and "登记异议" in html and "列入债权人" not in html
    clock.move_to(at(D(2026, 12, 7)))
    client.force_login(judge)  # the session does not outlive a jump of the clock
    assert "今日届满" in page(client.get(case_url(proceeds.case)))
    clock.move_to(at(D(2026, 12, 8)))
    client.force_login(judge)
    late = client.post(f"/distribution/plans/{plan.pk}/objections/", {
        "objection-objector_name": "被执行人", "objection-lodged_on": "2026-12-08", "objection-text": "计算有误"}, **HX)
    assert late.status_code == 422 and "异议期已于2026-12-07届满" in page(late) and 'id="plan-panel"' in page(late)


def test_a_final_plan_is_executed_from_the_page_once_the_payees_are_in(client, judge, assistant, proceeds, clock):
    clock.move_to(at(D(2026, 11, 20)))
    plan = services.plan_create(actor=judge, case=proceeds.case)
    services.plan_serve(actor=judge, plan=plan, served_on=D(2026, 11, 20))
    clock.move_to(at(D(2026, 12, 8)))
    client.force_login(assistant)
    refused = client.post(f"/distribution/plans/{plan.pk}/execute/", **HX)
    assert refused.status_code == 422 and "请登记收款人和收款账号" in page(refused)
    for line in plan.lines.exclude(creditor_case=proceeds.same_court):
        response = client.post(f"/distribution/lines/{line.pk}/payee/", {
            f"payee-{line.pk}-payee_name": "申请人", f"payee-{line.pk}-payee_account": "6222 0000 1111 2222"})
        assert response.status_code == 302
    response = client.post(f"/distribution/plans/{plan.pk}/execute/", **HX)
    assert response.status_code == 200 and response["HX-Redirect"] == f"/distribution/plans/{plan.pk}/"
    assert PayoutOrder.objects.count() == 3
    html = page(client.get(response["HX-Redirect"]))
    assert "已逐项申请发放或划转" in html and "付款单" in html and "划转至该案" in html
    plan.refresh_from_db()
    assert plan.status == PlanStatus.EXECUTED


def test_a_supervisor_reads_without_forms_and_another_court_gets_404(client, judge, proceeds, supervisor, other_judge):
    plan = services.plan_create(actor=judge, case=proceeds.case)
    client.force_login(supervisor)
    html = page(client.get(case_url(proceeds.case)))
    assert "第1版分配方案" in html and "列入债权人" not in html and "制作分配方案" not in html
    assert client.post(f"/distribution/plans/{plan.pk}/serve/", {"serve-served_on": "2026-11-25"}).status_code == 403
    client.force_login(other_judge)
    assert client.get(case_url(proceeds.case)).status_code == 404
    assert client.get(f"/distribution/plans/{plan.pk}/").status_code == 404
    assert client.post(f"/distribution/plans/{plan.pk}/serve/", {"serve-served_on": "2026-11-25"}).status_code == 404


@pytest.mark.parametrize("versions", [1, 4])
def test_the_case_page_reads_in_a_fixed_number_of_queries(client, judge, proceeds, versions, django_assert_max_num_queries):
    for n in range(versions):
        plan = services.plan_create(actor=judge, case=proceeds.case)
        if n < versions - 1:
            services.plan_withdraw(actor=judge, plan=plan, reason="重做")
    client.force_login(judge)
    client.get(case_url(proceeds.case))  # warm caches (session, calendar)
    with django_assert_max_num_queries(10):
        assert client.get(case_url(proceeds.case)).status_code == 200
