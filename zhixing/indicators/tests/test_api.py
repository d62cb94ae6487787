"""/api/v1/indicators: the same figures as the pages, exact decimal values, the cases behind a number,
and the records — with the project's error shape and visibility."""

from __future__ import annotations

import pytest
import time_machine

from zhixing.indicators.models import Petition
from zhixing.indicators.rules import INDICATOR_LIST

pytestmark = pytest.mark.django_db
API = "/api/v1/indicators"


@pytest.fixture(autouse=True)
def june_2026():
    with time_machine.travel("2026-06-15 10:00:00+08:00", tick=False):
        yield


@pytest.fixture
def api(client, bureau_head):
    client.force_login(bureau_head)
    return client


def test_catalogue_lists_every_indicator_with_its_citation_and_target(api):
    body = api.get(f"{API}/catalogue").json()
    assert [i["code"] for i in body] == [i.code for i in INDICATOR_LIST]
    core = {i["code"]: i for i in body if i["group"] == "core"}
    assert core["property_in_time_rate"]["target"] == "90" and core["overall_closure_rate_3y"]["target"] == "80"
    assert all(i["citation"] for i in body)


def test_values_of_a_quarter(api, q1):
    body = api.get(f"{API}/values", {"period": "2026Q1"}).json()
    figures = {f["code"]: f for f in body["figures"]}
    assert figures["closure_rate"] == {"code": "closure_rate", "name": "结案率", "numerator": 6, "denominator": 9,
                                       "value": "66.6667", "unit": "percent", "meets_target": None}
    assert figures["property_in_time_rate"]["meets_target"] is False  # 50% < 90%
    assert body["source"] == "live" and body["final"] is True
    assert body["scorecard"]["groups"][0]["label"] == "公正指标"


def test_values_of_a_team(api, q1):
    body = api.get(f"{API}/values", {"period": "2026Q1", "team": q1.team2.pk}).json()
    figures = {f["code"]: f for f in body["figures"]}
    assert (figures["closure_rate"]["numerator"], figures["closure_rate"]["denominator"]) == (3, 4)
    assert "termination_quality_rate" not in figures  # kept by court only


def test_the_cases_behind_a_number(api, q1):
    body = api.get(f"{API}/cases", {"period": "2026Q1", "indicator": "average_duration_days", "part": "numerator"}).json()
    assert body["total"] == 1983 and body["count"] == 6
    assert sum(c["days"] for c in body["cases"]) == 1983


def test_another_court_is_not_found(api, courts, q1):
    response = api.get(f"{API}/values", {"court": courts["other"].pk})
    assert response.status_code == 404 and response.json()["error"] == "not_found"


def test_a_bad_period_names_the_field(api, q1):
    response = api.get(f"{API}/values", {"period": "last year"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "period"


def test_ranking_is_refused_to_a_basic_court(api, q1):
    assert api.get(f"{API}/ranking").status_code == 403


def test_ranking_for_the_intermediate_courts_supervisor(client, supervisor, q1):
    client.force_login(supervisor)
    body = client.get(f"{API}/ranking", {"period": "2026Q1", "indicator": "closure_rate"}).json()
    assert [r["name"] for r in body["rows"]] == ["北京市西城区人民法院", "北京市海淀区人民法院"]


def test_trend_months(api, q1):
    body = api.get(f"{API}/trend", {"indicator": ["closure_rate", "performed_rate"], "months": 12}).json()
    assert [s["code"] for s in body["series"]] == ["closure_rate", "performed_rate"]
    assert len(body["series"][0]["points"]) == 12 and body["series"][0]["points"][-1]["month"] == "2026-06"


def test_breakdown_by_handler(api, q1):
    body = api.get(f"{API}/breakdown", {"period": "2026Q1", "by": "handler"}).json()
    assert {r["name"] for r in body["rows"]} == {"张法官", "吴法官"}


def test_posting_a_petition_twice_with_its_number_records_it_once(client, clerk, q1):
    client.force_login(clerk)
    payload = {"case_number": q1.cases["c5"].case_number, "received_on": "2026-06-01", "summary": "反映执行不力",
               "reference": "XF-9"}
    first = client.post(f"{API}/petitions", payload, content_type="application/json")
    again = client.post(f"{API}/petitions", payload, content_type="application/json")
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    assert Petition.objects.filter(reference="XF-9").count() == 1
    closed = client.post(f"{API}/petitions/{first.json()['id']}/close",
                         {"closed_on": "2026-06-10", "outcome": "已答复"}, content_type="application/json")
    assert closed.status_code == 200 and closed.json()["closed_on"] == "2026-06-10"


def test_a_review_with_a_misfit_outcome_names_the_field(client, clerk, q1):
    client.force_login(clerk)
    response = client.post(f"{API}/reviews", {"case_id": q1.cases["c5"].pk, "kind": "state_compensation",
                                              "outcome": "revoked", "decided_on": "2026-06-01"},
                           content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "outcome"


def test_a_supervisor_cannot_post(client, supervisor, q1):
    client.force_login(supervisor)
    response = client.post(f"{API}/disclosures", {"case_id": q1.cases["c5"].pk, "disclosed_on": "2026-06-01"},
                           content_type="application/json")
    assert response.status_code == 403
