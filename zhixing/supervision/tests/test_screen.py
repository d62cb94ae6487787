"""The command centre: dashboard, big-screen data, the basic courts side by side and the suggested
rebalancing of new cases. Counts are checked against the cases the tests file and against a naive
per-case count of the same deadlines; visibility as on the case pages (another court: 404)."""

from __future__ import annotations

import datetime as dt
import random
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhixing.accounts.choices import Role
from zhixing.cases import services as case_services
from zhixing.courts.choices import TeamType
from zhixing.courts.models import Team
from zhixing.supervision import services as sv
from zhixing.supervision.dashboard import WUCHAO_OF_RULE, scope_for, wuchao_deadlines
from zhixing.supervision.engine import supervise
from zhixing.supervision.models import CaseLock, Deadline, SupervisionPolicy
from zhixing.supervision.rebalancing import CourtLoad, plan_rebalancing
from zhixing.supervision.rules import WuChao
from zhixing.testing.fixtures import make_user

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = D(2026, 6, 15)  # a Monday
SCREEN_API = "/api/v1/supervision/screen"
COURTS_API = "/api/v1/supervision/screen/courts"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


def record(case, node_code: str, on: dt.date, actor):
    return case_services.node_record(actor=actor, case=case, node_code=node_code, occurred_on=on)


MEASURES_TAKEN = D(2023, 4, 3)


def take(case, kind: str, asset_kind: str, details: dict, actor, on: dt.date = MEASURES_TAKEN):
    """A control measure as the property app records it (a deposit freeze runs 1 year, a detention 2)."""
    from zhixing.property import measures

    owner = case.parties.filter(role="respondent").first()
    link = measures.asset_register(actor=actor, case=case, kind=asset_kind, details=details, owner_party=owner,
                                   found_on=on, found_via="network_query")
    return measures.measure_take(actor=actor, case=case, asset=link.asset, kind=kind, started_on=on)


def assign(case, handler, actor):
    return case_services.case_assign(actor=actor, case=case, handler=handler, team=handler.team)


@pytest.fixture
def scene(courts, team, judge, other_judge, bureau_head, make_case):
    """京0108: two teams. Team 快执一组 (张法官): a year-old case (长期未结), one with property found and
    never controlled, one whose deposit freeze and movables seizure have both expired; team 普执二组
    (刘法官): a case filed five days ago. 京0102: one year-old case of its own."""
    team2 = Team.objects.create(court=courts["court"], name="普执二组", team_type=TeamType.ORDINARY)
    judge2 = make_user("judge2", courts["court"], Role.JUDGE, "刘法官", team2)
    long_pending = make_case(filed_on=D(2025, 1, 10))
    property_found = make_case(filed_on=D(2025, 1, 10))
    measures = make_case(filed_on=D(2023, 3, 1))
    recent = make_case(filed_on=D(2026, 6, 10))
    for case in (long_pending, property_found, measures):
        assign(case, judge, judge)
    assign(recent, judge2, judge)
    record(property_found, "property_found", D(2025, 2, 1), judge)
    take(measures, "freeze", "bank_deposit", {"bank": "中国银行", "account": "6216001", "balance": "5000"}, judge)
    take(measures, "detain", "vehicle", {"plate": "京A·12345", "vin": "LSVAB1234"}, judge)  # movables: 2 years
    elsewhere = make_case(actor=other_judge, filed_on=D(2025, 1, 10))
    # Only 有财产未查控 locks, from 2026: the property case is locked after 15 red days.
    SupervisionPolicy.objects.create(
        court=courts["court"], lock_from=D(2026, 1, 1), lock_after_red_days=15, lock_rules="property_control"
    )
    supervise(as_of=TODAY - dt.timedelta(days=2))
    supervise(as_of=TODAY)
    sv.unlock_request(actor=judge, case=property_found, reason="已查明财产线索，正在办理查封")
    return {
        "team2": team2,
        "judge2": judge2,
        "long_pending": long_pending,
        "property_found": property_found,
        "measures": measures,
        "recent": recent,
        "elsewhere": elsewhere,
    }


def naive_worst_levels(court, team=None) -> dict[str, int]:
    """Per case in Python (the oracle): each warned case at its worst level."""
    worst: dict[int, int] = {}
    rows = Deadline.objects.filter(court=court, level__gt=0)
    if team:
        rows = rows.filter(team=team)
    for row in rows:
        worst[row.case_id] = max(worst.get(row.case_id, 0), row.level)
    return {
        name: sum(1 for level in worst.values() if level == n)
        for n, name in ((1, "yellow"), (2, "orange"), (3, "red"))
    }


