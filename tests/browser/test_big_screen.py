"""The command centre's big screen in a real browser, at the 1920×1080 of a wall display.

A court with four teams, a dozen handlers and cases of every 五超 class, supervised daily for a
month; the command-centre duty officer opens /supervision/screen/. Every chart must be drawn with
data, the page must fit the screen, and the minute refresh must fetch the JSON API. The screenshot
(var/screenshots/big-screen.png) is for a human to look at.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from zhixing.accounts.choices import Role
from zhixing.cases import services as case_services
from zhixing.cases.choices import ClosingType
from zhixing.courts.choices import TeamType
from zhixing.courts.models import Team
from zhixing.money import services as money_services
from zhixing.property import measures
from zhixing.supervision.engine import supervise
from zhixing.supervision.models import SupervisionPolicy
from zhixing.testing.fixtures import make_user

pytestmark = pytest.mark.browser

CHARTS = ("chart-wuchao-team", "chart-wuchao-judge", "chart-trend", "chart-load", "chart-classes")


@pytest.fixture
def viewport() -> dict:
    return {"width": 1920, "height": 1080}  # a wall display


@pytest.fixture
def busy_court(courts, judge, make_case):
    """京0108 after a month of daily supervision: 五超 cases of every class spread over four teams."""
    today = timezone.localdate()
    ago = lambda days: today - dt.timedelta(days=days)  # noqa: E731
    court = courts["court"]
    teams = [judge.team] + [
        Team.objects.create(court=court, name=name, team_type=kind)
        for name, kind in (
            ("普执二组", TeamType.ORDINARY),
            ("特执三组", TeamType.SPECIAL),
            ("执行110", TeamType.EXECUTION_110),
        )
    ]
    surnames = "王李赵刘陈杨黄周吴徐孙马"
    handlers = [judge] + [
        make_user(f"handler{i}", court, Role.JUDGE, f"{surnames[i]}法官", teams[i % len(teams)])
        for i in range(1, 12)
    ]

    def case(filed_days_ago: int, handler_index: int):
        new = make_case(filed_on=ago(filed_days_ago))
        handler = handlers[handler_index % len(handlers)]
        return case_services.case_assign(actor=judge, case=new, handler=handler, team=handler.team)

    finance = make_user("finance", court, Role.FINANCE, "孙会计")

    def record(c, node: str, days_ago: int):
        if node == "funds_received":  # money arrives through case money, which records the node
            money_services.receipt_record(actor=finance, court_id=court.pk, case=c, amount_fen=1_000_000,
                                          received_on=ago(days_ago), payer_name="被执行人")
            return
        case_services.node_record(actor=judge, case=c, node_code=node, occurred_on=ago(days_ago))

    for i in range(14):  # over a year old: 长期未结, some with more
        c = case(400 + 9 * i, i)
        if i % 3 == 0:
            record(c, "property_found", 300 - i)  # never controlled
        if i % 4 == 1:  # a deposit freeze, expired
            owner = c.parties.filter(role="respondent").first()
            link = measures.asset_register(
                actor=judge, case=c, kind="bank_deposit", details={"bank": "中国银行", "account": f"62160{i}", "balance": "800"},
                owner_party=owner, found_on=ago(390), found_via="network_query",
            )
            measures.measure_take(actor=judge, case=c, asset=link.asset, kind="freeze", started_on=ago(390))
        if i % 5 == 2:
            record(c, "funds_received", 80)  # not paid out
    for i in range(8):  # a few months old: found property, or money not paid out
        c = case(120 + 5 * i, i + 3)
        record(c, "property_found" if i % 2 else "funds_received", 60 + i)
    for i in range(4):  # closed two months ago, never archived
        c = case(200 + i, i + 5)
        case_services.case_close(
            actor=judge,
            case=c,
            closing_type=ClosingType.WITHDRAWN,
            performed_amount_fen=0,
            closed_on=ago(60 + i),
            reason="重复立案",
        )
    for i in range(16):  # new this month: yellow and orange warnings
        case(i % 9, i)
    SupervisionPolicy.objects.create(
        court=court, lock_from=ago(90), lock_after_red_days=15, lock_rules="property_control,payout"
    )
    for days_ago in range(29, -1, -1):
        supervise(as_of=ago(days_ago))
    return court


def test_the_command_centre_opens_the_big_screen(
    live_server, log_flushable, command_centre, busy_court, browser_page, screenshot, log_in
):
    from playwright.sync_api import expect

    page = browser_page
    log_in(page, "centre", "指挥中心值班员")

    page.goto(f"{live_server.url}/supervision/screen/")
    expect(page.locator(".screen-title h1")).to_have_text("北京市海淀区人民法院")
    page.wait_for_function(
        """ids => ids.every(id => {
            const el = document.getElementById(id);
            const drawn = el && el.querySelector("canvas, svg");
            if (!drawn || drawn.clientWidth === 0 || drawn.clientHeight === 0) return false;
            const chart = window.echarts && echarts.getInstanceByDom(el);
            return !!chart && chart.getOption().series.length > 0;
        })""",
        arg=list(CHARTS),
    )
    series = page.evaluate(
        """ids => Object.fromEntries(ids.map(id => [id, echarts.getInstanceByDom(document.getElementById(id))
              .getOption().series.map(s => (s.data || []).length)]))""",
        list(CHARTS),
    )
    assert all(lengths and max(lengths) > 0 for lengths in series.values()), series
    assert series["chart-trend"] == [30, 30, 30]
    expect(page.locator("[data-kpi=wuchao]")).not_to_have_text("0")
    expect(page.locator("#locked-list li").first).to_contain_text("（")  # a case number
    expect(page.locator("#ticker-list li").first).to_contain_text("超期")

    # a wall display: everything inside 1920×1080, no scrolling
    size = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size[0] <= 1920 and size[1] <= 1080, size
    for box in page.locator(".box, .kpi, .ticker").all():
        bounds = box.bounding_box()
        assert bounds and bounds["x"] >= 0 and bounds["y"] >= 0
        assert bounds["x"] + bounds["width"] <= 1920 and bounds["y"] + bounds["height"] <= 1080

    # the minute refresh: the same figures again from the JSON API, without reloading the page
    page.evaluate("window.ZhixingScreen.refresh()")
    expect(page.locator("#screen-refresh")).to_contain_text("已刷新")

    page.wait_for_timeout(600)  # let the charts' entry animation finish before the picture
    path = screenshot(page, "big-screen")
    assert path.exists() and path.stat().st_size > 60_000

    # the everyday dashboard behind it: a locked case links to the case page
    page.get_by_role("link", name="返回指挥中心").click()
    expect(page.get_by_role("heading", name="执行指挥中心")).to_be_visible()
    page.wait_for_function("() => echarts.getInstanceByDom(document.getElementById('centre-chart-team'))")
    page.wait_for_timeout(600)
    screenshot(page, "command-centre", full_page=True)
    page.locator("#locked-table a").first.click()
    expect(page.locator("h1")).to_contain_text("京0108执")


def test_the_intermediate_court_compares_its_basic_courts(
    live_server, log_flushable, supervisor, other_judge, busy_court, make_case, browser_page, screenshot, log_in
):
    from playwright.sync_api import expect

    today = timezone.localdate()
    for days_ago in (2, 5, 9, 12, 20, 33, 40):
        make_case(actor=other_judge, filed_on=today - dt.timedelta(days=days_ago))
    page = browser_page
    log_in(page, "supervisor", supervisor.display_name)
    page.goto(f"{live_server.url}/supervision/courts/")
    expect(page.locator("#courts-table")).to_contain_text("北京市西城区人民法院")
    expect(page.locator("#rebalance")).to_contain_text("调配")
    page.wait_for_function("() => echarts.getInstanceByDom(document.getElementById('courts-chart'))")
    page.wait_for_timeout(600)
    screenshot(page, "courts-side-by-side", full_page=True)
