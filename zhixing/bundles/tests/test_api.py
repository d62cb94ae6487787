"""/api/v1/bundles: the same answers as the pages."""

from __future__ import annotations

from django.test import Client

from zhixing.bundles.choices import RelationKind
from zhixing.bundles.detection import relate
from zhixing.bundles.models import Bundle
from zhixing.cases.models import EnforcementCase

API = "/api/v1/bundles"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_list_filters_and_counts_money_in_fen(mengzhou, bureau_head):
    relate()
    body = client_for(bureau_head).get(f"{API}?kind=mutual").json()
    assert body["count"] == 1
    [row] = body["results"]
    cases = EnforcementCase.objects.filter(pk__in=[c.pk for c in mengzhou.against_company + mengzhou.by_company])
    assert row["kind_label"] == "互为申请人、被执行人" and row["case_count"] == 14
    assert row["claim_fen"] == row["outstanding_fen"] == sum(c.claim_amount_fen for c in cases)
    assert isinstance(row["claim_fen"], int) and row["unassigned"] == 14 and row["teams"] == []
    assert row["cross_court"] is False and row["last_handover"] is None


def test_a_bundle_with_its_cases_and_the_rule(mengzhou, bureau_head):
    relate()
    bundle = Bundle.objects.get(kind=RelationKind.MUTUAL)
    body = client_for(bureau_head).get(f"{API}/{bundle.pk}").json()
    assert len(body["cases"]) == 14 and body["cases_pages"] == 1 and body["now"]["open_cases"] == 14
    assert "申请执行甲" in body["rule"] and "孟州" in body["source"]


def test_a_cases_related_cases_possible_ones_apart(mengzhou, judge):
    case = mengzhou.against_company[0]
    body = client_for(judge).get(f"{API}/cases/{case.pk}/related").json()
    kinds = {r["kind"]: r for r in body["exact"]}
    # Directly the other way round: the company applies against this applicant in one case.
    assert kinds["same_respondent"]["total"] == 9 and kinds["mutual"]["total"] == 1
    assert body["possible"] == [] and body["bundles"] == []  # nothing stored before the first run


def test_the_handover_through_the_api(mengzhou, bureau_head, head_team):
    relate()
    bundle = Bundle.objects.get(kind=RelationKind.MUTUAL)
    response = client_for(bureau_head).post(f"{API}/{bundle.pk}/handover", {"team_id": head_team.pk, "reason": "集中办理"},
                                            content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert len(body["reassigned"]) == 14 and body["handler"] == "孙法官" and "已将 14 件案件" in body["message"]
    listed = client_for(bureau_head).get(f"{API}?handover=handed").json()
    assert listed["count"] == 1 and listed["results"][0]["last_handover"]["team"] == "速执团队"
    # The list's figures follow the hand-over at once (not only at the next run), for every bundle of those cases.
    assert listed["results"][0]["teams"] == ["速执团队"] and listed["results"][0]["unassigned"] == 0
    company = client_for(bureau_head).get(f"{API}?kind=same_respondent").json()["results"][0]
    assert company["teams"] == ["速执团队"]


def test_the_handover_refusals_name_the_field_and_the_rule(mengzhou, bureau_head, judge, head_team, supervisor):
    relate()
    bundle = Bundle.objects.get(kind=RelationKind.MUTUAL)
    url = f"{API}/{bundle.pk}/handover"
    missing = client_for(bureau_head).post(url, {"team_id": head_team.pk, "reason": ""}, content_type="application/json")
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "reason"
    judged = client_for(judge).post(url, {"team_id": head_team.pk, "reason": "x"}, content_type="application/json")
    assert judged.status_code == 403 and "可由：" in judged.json()["message"]
    supervised = client_for(supervisor).post(url, {"team_id": head_team.pk, "reason": "x"}, content_type="application/json")
    assert supervised.status_code == 403


def test_a_bundle_of_a_court_not_seen_answers_404(mengzhou, other_judge, judge):
    relate()
    mutual = Bundle.objects.get(kind=RelationKind.MUTUAL)
    cross = Bundle.objects.get(cross_court=True)
    assert client_for(other_judge).get(f"{API}/{mutual.pk}").status_code == 404
    assert client_for(judge).get(f"{API}/{cross.pk}").status_code == 404
    assert client_for(other_judge).get(f"{API}/cases/{mengzhou.against_company[0].pk}/related").status_code == 404


def test_the_relate_endpoint_for_the_command_centre(mengzhou, command_centre, judge):
    body = client_for(command_centre).post(f"{API}/relate").json()
    assert body["created"] == 8 and "北京市海淀区人民法院" in body["summary"]
    assert client_for(judge).post(f"{API}/relate").status_code == 403
