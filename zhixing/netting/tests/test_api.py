"""/api/v1/netting: the same procedure as JSON — money in integer fen (a float or a string is refused,
naming the field), 422 naming the field, 409 for a served proposal, 403 for a reader or the drafter
approving, 404 for another court; every answer is the whole proposal with the caller's actions."""

from __future__ import annotations

import json

import pytest

from zhixing.accounts.models import ApiToken

from .conftest import TODAY, D, key

API = "/api/v1/netting"


def send(client, method: str, url: str, body: dict | None = None, **headers):
    return getattr(client, method)(url, json.dumps(body or {}), content_type="application/json", **headers)


def bearer(user) -> dict:
    _, token = ApiToken.issue(user=user, name="测试")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def joint_bundle(register, people):
    """The company is owed 1,000 yuan by C and E together; it owes C 300 and E 700."""
    a, c, e = people["A"], people["C"], people["E"]
    return [register(a, [c, e], 100_000, filed_on=D(2026, 3, 1)), register(c, a, 30_000), register(e, a, 70_000)]


def test_without_credentials_the_api_answers_401(client):
    assert client.get(f"{API}/proposals").status_code == 401


def test_a_proposal_is_found_drafted_apportioned_consented_approved_applied_and_reversed(
        client, judge, clerk, bureau_head, joint_bundle, people):
    a, c, e = people["A"], people["C"], people["E"]
    auth = bearer(judge)
    found = client.get(f"{API}/candidates", {"parties": key(c)}, **auth).json()
    assert set(found["parties"]) == {key(a), key(c), key(e)}
    assert sorted(found["case_ids"]) == sorted(x.pk for x in joint_bundle)
    preview = send(client, "post", f"{API}/preview", {"case_ids": found["case_ids"]}, **auth).json()
    assert preview["nettable_count"] == 2 and preview["set_off_total_fen"] == 0

    created = send(client, "post", f"{API}/proposals", {"case_ids": found["case_ids"], "reason": "关联案件"}, **auth)
    assert created.status_code == 201
    proposal = created.json()
    assert proposal["title"] == "抵销方案第1号第1版" and proposal["actions"] == ["edit", "submit", "withdraw"]
    joint = joint_bundle[0]
    line = next(x for x in proposal["lines"] if x["case_id"] == joint.pk)
    assert "共同被执行人" in line["excluded_reason"]

    bad = send(client, "patch", f"{API}/proposals/{proposal['id']}",
               {"joint_shares": {str(joint.pk): {key(c): 300.5}}}, **auth)
    assert bad.status_code == 422 and "joint_shares" in bad.json()["errors"][0]["field"]
    updated = send(client, "patch", f"{API}/proposals/{proposal['id']}",
                   {"joint_shares": {str(joint.pk): {key(c): 30_000, key(e): 70_000}}}, **auth).json()
    assert updated["set_off_total_fen"] == 200_000 and updated["residual_total_fen"] == 0
    assert all(p["owed_after_fen"] == 0 and p["owes_after_fen"] == 0 for p in updated["positions"])
    assert {r["party"] for r in updated["required_consents"]} == {key(a), key(c), key(e)}

    served = send(client, "post", f"{API}/proposals/{proposal['id']}/submit", **auth).json()
    assert served["status"] == "consents"
    again = send(client, "patch", f"{API}/proposals/{proposal['id']}", {"multilateral": False}, **auth)
    assert again.status_code == 409 and again.json()["error"] == "proposal_not_draft"
    drafter_approves = send(client, "post", f"{API}/proposals/{proposal['id']}/approve", {}, **auth)
    assert drafter_approves.status_code == 403

    clerk_auth = bearer(clerk)
    for party in (a, c, e):
        answer = send(client, "post", f"{API}/proposals/{proposal['id']}/consents",
                      {"party_key": key(party), "method": "hearing", "document_reference": "谈话笔录",
                       "given_on": TODAY.isoformat()}, **clerk_auth)
        assert answer.status_code == 201
    head = bearer(bureau_head)
    assert "approve" in client.get(f"{API}/proposals/{proposal['id']}", **head).json()["actions"]
    approved = send(client, "post", f"{API}/proposals/{proposal['id']}/approve", {"note": "同意"}, **head).json()
    assert approved["status"] == "approved" and approved["approved_by"] == bureau_head.display_name
    applied = send(client, "post", f"{API}/proposals/{proposal['id']}/apply", **auth).json()
    assert applied["status"] == "applied"
    assert all(x["closed"] and x["reference"].startswith("NET") for x in applied["lines"])
    listed = client.get(f"{API}/cases/{joint.pk}/proposals", **auth).json()
    assert [p["status"] for p in listed] == ["applied"]
    reversed_ = send(client, "post", f"{API}/proposals/{proposal['id']}/reverse", {"reason": "分担有误"}, **head).json()
    assert reversed_["status"] == "reversed" and reversed_["closed_note"] == "分担有误"


