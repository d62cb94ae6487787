"""A judge generates an enforcement notice in a real browser, from the case's documents page.

The new row shows version 1 still lacking the court's seal; switching the kind to 悬赏公告 brings in
its 悬赏金 input (htmx), which the server insists on; the preview shows the filled document."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

pytestmark = pytest.mark.browser


def test_a_judge_generates_a_notice_and_is_asked_for_the_reward(live_server, log_flushable, judge, make_case,
                                                                browser_page, screenshot, log_in):
    from playwright.sync_api import expect

    case = make_case(filed_on=timezone.localdate() - dt.timedelta(days=5))
    page = browser_page
    log_in(page, "judge", "张法官")

    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.locator(".property-line").get_by_role("link", name="执行文书", exact=True).click()
    expect(page.get_by_role("heading", name=f"{case.case_number} · 执行文书")).to_be_visible()
    kind = page.get_by_label("文书", exact=True)
    expect(kind).to_have_value("enforcement_notice")  # 执行通知书, the first of the set
    expect(kind.locator("option[value=ruling_freeze]")).to_be_disabled()  # no freeze on the case
    page.locator("#generate").get_by_role("button", name="生成").click()

    row = page.locator("#documents tbody tr", has_text="执行通知书")
    expect(row).to_contain_text("第1版")
    expect(row).to_contain_text("缺院印")
    expect(page.locator(".messages")).to_contain_text("已生成执行通知书第1版")
    screenshot(page, "documents-case", full_page=True)

    page.get_by_label("文书", exact=True).select_option("reward_notice")
    reward = page.get_by_label("悬赏金（元）")
    expect(reward).to_be_visible()
    page.locator("#generate").get_by_role("button", name="生成").click()
    expect(page.locator("#generate .has-error")).to_contain_text("这个字段是必填项")
    expect(page.get_by_label("文书", exact=True)).to_have_value("reward_notice")
    expect(page.locator("#documents tbody tr")).to_have_count(1)

    preview = row.get_by_role("link", name="预览").get_attribute("href")
    page.goto(f"{live_server.url}{preview}?html=1")
    expect(page.get_by_role("heading", name="执行通知书 · 第1版")).to_be_visible()
    document = page.locator(".docx-preview")
    expect(document).to_contain_text("北京市海淀区人民法院")
    expect(document).to_contain_text(case.case_number)
    screenshot(page, "documents-preview", full_page=True)
