"""/api/v1/closing as JSON: the checks with proofs, findings, proposals and restoration, the pool run and
the pass rate; another court's case answers 404."""

from __future__ import annotations

import json

from zhixing.cases.models import EnforcementCase
from zhixing.closing import review

from .conftest import D, at


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_the_checks_as_json_with_their_proofs(client, zhongben_case, judge):
    case = zhongben_case(skip={"interview"})
    client.force_login(judge)
    body = client.get(f"/api/v1/closing/cases/{case.pk}/checks").json()
    assert body["met"] is False and len(body["conditions"]) == 12
    interview = next(c for c in body["conditions"] if c["code"] == "interview")
    assert interview["state"] == "未满足" and interview["citation"] == "法〔2016〕373号第5条"
    notice = next(c for c in body["conditions"] if c["code"] == "enforcement_notice")
    assert {p["kind"] for p in notice["proofs"]} == {"node", "document"}


def test_a_finding_through_the_api(client, zhongben_case, judge):
    case = zhongben_case(skip={"obstruction"})
    client.force_login(judge)
    response = post(client, f"/api/v1/closing/cases/{case.pk}/findings", {"condition": "interview", "text": "不适用的理由"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "condition"
    response = post(client, f"/api/v1/closing/cases/{case.pk}/findings", {"condition": "obstruction", "text": "未发现妨害执行行为"})
    assert response.status_code == 201
    assert client.get(f"/api/v1/closing/cases/{case.pk}/checks").json()["met"] is True


def test_restoration_through_the_api(client, closed_zhongben, judge):
    original = closed_zhongben(D(2026, 4, 1))
    client.force_login(judge)
    response = post(client, f"/api/v1/closing/cases/{original.pk}/proposals",
                    {"source": "clue", "description": "被执行人名下新增车辆", "received_on": "2026-11-23"})
    assert response.status_code == 201
    pk = response.json()["id"]
    confirmed = post(client, f"/api/v1/closing/proposals/{pk}/confirm", {"confirmed_on": "2026-11-24"}).json()
    assert confirmed["restore_due"] == "2026-11-27"
    restored = post(client, f"/api/v1/closing/proposals/{pk}/restore", {}).json()
    assert restored["status"] == "restored" and "执恢" in restored["restored_case"]["case_number"]


def test_the_pool_run_and_list_through_the_api(client, closed_zhongben, clerk):
    closed_zhongben(D(2026, 4, 1))
    client.force_login(clerk)
    with at(D(2026, 10, 8)):
        body = post(client, "/api/v1/closing/pool/run", {}).json()
        assert (body["entered"], body["due"], body["queries"]) == (1, 1, 5)
        listed = client.get("/api/v1/closing/pool").json()
    assert listed["count"] == 1 and listed["results"][0]["next_query_due"] == "2027-04-01"


def test_the_pass_rate_through_the_api(client, make_case, bureau_head, command_centre, courts):
    cases = [make_case(filed_on=D(2026, 3, 2)) for _ in range(2)]
    EnforcementCase.objects.filter(pk__in=[c.pk for c in cases]).update(status="closed", closing_type="terminate_current",
                                                                        closed_on=D(2026, 10, 15))
    sample = review.sample_draw(actor=bureau_head, court=courts["court"], start=D(2026, 10, 1), end=D(2026, 10, 31))
    for item in sample.items.all():
        review.sample_mark(actor=command_centre, item=item, verdict="pass")
    client.force_login(bureau_head)
    body = client.get("/api/v1/closing/pass-rate?start=2026-10-01&end=2026-10-31").json()
    assert (body["sampled"], body["reviewed"], body["rate_bp"], body["meets_target"]) == (2, 2, 10_000, True)
    # another court's rate is not this court's to read
    assert client.get("/api/v1/closing/pass-rate?start=2026-10-01&end=2026-10-31&court_code=京0102").status_code == 404


def test_a_supervisor_reads_but_cannot_run_the_pool(client, supervisor):
    client.force_login(supervisor)
    assert client.get("/api/v1/closing/pool").status_code == 200
    assert post(client, "/api/v1/closing/pool/run", {}).status_code in (403, 404)
