"""/api/v1/distribution: the same rules as the pages, as JSON — money in integer fen (a float or a
string is refused, naming the field), 422 naming the field, 409 for a served plan, 400 naming the rule,
403 for a reader, 404 for another court; every answer is the whole plan with the caller's actions."""

from __future__ import annotations

import json

import pytest

from zhixing.accounts.models import ApiToken
from zhixing.distribution import services
from zhixing.money.models import PayoutOrder

from .conftest import D, at, receive

API = "/api/v1/distribution"


def send(client, method: str, url: str, body: dict | None = None, **headers):
    return getattr(client, method)(url, json.dumps(body or {}), content_type="application/json", **headers)


def bearer(user) -> dict:
    _, token = ApiToken.issue(user=user, name="测试")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_without_credentials_the_api_answers_401(client, proceeds):
    assert client.get(f"{API}/cases/{proceeds.case.pk}/plans").status_code == 401


def test_a_draft_is_made_edited_and_served_through_the_api(client, judge, proceeds, clock):
    clock.move_to(at(D(2026, 11, 20)))
    auth = bearer(judge)
    creditors = client.get(f"{API}/cases/{proceeds.case.pk}/creditors", **auth).json()
    assert [c["claim_fen"] for c in creditors] == [12_000_000, 8_000_000, 5_000_000]
    assert creditors[2]["court"] == "北京市西城区人民法院"
    created = send(client, "post", f"{API}/cases/{proceeds.case.pk}/plans", {"reason": "房产拍卖成交"}, **auth)
    assert created.status_code == 201
    plan = created.json()
    assert (plan["version"], plan["status"], plan["proceeds_fen"], plan["distributed_fen"]) == (1, "draft", 10_000_000, 10_000_000)
    assert [line["share_fen"] for line in plan["lines"]] == [4_800_000, 3_200_000, 2_000_000]
    assert plan["lines"][0]["ratio"] == "40.00%" and plan["lines"][2]["creditor_case_id"] is None  # another court's
    assert plan["lines"][1]["creditor_case_id"] == proceeds.same_court.pk
    assert {"edit", "serve", "withdraw"} <= set(plan["actions"]) and "execute" not in plan["actions"]

    url = f"{API}/plans/{plan['id']}"
    bad = send(client, "post", f"{url}/lines", {"tier": "cost", "creditor_name": "评估费", "claim_fen": 100.5}, **auth)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "claim_fen"
    assert send(client, "post", f"{url}/lines", {"tier": "cost", "creditor_name": "评估费", "claim_fen": "300"},
                **auth).status_code == 422
    added = send(client, "post", f"{url}/lines", {"tier": "cost", "creditor_name": "评估费", "claim_fen": 300_000}, **auth)
    assert added.status_code == 201
    cost = next(line for line in added.json()["lines"] if line["tier"] == "cost")
    assert cost["share_fen"] == 300_000 and added.json()["lines"][0]["share_fen"] == 4_656_000
    patched = send(client, "patch", f"{url}/lines/{cost['id']}", {"claim_fen": 500_000}, **auth).json()
    assert next(line for line in patched["lines"] if line["id"] == cost["id"])["share_fen"] == 500_000
    rule = send(client, "patch", f"{url}/lines/{cost['id']}", {"tier": "priority"}, **auth)
    assert rule.status_code == 422 and {e["field"] for e in rule.json()["errors"]} == {"priority_kind", "rank", "basis"}
    assert len(send(client, "delete", f"{url}/lines/{cost['id']}", **auth).json()["lines"]) == 3

    served = send(client, "post", f"{url}/serve", {"served_on": "2026-11-20"}, **auth).json()
    assert (served["status"], served["objection_due"], served["objection_days_left"]) == ("served", "2026-12-07", 17)
    again = send(client, "post", f"{url}/lines", {"tier": "cost", "creditor_name": "x", "claim_fen": 1}, **auth)
    assert again.status_code == 409 and again.json()["error"] == "plan_not_draft"