def class_counts(block: dict) -> dict[str, int]:
    return {s["key"]: sum(s["data"]) for s in block["series"]}


# ---------------------------------------------------------------- the big-screen data


def test_screen_counts_each_wuchao_case_once_per_class(client, judge, scene):
    client.force_login(judge)
    data = client.get(SCREEN_API).json()
    by_team = dict(zip(data["wuchao_by_team"]["categories"], range(99), strict=False))
    series = {s["key"]: s["data"] for s in data["wuchao_by_team"]["series"]}
    first = by_team["快执一组"]
    # three cases over a year old; one never-controlled find; two expired measures on one case → one
    assert series[WuChao.LONG_PENDING][first] == 3
    assert series[WuChao.PROPERTY_NOT_CONTROLLED][first] == 1
    assert series[WuChao.MEASURE_EXPIRED][first] == 1
    expired = Deadline.objects.filter(case=scene["measures"], level=3, rule_code__startswith="measure_")
    assert expired.count() == 2
    # distinct cases: the three old cases, whatever their number of classes
    assert data["wuchao_by_team"]["totals"][first] == 3
    assert data["headline"]["wuchao"] == 3
    assert all(series[key][by_team["普执二组"]] == 0 for key in series)


def test_headline_and_levels_match_a_per_case_count(client, judge, courts, scene):
    client.force_login(judge)
    data = client.get(SCREEN_API).json()
    expected = naive_worst_levels(courts["court"])
    assert {k: data["headline"][k] for k in ("yellow", "orange", "red")} == expected
    assert data["headline"]["red"] >= 3  # the three old cases at least
    assert data["headline"]["open_cases"] == 4
    assert data["headline"]["locked"] == 1
    assert data["headline"]["unlock_pending"] == 1
    load = dict(zip(data["load_by_team"]["categories"], data["load_by_team"]["data"], strict=True))
    assert load == {"快执一组": 3, "普执二组": 1}


def test_screen_by_judge_trend_locked_and_ticker(client, judge, scene):
    client.force_login(judge)
    data = client.get(SCREEN_API).json()
    judges = data["wuchao_by_judge"]
    assert judges["categories"] == ["张法官"]  # 刘法官's one case is not 五超
    assert class_counts(judges)[WuChao.LONG_PENDING] == 3
    # 30 days up to the last run; the two runs are drawn, the days without one are gaps
    trend = data["trend"]
    assert len(trend["days"]) == 30 and trend["days"][-1] == TODAY.isoformat()
    assert trend["red"][-1] == data["headline"]["red"]
    assert trend["red"][-3] is not None and trend["red"][0] is None
    locked = data["locked"]
    assert locked["count"] == 1
    assert locked["items"][0]["case_number"] == scene["property_found"].case_number
    assert locked["items"][0]["rules"] == "有财产未查控"
    ticker = {(t["case_number"], t["wuchao"]): t for t in data["ticker"]}
    assert len(ticker) == len(data["ticker"])  # one line per case and class
    found = ticker[(scene["property_found"].case_number, WuChao.PROPERTY_NOT_CONTROLLED)]
    due = Deadline.objects.get(case=scene["property_found"], rule_code="property_control").due_on
    assert found["days_overdue"] == (TODAY - due).days > 0
    assert (scene["measures"].case_number, WuChao.MEASURE_EXPIRED) in ticker
    overdue = [t["days_overdue"] for t in data["ticker"]]
    assert overdue == sorted(overdue, reverse=True)


def test_a_team_filter_shows_only_that_team(client, judge, courts, scene):
    client.force_login(judge)
    team2 = scene["team2"]
    data = client.get(SCREEN_API, {"team": team2.pk}).json()
    assert data["team"] == {"id": team2.pk, "name": "普执二组"}
    assert data["headline"]["open_cases"] == 1
    assert data["headline"]["wuchao"] == 0
    assert {k: data["headline"][k] for k in ("yellow", "orange", "red")} == naive_worst_levels(
        courts["court"], team2
    )
    assert data["ticker"] == [] and data["locked"]["count"] == 0


