"""/api/v1/disposal: lookups with the limit and the refusal outside a case, the ladder and the auction
boundaries as JSON errors naming the field, the listing package, the property-centric view."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from zhixing.disposal import auctions, reference
from zhixing.disposal.models import DisposalSettings

from .conftest import PRICE_TABLE_CSV, D, register, seal

API = "/api/v1/disposal"


@pytest.fixture
def api(client):
    def as_user(user):
        client.force_login(user)
        return client
    return as_user


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_a_flat_lookup_by_api_and_the_limit_as_429(api, judge, case, flat, price_table, courts):
    DisposalSettings.objects.create(court=courts["court"], daily_lookup_limit=1)
    client = api(judge)
    response = post(client, f"{API}/cases/{case.pk}/lookups/flat", {"asset_id": flat.pk, "orientation": "东",
                                                                    "estate": "锦园小区", "building": "3", "floor": 5})
    assert response.status_code == 201
    body = response.json()
    assert body["value_fen"] == 110_522_967 and body["table_version"] == 1 and body["floor_coefficient"] == "1.0200"
    again = post(client, f"{API}/cases/{case.pk}/lookups/flat", {"asset_id": flat.pk})
    assert again.status_code == 429 and again.json()["error"] == "lookup_limit"
    log = client.get(f"{API}/lookups").json()
    assert [row["case_id"] for row in log] == [case.pk]


def test_a_lookup_for_an_asset_outside_the_case_is_refused(api, judge, make_case, flat, price_table):
    other = make_case()
    response = post(api(judge), f"{API}/cases/{other.pk}/lookups/flat", {"asset_id": flat.pk})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "asset_id"


def test_another_courts_case_is_404(api, other_judge, case, flat):
    assert post(api(other_judge), f"{API}/cases/{case.pk}/lookups/flat", {"asset_id": flat.pk}).status_code == 404


def test_the_ladder_refusal_as_json(api, judge, case, flat):
    response = post(api(judge), f"{API}/cases/{case.pk}/reference-prices/appraisal",
                    {"asset_id": flat.pk, "institution": "某评估公司", "selection": "lottery"})
    assert response.status_code == 400 and response.json()["error"] == "ladder_refused"


def test_rounds_by_api_refuse_69_9_percent_and_make_a_package(api, judge, case, flat):
    client = api(judge)
    ref = post(client, f"{API}/cases/{case.pk}/reference-prices/negotiation", {
        "asset_id": flat.pk, "applicant_figure_fen": 100_000_000, "respondent_figure_fen": 100_000_000,
        "agreed_price_fen": 100_000_000, "on": "2026-10-20"})
    assert ref.status_code == 201 and ref.json()["valid_until"] == "2027-10-19"
    plan = post(client, f"{API}/cases/{case.pk}/plans", {"asset_id": flat.pk, "platform": "淘宝网"}).json()
    body = {"starting_price_fen": 69_900_000, "deposit_fen": 7_000_000, "increment_fen": 500_000, "announce_on": "2026-11-25",
            "starts_at": "2026-12-25T10:00:00+08:00", "ends_at": "2026-12-26T10:00:00+08:00",
            "parties_notified_on": "2026-11-20"}
    refused = post(client, f"{API}/plans/{plan['id']}/rounds", body)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "starting_price_fen"
    created = post(client, f"{API}/plans/{plan['id']}/rounds", {**body, "starting_price_fen": 70_000_000})
    assert created.status_code == 201 and created.json()["title"] == "第一次拍卖"
    package = post(client, f"{API}/rounds/{created.json()['id']}/listing-packages", {})
    assert package.status_code == 201 and package.json()["fields"] > 60
    archive = zipfile.ZipFile(io.BytesIO(client.get(package.json()["download"]).content))
    assert json.loads(archive.read("listing.json"))["round"]["starting_price_fen"] == 70_000_000


def test_the_asset_view_hides_what_another_court_may_not_see(api, judge, other_judge, case, flat, make_case):
    other_case = make_case(actor=other_judge, filed_on=D(2026, 3, 2))
    seal(other_judge, other_case, register(other_judge, other_case), on=D(2026, 11, 2))
    reference.negotiation_record(actor=judge, case=case, asset=flat, applicant_figure_fen=1, respondent_figure_fen=1,
                                 agreed_price_fen=100)
    auctions.plan_create(actor=judge, case=case, asset=flat, platform="淘宝网")
    body = api(other_judge).get(f"{API}/assets/{flat.pk}").json()
    first, second = body["claims"]
    assert (first["case_number"], first["visible"], first["case_id"], first["reference_prices"]) == (
        case.case_number, False, None, [])
    assert first["measures"][0]["queue_rank"] == 1 and second["measures"][0]["queue_rank"] == 2
    assert second["visible"] and second["case_id"] == other_case.pk


def test_price_table_import_by_api(api, command_centre):
    client = api(command_centre)
    upload = io.BytesIO(PRICE_TABLE_CSV.encode())
    upload.name = "t.csv"
    response = client.post(f"{API}/price-tables", {"kind": "real_estate", "effective_from": "2026-01-01",
                                                   "source": "温岭市税务局", "file": upload})
    assert response.status_code == 201 and response.json()["version"] == 1
    assert client.get(f"{API}/price-tables").json()[0]["rows"] == 10