def test_objections_through_the_api_end_in_a_new_version(client, judge, proceeds, clock):
    clock.move_to(at(D(2026, 11, 20)))
    plan = services.plan_create(actor=judge, case=proceeds.case)
    services.plan_serve(actor=judge, plan=plan, served_on=D(2026, 11, 20))
    clock.move_to(at(D(2026, 12, 8)))
    auth = bearer(judge)
    late = send(client, "post", f"{API}/plans/{plan.pk}/objections",
                {"objector_name": "被执行人", "lodged_on": "2026-12-08", "text": "计算有误"}, **auth)
    assert late.status_code == 422 and late.json()["errors"][0]["field"] == "lodged_on"
    assert "2026-12-07届满" in late.json()["message"]
    lodged = send(client, "post", f"{API}/plans/{plan.pk}/objections",
                  {"objector_name": "被执行人", "lodged_on": "2026-12-07", "text": "计算有误"}, **auth)
    assert lodged.status_code == 201 and lodged.json()["status"] == "objected"
    objection = lodged.json()["objections"][0]
    assert "amend" not in lodged.json()["actions"]  # an objection is pending
    notified = send(client, "post", f"{API}/objections/{objection['id']}/notify", {"notified_on": "2026-12-08"}, **auth)
    assert notified.json()["objections"][0]["opposition_due"] == "2026-12-23"
    early = send(client, "post", f"{API}/objections/{objection['id']}/decide", {"outcome": "upheld", "note": "成立"}, **auth)
    assert early.status_code == 400 and early.json()["error"] == "objection_outcome_refused"
    clock.move_to(at(D(2026, 12, 24)))
    decided = send(client, "post", f"{API}/objections/{objection['id']}/decide", {"outcome": "upheld", "note": "成立"}, **auth)
    assert decided.json()["objections"][0]["status"] == "upheld" and "amend" in decided.json()["actions"]
    amended = send(client, "post", f"{API}/plans/{plan.pk}/amend", {"reason": "异议成立"}, **auth)
    assert amended.status_code == 201
    assert (amended.json()["version"], amended.json()["status"], amended.json()["supersedes_id"]) == (2, "draft", plan.pk)
    versions = client.get(f"{API}/cases/{proceeds.case.pk}/plans", **auth).json()
    assert [(v["version"], v["status"]) for v in versions] == [(2, "draft"), (1, "superseded")]


def test_execution_through_the_api_refuses_without_the_money_then_orders_each_share(client, judge, assistant, finance,
                                                                                   flat, clock):
    clock.move_to(at(D(2026, 11, 20)))
    plan = services.plan_create(actor=judge, case=flat.case, proceeds_fen=10_000_000)
    services.plan_serve(actor=judge, plan=plan, served_on=D(2026, 11, 20))
    for line in plan.lines.exclude(creditor_case=flat.same_court):
        services.line_set_payee(actor=judge, line=line, payee_name="申请人", payee_account="6222000011112222")
    clock.move_to(at(D(2026, 12, 8)))
    auth = bearer(assistant)
    refused = send(client, "post", f"{API}/plans/{plan.pk}/execute", **auth)
    assert refused.status_code == 400 and refused.json()["error"] == "insufficient_money"
    assert "不足分配方案合计 100,000.00 元" in refused.json()["message"]
    receive(finance, flat.case, 10_000_000, "AUCTION-9")
    done = send(client, "post", f"{API}/plans/{plan.pk}/execute", **auth).json()
    assert done["status"] == "executed" and all(line["order_id"] for line in done["lines"])
    assert {line["order_status"] for line in done["lines"]} == {"pending"}
    assert send(client, "post", f"{API}/plans/{plan.pk}/execute", **auth).status_code == 200  # a retry
    assert PayoutOrder.objects.count() == 3


def test_readers_read_other_courts_get_404(client, judge, proceeds, supervisor, other_judge):
    plan = services.plan_create(actor=judge, case=proceeds.case)
    reader = bearer(supervisor)
    seen = client.get(f"{API}/plans/{plan.pk}", **reader)
    assert seen.status_code == 200 and seen.json()["actions"] == []
    assert send(client, "post", f"{API}/plans/{plan.pk}/serve", {"served_on": "2026-11-25"}, **reader).status_code == 403
    outsider = bearer(other_judge)
    assert client.get(f"{API}/plans/{plan.pk}", **outsider).status_code == 404
    assert client.get(f"{API}/cases/{proceeds.case.pk}/plans", **outsider).status_code == 404
    line = plan.lines.first()
    assert send(client, "delete", f"{API}/plans/{plan.pk}/lines/{line.pk}", **outsider).status_code == 404


@pytest.mark.parametrize("versions", [1, 5])
def test_the_version_list_reads_in_a_fixed_number_of_queries(client, judge, proceeds, versions,
                                                              django_assert_max_num_queries):
    for n in range(versions):
        plan = services.plan_create(actor=judge, case=proceeds.case)
        if n < versions - 1:
            services.plan_withdraw(actor=judge, plan=plan, reason="重做")
    client.force_login(judge)
    with django_assert_max_num_queries(8):
        response = client.get(f"{API}/cases/{proceeds.case.pk}/plans")
    assert len(response.json()) == versions
