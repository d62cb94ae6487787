"""The supervision API: the inbox, a case's deadlines and locks, and the requests and decisions, with
the same visibility and refusals as the pages (a lock answers 423 with its reason). Dates: support.py."""

from __future__ import annotations

import json

import pytest

from zhixing.cases.models import LogEntry
from zhixing.supervision.models import CaseLock, Deadline, Extension, Suspension

from .support import OLD_FILING, TODAY, assigned, second_lock

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_25_november_2026")]

API = "/api/v1/supervision"


def get(client, user, url: str, status: int = 200):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == status, response.content
    return response.json()


def post(client, user, url: str, data: dict):
    client.force_login(user)
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_the_supervision_paths_are_in_the_openapi_document(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/inbox", "/cases/{case_id}/deadlines", "/cases/{case_id}/locks", "/cases/{case_id}/unlock-requests",
                 "/unlock-requests/{request_id}/decision", "/cases/{case_id}/suspensions",
                 "/suspensions/{suspension_id}/end", "/cases/{case_id}/extensions",
                 "/extensions/{extension_id}/decision"):
        assert f"{API}{path}" in paths


# ---------------------------------------------------------------- inbox


def test_the_inbox_is_paged_and_filtered(client, judge, recent_case, old_case, other_judge, make_case):
    theirs = assigned(make_case(actor=other_judge, filed_on=OLD_FILING), other_judge, team=None)
    body = get(client, judge, f"{API}/inbox?page_size=2")
    assert body["count"] > 2 and len(body["results"]) == 2 and body["page"] == 1
    everything = get(client, judge, f"{API}/inbox?page_size=200")["results"]
    assert {r["case_id"] for r in everything} == {recent_case.pk, old_case.pk}
    assert theirs.pk not in {r["case_id"] for r in get(client, judge, f"{API}/inbox?page_size=200")["results"]}
    notice = next(r for r in everything if r["case_id"] == recent_case.pk and r["rule_code"] == "enforcement_notice")
    assert notice["due_on"] == "2026-11-19" and notice["days_left"] == -6 and notice["days_text"] == "逾期 6 天"
    assert (notice["level"], notice["level_label"], notice["escalation_label"]) == (3, "红色预警", "团队负责人")
    assert notice["remedy"] == "发出执行通知书和报告财产令" and notice["case_number"] == recent_case.case_number

    yellow = get(client, judge, f"{API}/inbox?level=1&page_size=200")["results"]
    assert yellow and {r["level"] for r in yellow} == {1}
    overdue = get(client, judge, f"{API}/inbox?overdue=true&page_size=200")["results"]
    assert overdue and all(r["days_left"] < 0 for r in overdue)
    one_rule = get(client, judge, f"{API}/inbox?rule_code=first_network_query")["results"]
    assert {r["rule_code"] for r in one_rule} == {"first_network_query"}
    assert get(client, judge, f"{API}/inbox?page=99")["results"] == []
    assert get(client, judge, f"{API}/inbox?rule_code=nonsense", status=422)["errors"][0]["field"] == "rule_code"
    assert get(client, judge, f"{API}/inbox?level=5", status=422)["error"] == "invalid"


def test_escalated_warnings_reach_the_bureau_head_and_the_president(client, bureau_head, president, recent_case, old_case):
    for user in (bureau_head, president):
        rows = get(client, user, f"{API}/inbox?page_size=200")["results"]
        assert {r["case_id"] for r in rows} == {old_case.pk}  # the recent case reached only the team lead


def test_the_inbox_takes_a_fixed_number_of_queries(client, judge, make_case, django_assert_max_num_queries):
    for _ in range(4):
        assigned(make_case(filed_on=OLD_FILING), judge)
    client.force_login(judge)
    with django_assert_max_num_queries(6):
        body = client.get(f"{API}/inbox?page_size=200").json()
    assert body["count"] >= 8


# ---------------------------------------------------------------- a case's deadlines and locks


def test_a_cases_deadlines_with_their_rule_version(client, judge, recent_case):
    rows = get(client, judge, f"{API}/cases/{recent_case.pk}/deadlines")
    by_rule = {r["rule_code"]: r for r in rows}
    assert by_rule["assign"]["status"] == "met"
    close = by_rule["close_period"]
    assert (close["due_on"], close["period_text"], close["rule_version"]["label"]) == ("2027-05-17", "6个月", "v1（全国）")
    assert "法发〔2006〕35号" in close["citation"]


def test_another_courts_case_is_not_found(client, other_judge, recent_case):
    for url in (f"{API}/cases/{recent_case.pk}/deadlines", f"{API}/cases/{recent_case.pk}/locks"):
        assert get(client, other_judge, url, status=404)["error"] == "not_found"
    response = post(client, other_judge, f"{API}/cases/{recent_case.pk}/extensions", {"reason": "x"})
    assert response.status_code == 404


def test_a_locked_case_refuses_a_node_with_423_and_accepts_the_remedy(client, judge, locked_case):
    [lock] = get(client, judge, f"{API}/cases/{locked_case.pk}/locks")
    assert lock["active"] and lock["sequence"] == 1 and lock["rule_codes"] == ["enforcement_notice"]
    detail = get(client, judge, f"/api/v1/cases/{locked_case.pk}")
    assert "enforcement_notice" in detail["allowed_nodes"] and "network_query" not in detail["allowed_nodes"]

    response = post(client, judge, f"/api/v1/cases/{locked_case.pk}/nodes",
                    {"node_code": "network_query", "occurred_on": TODAY.isoformat()})
    assert response.status_code == 423
    body = response.json()
    assert body["error"] == "locked"
    assert "程序锁死" in body["message"] and "发出执行通知书（2026-11-05 届满）" in body["message"]

    response = post(client, judge, f"/api/v1/cases/{locked_case.pk}/nodes",
                    {"node_code": "enforcement_notice", "occurred_on": TODAY.isoformat()})
    assert response.status_code == 201
    assert Deadline.objects.get(case=locked_case, rule_code="enforcement_notice").status == "met"
    assert CaseLock.objects.get(case=locked_case).is_active  # until an unlock is approved