def test_the_screen_costs_the_same_queries_for_more_cases_teams_and_judges(
    client, judge, courts, scene, make_case
):
    client.force_login(judge)
    with CaptureQueriesContext(connection) as before:
        client.get(SCREEN_API)
    team3 = Team.objects.create(court=courts["court"], name="特执三组", team_type=TeamType.SPECIAL)
    for i in range(3):
        handler = make_user(f"judge3{i}", courts["court"], Role.JUDGE, f"王法官{i}", team3)
        assign(make_case(filed_on=D(2025, 2, 1)), handler, judge)
    supervise(as_of=TODAY)
    with CaptureQueriesContext(connection) as after:
        data = client.get(SCREEN_API).json()
    assert data["headline"]["wuchao"] == 6
    assert len(after) == len(before)


# ---------------------------------------------------------------- visibility


def test_a_judge_never_sees_another_courts_cases(client, judge, courts, scene):
    client.force_login(judge)
    elsewhere = scene["elsewhere"].case_number
    assert client.get(SCREEN_API, {"court": courts["other"].pk}).status_code == 404
    other_team = Team.objects.create(court=courts["other"], name="西城一组", team_type=TeamType.FAST)
    assert client.get(SCREEN_API, {"team": other_team.pk}).status_code == 404
    for url in ("/supervision/centre/", "/supervision/screen/"):
        page = client.get(url)
        assert page.status_code == 200
        assert scene["long_pending"].case_number in page.content.decode()
        assert elsewhere not in page.content.decode()
        assert client.get(url, {"court": courts["other"].pk}).status_code == 404
        assert client.get(url, {"team": other_team.pk}).status_code == 404
        assert client.get(url, {"court": "x"}).status_code == 404
    assert elsewhere not in client.get(SCREEN_API).content.decode()


def test_an_account_without_a_court_is_refused_and_anonymous_users_must_log_in(client, courts, scene):
    from zhixing.accounts.models import User

    nobody = User.objects.create_user(username="nobody", password="x-pw-12345")
    assert client.get("/supervision/centre/").status_code == 302
    assert client.get(SCREEN_API).status_code == 401
    client.force_login(nobody)
    for url in ("/supervision/centre/", "/supervision/screen/", "/supervision/courts/"):
        assert client.get(url).status_code == 403
    assert client.get(SCREEN_API).status_code == 403
    assert client.get(COURTS_API).status_code == 403


def test_the_supervisor_sees_the_courts_below_one_at_a_time(client, supervisor, courts, scene):
    client.force_login(supervisor)
    own = client.get(SCREEN_API).json()
    assert own["court"]["id"] == courts["mid"].pk and own["headline"]["open_cases"] == 0
    other = client.get(SCREEN_API, {"court": courts["other"].pk}).json()
    assert other["headline"]["wuchao"] == 1
    assert other["ticker"][0]["case_number"] == scene["elsewhere"].case_number
    page = client.get("/supervision/centre/", {"court": courts["court"].pk}).content.decode()
    assert scene["long_pending"].case_number in page and scene["elsewhere"].case_number not in page
    assert client.get(SCREEN_API, {"court": courts["high"].pk}).status_code == 404


# ---------------------------------------------------------------- the dashboard page


def test_the_dashboard_lists_teams_judges_classes_and_links_locked_cases(client, command_centre, scene):
    client.force_login(command_centre)
    response = client.get("/supervision/centre/")
    html = response.content.decode()
    board = response.context["board"]
    assert [r.name for r in board.teams] == ["快执一组", "普执二组"]
    assert [r.name for r in board.handlers][:1] == ["张法官"] and "刘法官" in [r.name for r in board.handlers]
    assert {c["key"]: c["cases"] for c in board.wuchao_by_class} == {
        WuChao.PROPERTY_NOT_CONTROLLED: 1,
        WuChao.MEASURE_EXPIRED: 1,
        WuChao.PAYOUT_OVERDUE: 0,
        WuChao.LONG_PENDING: 3,
        WuChao.ARCHIVE_OVERDUE: 0,
    }
    locked = scene["property_found"]
    assert f'href="/cases/{locked.pk}/"' in html
    assert board.unlock_pending == 1
    assert 'id="kpi-unlock">1<' in html
    for label in WuChao.LABELS.values():
        assert label in html


def test_the_dashboard_counts_only_active_locks(client, command_centre, scene):
    CaseLock.objects.filter(case=scene["property_found"]).update(released_on=TODAY)
    client.force_login(command_centre)
    board = client.get("/supervision/centre/").context["board"]
    assert board.locked_count == 0 and board.locked == []