def test_amounts_must_be_whole_fen_and_claims_named_field_by_field(client, judge, register, people):
    a, b = people["A"], people["B"]
    case = register(b, a, 100_000)
    auth = bearer(judge)
    proposal = send(client, "post", f"{API}/proposals", {"case_ids": [case.pk]}, **auth).json()
    url = f"{API}/proposals/{proposal['id']}/counter-claims"
    body = {"creditor_key": key(a), "debtor_key": key(b), "due_on": "2026-10-01"}
    assert send(client, "post", url, {**body, "amount_fen": 12.5}, **auth).status_code == 422
    assert send(client, "post", url, {**body, "amount_fen": "1250"}, **auth).status_code == 422
    refused = send(client, "post", url, {**body, "amount_fen": 40_000, "debtor_key": "110108199001011234"}, **auth)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "debtor_key"
    added = send(client, "post", url, {**body, "amount_fen": 40_000}, **auth)
    assert added.status_code == 201
    claim = added.json()["counter_claims"][0]
    assert claim["set_off_fen"] == 40_000 and added.json()["required_consents"][0]["party"] == key(b)
    removed = send(client, "delete", f"{url}/{claim['id']}", **auth).json()
    assert removed["counter_claims"] == [] and removed["set_off_total_fen"] == 0


def test_readers_read_and_other_courts_see_nothing(client, judge, supervisor, other_judge, register, people):
    case = register(people["B"], people["A"], 100_000)
    proposal = send(client, "post", f"{API}/proposals", {"case_ids": [case.pk]}, **bearer(judge)).json()
    reader = bearer(supervisor)
    assert client.get(f"{API}/proposals/{proposal['id']}", **reader).json()["actions"] == []
    assert send(client, "post", f"{API}/proposals/{proposal['id']}/submit", **reader).status_code == 403
    outsider = bearer(other_judge)
    assert client.get(f"{API}/proposals/{proposal['id']}", **outsider).status_code == 404
    assert client.get(f"{API}/proposals", **outsider).json()["count"] == 0
    foreign = send(client, "post", f"{API}/proposals", {"case_ids": [case.pk]}, **outsider)
    assert foreign.status_code == 422 and foreign.json()["errors"][0]["field"] == "case_ids"


def test_a_proposals_cases_are_read_a_page_at_a_time(client, judge, register, people):
    a = people["A"]
    cases = [register(people[x], a, 10_000) for x in ("B", "C", "D")] + [register(a, people["B"], 5_000)]
    auth = bearer(judge)
    proposal = send(client, "post", f"{API}/proposals", {"case_ids": [c.pk for c in cases]}, **auth).json()
    assert proposal["lines_inline"] is True and len(proposal["lines"]) == 4
    first = client.get(f"{API}/proposals/{proposal['id']}/lines", {"page_size": 3}, **auth).json()
    second = client.get(f"{API}/proposals/{proposal['id']}/lines", {"page_size": 3, "page": 2}, **auth).json()
    assert first["count"] == 4 and len(first["results"]) == 3 and len(second["results"]) == 1
    found = client.get(f"{API}/proposals/{proposal['id']}/lines", {"q": people["C"]["name"]}, **auth).json()
    assert [x["case_id"] for x in found["results"]] == [cases[1].pk]
