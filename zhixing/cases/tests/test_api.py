import json

import pytest
from django.core.management import call_command

from zhixing.cases.models import DataAccessLog, EnforcementCase, LogEntry
from zhixing.testing.fixtures import case_payload


@pytest.fixture
def token(judge):
    from io import StringIO

    out = StringIO()
    call_command("create_token", judge.username, stdout=out)
    return out.getvalue().strip()


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_the_openapi_document_is_published(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/cases" in paths and "/api/v1/cases/{case_id}/nodes" in paths


def test_without_credentials_the_api_answers_401(client, db):
    assert client.get("/api/v1/cases").status_code == 401
    assert client.get("/api/v1/cases", **bearer("zx_not-a-token")).status_code == 401


def test_a_program_registers_a_case_with_a_bearer_token(client, token):
    response = client.post("/api/v1/cases", data=json.dumps(case_payload()), content_type="application/json",
                           **bearer(token))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["case_number"].startswith("（") and body["status"] == "open"
    assert "立案".encode() in response.content  # Chinese is sent as UTF-8, not \\uXXXX escapes
    assert EnforcementCase.objects.get(pk=body["id"]).source == "api"
    assert "network_query" in body["allowed_nodes"]


def test_a_bad_registration_answers_422_with_every_field(client, token):
    payload = case_payload()
    payload["parties"][1]["id_number"] = payload["parties"][1]["id_number"][:17] + "Y"
    payload["claims"] = []
    response = client.post("/api/v1/cases", data=json.dumps(payload), content_type="application/json", **bearer(token))
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid"
    fields = {e["field"] for e in body["errors"]}
    assert {"parties[1].id_number", "claims"} <= fields
    assert not EnforcementCase.objects.exists()


def test_an_out_of_range_amount_is_a_422_not_a_500(client, token):
    payload = case_payload()
    payload["claims"] = [{"kind": "principal", "amount_fen": 10**20}]
    response = client.post("/api/v1/cases", data=json.dumps(payload), content_type="application/json", **bearer(token))
    assert response.status_code == 422


def test_another_courts_case_answers_404(client, make_case, other_judge):
    case = make_case()
    client.force_login(other_judge)
    assert client.get(f"/api/v1/cases/{case.pk}").status_code == 404
    assert client.get(f"/api/v1/cases/{case.pk}/log").status_code == 404
    response = client.post(f"/api/v1/cases/{case.pk}/nodes", data=json.dumps({"node_code": "network_query"}),
                           content_type="application/json")
    assert response.status_code == 404
    assert [c["id"] for c in client.get("/api/v1/cases").json()["results"]] == []


def test_a_supervisor_reads_lower_courts_but_cannot_act(client, make_case, supervisor):
    case = make_case()
    client.force_login(supervisor)
    assert client.get(f"/api/v1/cases/{case.pk}").json()["allowed_nodes"] == []
    assert [c["id"] for c in client.get("/api/v1/cases").json()["results"]] == [case.pk]
    response = client.post(f"/api/v1/cases/{case.pk}/nodes", data=json.dumps({"node_code": "network_query"}),
                           content_type="application/json")
    assert response.status_code == 403
    assert LogEntry.objects.filter(case=case).count() == 1


def test_recording_a_forbidden_node_answers_400_with_the_reason(client, make_case, judge):
    case = make_case()
    client.force_login(judge)
    response = client.post(f"/api/v1/cases/{case.pk}/nodes", data=json.dumps({"node_code": "traditional_query_done"}),
                           content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "node_not_allowed" and "启动传统查控" in response.json()["message"]


def test_the_case_list_filters_and_paginates(client, make_case, judge):
    small = make_case(amount_fen=1_000_00)
    big = make_case(amount_fen=900_000_00)
    client.force_login(judge)
    rows = client.get("/api/v1/cases", {"amount_min_fen": 500_000_00}).json()["results"]
    assert [r["id"] for r in rows] == [big.pk]
    respondent_id = small.parties.get(role="respondent").id_number
    rows = client.get("/api/v1/cases", {"party": respondent_id}).json()["results"]
    assert [r["id"] for r in rows] == [small.pk]
    assert DataAccessLog.objects.filter(user=judge, kind="party_search", query=respondent_id).exists()
    page = client.get("/api/v1/cases", {"page_size": 1, "page": 2}).json()
    assert page["count"] == 2 and len(page["results"]) == 1


def test_the_case_list_does_not_query_per_case(client, make_case, judge, bureau_head, django_assert_max_num_queries):
    from zhixing.cases import services

    for _ in range(30):
        services.case_assign(actor=bureau_head, case=make_case(), handler=judge)
    client.force_login(judge)
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/cases", {"page_size": 30})
    assert len(response.json()["results"]) == 30


def test_closing_and_archiving_through_the_api(client, make_case, judge, clerk):
    case = make_case(amount_fen=5000)
    client.force_login(judge)
    response = client.post(f"/api/v1/cases/{case.pk}/close",
                           data=json.dumps({"closing_type": "performed", "performed_amount_fen": 5000}),
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "closed"
    client.force_login(clerk)
    response = client.post(f"/api/v1/cases/{case.pk}/archive", data="{}", content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "archived"
    log = client.get(f"/api/v1/cases/{case.pk}/log").json()
    assert [e["action"] for e in log] == ["register", "close", "archive"]


def test_a_party_edit_through_the_api_is_logged(client, make_case, judge):
    case = make_case()
    party = case.parties.get(role="applicant")
    client.force_login(judge)
    response = client.patch(f"/api/v1/cases/{case.pk}/parties/{party.pk}",
                            data=json.dumps({"phone": "13912345678", "reason": "当事人来电更新"}),
                            content_type="application/json")
    assert response.status_code == 200 and response.json()["phone"] == "13912345678"
    assert LogEntry.objects.filter(case=case, action="party_update", reason="当事人来电更新").exists()