def test_the_big_screen_page_embeds_what_the_api_returns(client, command_centre, scene):
    client.force_login(command_centre)
    page = client.get("/supervision/screen/")
    api = client.get(SCREEN_API).json()
    embedded = page.context["data"]
    for key in ("headline", "wuchao_by_team", "wuchao_by_judge", "trend", "locked", "load_by_team", "ticker"):
        assert embedded[key] == api[key]
    html = page.content.decode()
    assert 'id="screen-data"' in html and "/api/v1/supervision/screen" in html
    assert scene["measures"].case_number in html  # the ticker is filled before the first refresh


# ---------------------------------------------------------------- basic courts side by side


@pytest.fixture
def filings(courts, other_judge, make_case):
    """京0102: one case filed in the previous 30 days, three in the last 30."""
    make_case(actor=other_judge, filed_on=D(2026, 5, 1))
    for day in (D(2026, 5, 20), D(2026, 6, 1), D(2026, 6, 12)):
        make_case(actor=other_judge, filed_on=day)


def test_the_intermediate_court_sees_its_basic_courts_side_by_side(
    client, supervisor, courts, scene, filings
):
    client.force_login(supervisor)
    data = client.get(COURTS_API).json()
    assert data["court"]["id"] == courts["mid"].pk
    rows = {r["court"]["id"]: r for r in data["courts"]}
    assert set(rows) == {courts["court"].pk, courts["other"].pk}
    haidian, xicheng = rows[courts["court"].pk], rows[courts["other"].pk]
    figures = ("open_cases", "new_recent", "new_previous", "judges")
    assert [haidian[f] for f in figures] == [4, 1, 0, 2]
    assert haidian["growth_percent"] is None and haidian["open_per_judge"] == 2.0
    assert [xicheng[f] for f in figures] == [5, 3, 1, 1]
    assert xicheng["growth_percent"] == 200
    classes = [c["key"] for c in data["classes"]]
    assert haidian["wuchao"][classes.index(WuChao.MEASURE_EXPIRED)] == 1
    assert xicheng["wuchao"][classes.index(WuChao.LONG_PENDING)] == 1
    assert haidian["locked"] == 1 and xicheng["locked"] == 0
    plan = data["plan"]
    assert sum(x["projected"] for x in plan["loads"]) == sum(x["after"] for x in plan["loads"])
    # 京0102 carries 8 (5 open + 3 new) for one judge, 京0108 5 for two: new cases go to 京0108
    assert [(t["from_court"]["id"], t["to_court"]["id"]) for t in plan["transfers"]] == [
        (courts["other"].pk, courts["court"].pk)
    ]
    page = client.get("/supervision/courts/").content.decode()
    assert "从 北京市西城区人民法院 向 北京市海淀区人民法院 调配 <strong>" in page
    assert "北京市海淀区人民法院" in page and "北京市西城区人民法院" in page


def test_any_member_of_the_intermediate_court_may_compare_but_a_basic_court_may_not(
    client, judge, courts, scene
):
    centre_at_mid = make_user("mid_centre", courts["mid"], Role.COMMAND_CENTRE, "中院指挥中心")
    client.force_login(centre_at_mid)
    assert client.get("/supervision/courts/").status_code == 200
    assert client.get(COURTS_API).status_code == 200
    client.force_login(judge)
    assert client.get("/supervision/courts/").status_code == 403
    assert client.get(COURTS_API).status_code == 403
    assert client.get(COURTS_API, {"court": courts["mid"].pk}).status_code == 403


def test_a_high_court_supervisor_picks_an_intermediate_court_it_oversees(client, courts, scene):
    high = make_user("high_supervisor", courts["high"], Role.SUPERVISOR, "高院监督员")
    client.force_login(high)
    assert client.get(COURTS_API).json()["court"]["id"] == courts["mid"].pk
    assert client.get(COURTS_API, {"court": courts["court"].pk}).status_code == 404  # a basic court


# ---------------------------------------------------------------- the rebalancing, as a pure function


def load(court_id, open_cases, new, judges, name=None):
    return CourtLoad(court_id, name or f"{court_id}院", open_cases, new, judges)


def test_rebalancing_moves_new_cases_until_per_judge_loads_are_even():
    plan = plan_rebalancing([load(1, 100, 80, 2), load(2, 60, 20, 2)])
    # 260 cases for 4 judges: 65 each; court 1 carries 180 (90 each), court 2 carries 80 (40 each)
    assert plan.target_per_judge == 65
    assert [(t.from_id, t.to_id, t.cases) for t in plan.transfers] == [(1, 2, 50)]
    assert plan.transfers[0].text == "从 1院 向 2院 调配 50 件新收案件"
    assert plan.after == {1: 130, 2: 130}