# ---------------------------------------------------------------- unlocking


def test_an_unlock_request_is_decided_by_the_courts_leaders_and_not_by_the_requester(client, judge, bureau_head, assistant, locked_case):
    response = post(client, judge, f"{API}/cases/{locked_case.pk}/unlock-requests", {"reason": ""})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "reason"
    response = post(client, judge, f"{API}/cases/{locked_case.pk}/unlock-requests", {"reason": "已补发执行通知书"})
    assert response.status_code == 201, response.content
    request = response.json()
    assert request["approver_court"]["name"] == "北京市海淀区人民法院" and request["status"] == "pending"
    again = post(client, judge, f"{API}/cases/{locked_case.pk}/unlock-requests", {"reason": "再次申请"})
    assert again.status_code == 409

    url = f"{API}/unlock-requests/{request['id']}/decision"
    assert post(client, judge, url, {"approve": True}).json()["message"] == "不能审批自己提出的解锁申请"
    refused = post(client, assistant, url, {"approve": True})
    assert refused.status_code == 403 and "本院执行局长或院长" in refused.json()["message"]
    assert post(client, bureau_head, url, {"approve": False}).status_code == 422  # a rejection needs its reason
    response = post(client, bureau_head, url, {"approve": True, "note": "同意"})
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert response.json()["decided_by"] == "陈局长"
    assert post(client, bureau_head, url, {"approve": True}).status_code == 409
    [lock] = get(client, judge, f"{API}/cases/{locked_case.pk}/locks")
    assert lock["active"] is False and lock["released_by"] == "陈局长" and lock["requests"][0]["status"] == "approved"


def test_a_second_lock_goes_to_the_intermediate_court(client, judge, bureau_head, mid_head, other_judge, locked_case):
    second_lock(locked_case)
    request = post(client, judge, f"{API}/cases/{locked_case.pk}/unlock-requests", {"reason": "已安排送达"}).json()
    assert request["approver_court"]["name"] == "北京市第一中级人民法院"
    url = f"{API}/unlock-requests/{request['id']}/decision"
    assert post(client, bureau_head, url, {"approve": True}).status_code == 403
    assert post(client, other_judge, url, {"approve": True}).status_code == 404  # another court's case: not revealed
    # The intermediate court cannot read the case, but decides the request.
    assert get(client, mid_head, f"{API}/cases/{locked_case.pk}/locks", status=404)
    response = post(client, mid_head, url, {"approve": True, "note": "限期三日内送达"})
    assert response.status_code == 200 and response.json()["decided_by"] == "中院执行局长"
    assert not CaseLock.objects.filter(case=locked_case, released_on__isnull=True).exists()
    assert LogEntry.objects.filter(case=locked_case, action="unlock").count() == 1


# ---------------------------------------------------------------- pauses and extensions


def test_a_suspension_starts_and_ends(client, judge, other_judge, recent_case):
    url = f"{API}/cases/{recent_case.pk}/suspensions"
    bad = post(client, judge, url, {"kind": "holiday", "start_on": "2026-11-20", "reason": "x"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "kind"
    response = post(client, judge, url, {"kind": "public_notice", "start_on": "2026-11-20", "reason": "公告送达"})
    assert response.status_code == 201, response.content
    pause = response.json()
    assert pause["kind_label"] == "公告送达" and pause["end_on"] is None
    assert Deadline.objects.get(case=recent_case, rule_code="close_period").status == "paused"

    end = f"{API}/suspensions/{pause['id']}/end"
    assert post(client, other_judge, end, {"end_on": "2026-11-24"}).status_code == 404
    response = post(client, judge, end, {"end_on": "2026-11-24"})
    assert response.status_code == 200 and response.json()["end_on"] == "2026-11-24"
    assert post(client, judge, end, {"end_on": "2026-11-24"}).status_code == 409
    assert Suspension.objects.get().end_on == TODAY.replace(day=24)


def test_an_extension_is_requested_and_only_the_president_decides(client, judge, bureau_head, president, old_case):
    url = f"{API}/cases/{old_case.pk}/extensions"
    late = post(client, judge, url, {"reason": "拍卖中", "requested_on": "2027-02-28"})  # due 2027-03-01
    assert late.status_code == 422 and "届满5日前" in late.json()["message"]
    response = post(client, judge, url, {"reason": "财产正在拍卖"})
    assert response.status_code == 201, response.content
    extension = response.json()
    assert (extension["months"], extension["status"]) == (3, "requested")

    decision = f"{API}/extensions/{extension['id']}/decision"
    for user in (judge, bureau_head):
        assert post(client, user, decision, {"approve": True}).status_code == 403
    response = post(client, president, decision, {"approve": True, "note": "同意延长"})
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert Extension.objects.get().decided_by == president
    close = Deadline.objects.get(case=old_case, rule_code="close_period")
    assert close.extension_months == 3 and close.due_on.isoformat() == "2027-06-01"
