"""The triage API under /api/v1/triage/: the same services, errors as {"error", "message", "errors"},
another court's case as 404."""

from __future__ import annotations

import json

from zhixing.cases.choices import Track
from zhixing.cases.models import EnforcementCase

API = "/api/v1/triage"
YUAN = 100


def post(client, url, data=None):
    return client.post(url, data=json.dumps(data or {}), content_type="application/json")


def test_a_cases_triage_shows_the_deciding_rule_and_what_the_rules_say_now(client, judge, make_case):
    case = make_case(amount_fen=30_000 * YUAN)
    client.force_login(judge)
    body = client.get(f"{API}/cases/{case.pk}").json()
    assert body["track"] == "fast" and body["decision"]["source"] == "rules" and not body["overridden"]
    assert body["decision"]["rule"]["position"] == 7 and body["rules_now"]["track"] == "fast"
    assert body["rules_label"] == "系统默认规则" and body["facts_now"]["claim_amount_fen"] == 3_000_000


def test_override_through_the_api_needs_a_reason_and_another_courts_case_is_404(client, judge, other_judge, make_case):
    case = make_case(amount_fen=30_000 * YUAN)
    client.force_login(judge)
    response = post(client, f"{API}/cases/{case.pk}/override", {"track": "special", "reason": ""})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "reason", "message": "改定繁简分流须说明理由"}]
    body = post(client, f"{API}/cases/{case.pk}/override", {"track": "special", "reason": "涉众"}).json()
    assert body["track"] == "special" and body["overridden"] and body["rules_now"]["track"] == "fast"
    body = post(client, f"{API}/cases/{case.pk}/override/clear", {"reason": "已化解"}).json()
    assert body["track"] == "fast" and body["decision"]["source"] == "cleared"
    client.force_login(other_judge)
    assert client.get(f"{API}/cases/{case.pk}").status_code == 404
    assert post(client, f"{API}/cases/{case.pk}/override", {"track": "fast", "reason": "x"}).status_code == 404


def test_tags_through_the_api(client, clerk, make_case):
    case = make_case(amount_fen=30_000 * YUAN)
    client.force_login(clerk)
    response = post(client, f"{API}/cases/{case.pk}/tags", {"tag": "livelihood", "note": "农民工工资"})
    assert response.status_code == 201 and response.json()["label"] == "涉民生"
    assert EnforcementCase.objects.get(pk=case.pk).track == Track.SPECIAL
    tag_id = response.json()["id"]
    assert post(client, f"{API}/tags/{tag_id}/remove", {"reason": ""}).status_code == 422
    assert post(client, f"{API}/tags/{tag_id}/remove", {"reason": "登记错误"}).json()["active"] is False
    assert post(client, f"{API}/cases/{case.pk}/tags", {"tag": "vip"}).status_code == 422


def test_rules_are_read_and_saved_as_a_new_version(client, bureau_head, judge):
    client.force_login(judge)
    body = client.get(f"{API}/rules").json()
    assert body["version"] is None and len(body["rules"]) == 7 and body["weights"] == {"fast": 1, "ordinary": 2, "special": 3}
    payload = {"rules": [{"kind": "amount_at_most", "params": {"max_fen": 10_000_000}, "track": "fast",
                          "reason": "10万元以下", "citation": "山阳（seed 003）"}],
               "default_track": "ordinary", "weights": {"fast": 1, "ordinary": 3, "special": 5}}
    assert post(client, f"{API}/rules", payload).status_code == 403
    client.force_login(bureau_head)
    body = post(client, f"{API}/rules", payload).json()
    assert body["version"] == 1 and body["rules"][0]["text"] == "申请执行标的100,000元以下（含本数） → 快执"
    bad = post(client, f"{API}/rules", {**payload, "rules": [{**payload["rules"][0], "params": {"max_fen": -5}}]})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "rules[0].params.max_fen"


def test_loads_unassigned_preview_and_assign(client, command_centre, make_case, judge, second_judge,
                                            django_assert_max_num_queries):
    cases = [make_case(amount_fen=10_000 * YUAN) for _ in range(3)]
    client.force_login(command_centre)
    with django_assert_max_num_queries(6):
        page = client.get(f"{API}/unassigned", {"page_size": 2}).json()
    assert page["count"] == 3 and len(page["results"]) == 2
    preview = post(client, f"{API}/assign/preview", {}).json()
    assert [p["handler"] for p in preview] == ["张法官", "吴法官", "张法官"]
    assert EnforcementCase.objects.filter(handler__isnull=True).count() == 3  # a preview writes nothing
    result = post(client, f"{API}/assign", {"case_ids": [cases[0].pk]}).json()
    assert result["message"] == "已分案 1 件" and result["done"][0]["handler"] == "张法官"
    loads = {row["name"]: row["load"] for row in client.get(f"{API}/loads").json()}
    assert loads == {"张法官": 1, "吴法官": 0}


def test_absence_and_reassign_through_the_api(client, bureau_head, make_case, judge, second_judge):
    from zhixing.cases import services as case_services

    case = make_case()
    case_services.case_assign(actor=bureau_head, case=case, handler=judge)
    client.force_login(bureau_head)
    response = post(client, f"{API}/absences", {"user_id": judge.pk, "starts_on": "2026-01-01", "ends_on": "2026-01-31",
                                                "reason": "休假"})
    assert response.status_code == 201
    dry = client.post(f"{API}/reassign", data=json.dumps({"judge_id": judge.pk, "reason": "休假", "dry_run": True}),
                      content_type="application/json")
    assert dry.status_code == 202 and dry.json()[0]["handler"] == "吴法官"
    assert post(client, f"{API}/reassign", {"judge_id": judge.pk, "reason": "休假"}).json()["message"] == "已分案 1 件"
    assert EnforcementCase.objects.get(pk=case.pk).handler == second_judge


def test_transfers_through_the_api(client, make_case, courts, other_clerk, judge):
    from zhixing.testing.fixtures import make_user

    head = make_user("mid_centre", courts["mid"], "command_centre", "中院指挥中心")
    case = make_case()
    client.force_login(judge)  # a basic court's judge cannot order
    assert post(client, f"{API}/transfers", {"case_id": case.pk, "to_court_id": courts["other"].pk, "reason": "x"}).status_code == 403
    client.force_login(head)
    created = post(client, f"{API}/transfers", {"case_id": case.pk, "to_court_id": courts["other"].pk, "reason": "均衡"})
    assert created.status_code == 201 and created.json()["status"] == "ordered"
    transfer_id = created.json()["id"]
    client.force_login(other_clerk)
    assert [t["id"] for t in client.get(f"{API}/transfers").json()] == [transfer_id]
    body = post(client, f"{API}/transfers/{transfer_id}/register").json()
    assert body["status"] == "registered" and body["new_case_number"].startswith("（")
    client.force_login(judge)
    assert post(client, f"{API}/transfers/{transfer_id}/close").json()["status"] == "closed"