def test_rebalancing_moves_only_new_cases_and_says_when_that_is_not_enough():
    plan = plan_rebalancing([load(1, 300, 60, 2), load(2, 100, 20, 2), load(3, 150, 30, 2)])
    assert sum(t.cases for t in plan.transfers if t.from_id == 1) == 60
    assert plan.after[1] == 300
    assert any("1院" in note and "60 件" in note for note in plan.notes)


def test_no_transfer_when_every_court_is_within_ten_percent():
    plan = plan_rebalancing([load(1, 100, 10, 10), load(2, 110, 10, 10), load(3, 95, 10, 10)])
    assert plan.balanced and plan.transfers == []
    assert plan.after == plan.before


def test_just_beyond_ten_percent_a_transfer_is_suggested():
    # target 110 per judge; 122 is 10.9% above, 98 is 10.9% below
    plan = plan_rebalancing([load(1, 112, 10, 1), load(2, 88, 10, 1)])
    assert not plan.balanced
    assert [(t.from_id, t.to_id, t.cases) for t in plan.transfers] == [(1, 2, 10)]


def test_a_court_without_judges_is_left_out_with_a_note():
    plan = plan_rebalancing([load(1, 100, 50, 2), load(2, 20, 10, 2), load(3, 500, 100, 0, name="新设法院")])
    assert 3 not in plan.before and 3 not in plan.after
    assert all(3 not in (t.from_id, t.to_id) for t in plan.transfers)
    assert any("新设法院" in note and "未配备执行法官" in note for note in plan.notes)
    assert plan.target_per_judge == Fraction(180, 4)


def test_nothing_to_balance_with_fewer_than_two_staffed_courts():
    assert plan_rebalancing([load(1, 100, 50, 2), load(2, 0, 0, 0)]).transfers == []
    assert plan_rebalancing([]).transfers == []
    assert plan_rebalancing([load(1, 0, 0, 1), load(2, 0, 0, 3)]).balanced


def test_rebalancing_keeps_totals_and_never_pushes_a_court_past_the_average():
    rng = random.Random(12)
    for _ in range(300):
        courts = [
            load(i, rng.randint(0, 900), rng.randint(0, 200), rng.randint(0, 12))
            for i in range(rng.randint(2, 7))
        ]
        plan = plan_rebalancing(courts)
        staffed = {c.court_id: c for c in courts if c.judges}
        assert (
            sum(plan.after.values())
            == sum(plan.before.values())
            == sum(c.projected for c in staffed.values())
        )
        target = plan.target_per_judge
        for t in plan.transfers:
            assert isinstance(t.cases, int) and t.cases > 0
            assert Fraction(plan.before[t.from_id], staffed[t.from_id].judges) > target
            assert Fraction(plan.before[t.to_id], staffed[t.to_id].judges) < target
        for court_id, c in staffed.items():
            moved_out = sum(t.cases for t in plan.transfers if t.from_id == court_id)
            moved_in = sum(t.cases for t in plan.transfers if t.to_id == court_id)
            assert moved_out <= c.expected_new
            assert not (moved_out and moved_in)
            assert plan.after[court_id] == plan.before[court_id] - moved_out + moved_in
            if moved_out:
                assert plan.after[court_id] >= target * c.judges
            if moved_in:
                assert plan.after[court_id] <= target * c.judges


# ---------------------------------------------------------------- selectors


def test_wuchao_deadlines_are_only_red_deadlines_of_wuchao_rules(judge, scene):
    scope = scope_for(judge)
    rules = set(wuchao_deadlines(scope).values_list("rule_code", flat=True))
    assert rules and rules <= {code for code, kind in WUCHAO_OF_RULE.items()}
    assert {"property_control", "measure_bank", "measure_movables", "long_pending"} <= rules
    assert set(wuchao_deadlines(scope).values_list("level", flat=True)) == {3}


def test_the_home_page_scrolls_the_courts_wuchao_cases_like_the_big_screen(client, scene, judge, other_judge):
    client.force_login(judge)
    page = client.get("/supervision/").content.decode()
    assert 'class="wuchao-ticker"' in page and "screen.css" in page
    for key in ("long_pending", "property_found", "measures"):
        assert scene[key].case_number in page
    assert scene["elsewhere"].case_number not in page
    client.force_login(other_judge)  # 京0102's own 五超 case only
    page = client.get("/supervision/").content.decode()
    assert scene["elsewhere"].case_number in page and scene["long_pending"].case_number not in page
