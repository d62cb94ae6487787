"""A judge registers a car found on site and seizes it, in a real browser, from the case's property page.

The asset form shows only the chosen kind's fields; the seizure's statutory end (2 years for movables,
CPL-JI Art. 485) appears at once, and so does the renewal deadline in the supervision panel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from zhixing.property.measures import statutory_end
from zhixing.property.rules import PERIOD_CLASSES

pytestmark = pytest.mark.browser


def test_a_judge_registers_a_car_and_seizes_it(live_server, log_flushable, judge, make_case, browser_page, screenshot,
                                               log_in):
    from playwright.sync_api import expect

    case = make_case(filed_on=timezone.localdate() - dt.timedelta(days=20))
    page = browser_page
    log_in(page, "judge", "张法官")

    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.get_by_role("link", name="财产查控", exact=True).last.click()
    expect(page.get_by_role("heading", name=f"{case.case_number} · 财产查控")).to_be_visible()
    page.get_by_text("登记财产", exact=True).click()
    page.select_option("[name=asset-kind]", "vehicle")
    expect(page.locator("[name=asset-d_plate]")).to_be_visible()
    expect(page.locator("[name=asset-d_bank]")).to_be_hidden()  # another kind's field
    page.fill("[name=asset-d_plate]", "京A·12345")
    page.fill("[name=asset-d_vin]", "LSVAM4187C2184846")
    page.select_option("[name=asset-found_via]", "onsite")
    page.locator("#form-asset").get_by_role("button", name="登记").click()
    expect(page.locator("#property-assets")).to_contain_text("京A·12345")

    today = timezone.localdate()
    page.get_by_text("冻结 / 查封 / 扣押 / 扣划").click()
    page.select_option("[name=measure-kind]", "detain")
    page.locator("[name=measure-started_on]").fill(today.isoformat())
    page.get_by_role("button", name="记录措施").click()
    ends = statutory_end(PERIOD_CLASSES["movable"], today)
    expect(page.locator("body")).to_contain_text(ends.isoformat())
    screenshot(page, "property-case", full_page=True)
