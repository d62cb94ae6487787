"""现金可执行率: cash found ÷ what is still owed, the easy-cases-first order and the fast-track suggestion."""

from __future__ import annotations

import datetime as dt

import pytest

from zhixing.accounts.choices import Role
from zhixing.cases import services as case_services
from zhixing.cases.models import EnforcementCase
from zhixing.courts.choices import TeamType
from zhixing.courts.models import Team
from zhixing.property import measures, ranking
from zhixing.testing.fixtures import make_user

pytestmark = pytest.mark.usefixtures("on_25_november_2026")
FOUND = dt.date(2026, 10, 9)


def found(case, actor, kind: str, details: dict):
    owner = case.parties.filter(role="respondent").first()
    return measures.asset_register(actor=actor, case=case, kind=kind, details=details, owner_party=owner,
                                   found_on=FOUND, found_via="network_query").asset


@pytest.fixture
def ordinary_judge(courts):
    team = Team.objects.create(court=courts["court"], name="普执一组", team_type=TeamType.ORDINARY)
    return make_user("ordinary_judge", courts["court"], Role.JUDGE, "王法官", team)


@pytest.fixture
def scene(make_case, judge, ordinary_judge, other_judge):
    """half: owes 1,000 yuan, 500 found; double: owes 100, 200 found (a shared account with `half`);
    flat_only: owes 1,000, only a flat found; paid: owes nothing; elsewhere: another court's cash case."""
    half = make_case(filed_on=dt.date(2026, 9, 1), amount_fen=100_000)
    double = make_case(filed_on=dt.date(2026, 9, 2), amount_fen=10_000)
    flat_only = make_case(filed_on=dt.date(2026, 8, 3), amount_fen=100_000)
    paid = make_case(filed_on=dt.date(2026, 8, 4), amount_fen=50_000)
    elsewhere = make_case(actor=other_judge, filed_on=dt.date(2026, 9, 1), amount_fen=10_000)
    EnforcementCase.objects.filter(pk=paid.pk).update(performed_amount_fen=50_000)
    account = found(half, judge, "bank_deposit", {"bank": "中国银行", "account": "6216 0001", "balance": "300"})
    found(half, judge, "payment_account", {"platform": "支付宝", "account": "a@example.cn", "balance": "200.00"})
    # the same account found in a second case counts for that case too (one asset, two creditors)
    owner = double.parties.filter(role="respondent").first()
    measures.asset_register(actor=judge, case=double, kind="bank_deposit", details=account.details | {"balance": "200"},
                            owner_party=owner, found_on=FOUND, found_via="network_query")
    found(flat_only, judge, "real_estate", {"certificate_number": "京(2020)不动产权第1号", "address": "海淀区1号", "area": "80"})
    found(elsewhere, other_judge, "bank_deposit", {"bank": "中国银行", "account": "9999", "balance": "900"})
    case_services.case_assign(actor=judge, case=double, handler=ordinary_judge, team=ordinary_judge.team)
    case_services.case_assign(actor=judge, case=half, handler=judge, team=judge.team)
    return {"half": half, "double": double, "flat_only": flat_only, "paid": paid, "elsewhere": elsewhere}


def test_cases_rank_by_cash_over_what_is_still_owed(courts, scene):
    total, rows = ranking.cash_ranking(court_ids=[courts["court"].pk])
    assert total == 4  # the other court's case is not in this court's list
    assert [r.case_id for r in rows] == [scene[k].pk for k in ("double", "half", "flat_only", "paid")]
    double, half, flat_only, paid = rows
    # the shared account's newest balance (200 yuan, reported later) is what both cases see
    assert (double.cash_fen, double.outstanding_fen, double.ratio_bp, double.ratio_text) == (20_000, 10_000, 20_000, "200.00%")
    assert (half.cash_fen, half.ratio_bp, half.ratio_text) == (40_000, 4_000, "40.00%")
    assert (flat_only.cash_fen, flat_only.ratio_bp) == (0, 0)  # a flat is not cash
    assert (paid.ratio_bp, paid.ratio_text) == (None, "—")  # nothing owed: last
    assert double.covers_claim and not half.covers_claim


def test_filters_and_pages(courts, scene, ordinary_judge):
    court = [courts["court"].pk]
    assert [r.case_id for r in ranking.cash_ranking(court_ids=court, min_ratio_bp=1)[1]] == [scene["double"].pk,
                                                                                          scene["half"].pk]
    assert [r.case_id for r in ranking.cash_ranking(court_ids=court, team_id=ordinary_judge.team_id)[1]] == [
        scene["double"].pk]
    total, second_page = ranking.cash_ranking(court_ids=court, limit=2, offset=2)
    assert total == 4 and [r.case_id for r in second_page] == [scene["flat_only"].pk, scene["paid"].pk]


def test_a_cash_case_outside_the_fast_track_team_is_suggested_for_it(courts, scene, team):
    fast, suggested = ranking.fast_track_suggestions(courts["court"].pk)
    assert fast == [team]
    assert [r.case_id for r in suggested] == [scene["double"].pk]
    scene["double"].refresh_from_db()
    case_services.case_assign(actor=scene["double"].handler, case=scene["double"], handler=scene["double"].handler,
                              team=team, reason="现金足以清偿，移交快执团队")
    assert ranking.fast_track_suggestions(courts["court"].pk)[1] == []


def test_one_case_figures_match_its_row(courts, scene):
    _, rows = ranking.cash_ranking(court_ids=[courts["court"].pk])
    by_case = {r.case_id: r for r in rows}
    for key in ("double", "half", "flat_only", "paid"):
        one = ranking.case_cash(EnforcementCase.objects.get(pk=scene[key].pk))
        assert (one.cash_fen, one.outstanding_fen, one.ratio_bp) == (
            by_case[one.case_id].cash_fen, by_case[one.case_id].outstanding_fen, by_case[one.case_id].ratio_bp)


def test_the_ranking_page_and_api(client, courts, scene, judge, other_judge):
    client.force_login(judge)
    page = client.get("/property/ranking/").content.decode()
    numbers = [scene[k].case_number for k in ("double", "half", "flat_only", "paid")]
    positions = [page.index(n) for n in numbers]
    assert positions == sorted(positions) and "200.00%" in page and "建议移交快执团队" in page
    assert scene["elsewhere"].case_number not in page
    body = client.get("/api/v1/property/ranking", {"min_ratio_bp": 1}).json()
    assert body["total"] == 2 and [i["case_id"] for i in body["items"]] == [scene["double"].pk, scene["half"].pk]
    client.force_login(other_judge)
    body = client.get("/api/v1/property/ranking").json()
    assert [i["case_id"] for i in body["items"]] == [scene["elsewhere"].pk]


def test_the_property_page_shows_the_cash_ratio_and_is_another_courts_404(client, scene, judge, other_judge, supervisor):
    from zhixing.cases.models import DataAccessLog

    client.force_login(judge)
    page = client.get(f"/property/cases/{scene['double'].pk}/").content.decode()
    assert "现金可执行率" in page and "200.00%" in page and "宜由快执团队先结" in page
    owner = scene["double"].parties.get(role="respondent")
    assert owner.id_number in page  # the court's own staff see the number, and the look is recorded
    assert DataAccessLog.objects.filter(user=judge, case=scene["double"], kind="property_view").count() == 1
    client.force_login(supervisor)  # the higher court reads, masked
    page = client.get(f"/property/cases/{scene['double'].pk}/").content.decode()
    assert owner.id_number not in page and owner.masked_identity in page
    client.force_login(other_judge)
    assert client.get(f"/property/cases/{scene['double'].pk}/").status_code == 404
