"""Case money in a real browser, from arrival to payment, each step by the person whose duty it is.

The finance desk books 20,000 yuan typed with a thousands separator; the judge orders 15,000.50 from
the case's money page and sees it held; a colleague judge and the bureau head approve on the order
page (the judge who ordered finds no approval form there); the finance desk pays it from the desk's
待支付 list, the amount shown in capitals, and the case page shows what is left."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def test_receipt_order_two_approvals_and_payment(live_server, log_flushable, finance, judge, second_judge, bureau_head,
                                                 make_case, browser_page, screenshot, log_in):
    from playwright.sync_api import expect

    case = make_case(amount_fen=10_000_000)
    page = browser_page

    def switch_to(username: str, name: str) -> None:
        page.context.clear_cookies()
        log_in(page, username, name)

    # the finance desk books the money
    log_in(page, "finance", "孙会计")
    page.goto(f"{live_server.url}/money/")
    receipt = page.locator("#receipt-form")
    receipt.get_by_label("案号或子账号").fill(case.case_number)
    receipt.get_by_label("金额（元）").fill("20,000")
    receipt.get_by_label("付款人", exact=True).fill("被执行人")
    receipt.get_by_label("银行流水号").fill("B20261125001")
    receipt.get_by_role("button", name="登记到账").click()
    expect(page.locator(".messages")).to_contain_text(f"已登记到账 20,000.00元，入 {case.case_number} 案款账户")

    # the judge orders a payout from the case's money page
    switch_to("judge", "张法官")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.locator(".property-line").get_by_role("link", name="案款", exact=True).click()
    expect(page.get_by_role("heading", name=f"{case.case_number} · 案款")).to_be_visible()
    expect(page.locator("#sub-account")).to_have_text(re.compile(r"^9558\d{11}$"))  # prefix, case, check digit
    expect(page.locator("#balance")).to_have_text("20,000.00")
    form = page.locator("#order-form")
    form.get_by_label("金额（元）").fill("15,000.5")
    form.get_by_label("收款人", exact=True).fill("申请人甲")
    form.get_by_label("收款账号").fill("6222 0202 0000 1234")
    form.get_by_label("事由").fill("发放执行款")
    form.get_by_role("button", name="提交申请").click()
    expect(page.locator(".messages")).to_contain_text("待审批")
    expect(page.locator("#held")).to_have_text("15,000.50")
    expect(page.locator("#available")).to_have_text("4,999.50")
    order_link = page.locator("#orders article").first.get_by_role("link").first
    order_url = order_link.get_attribute("href")
    page.goto(f"{live_server.url}{order_url}")
    expect(page.locator(".money-refusal")).to_contain_text("申请人不能审批自己的付款申请")

    # two approvals, each on the order page
    for username, name in (("judge2", "吴法官"), ("head", "陈局长")):
        switch_to(username, name)
        page.goto(f"{live_server.url}{order_url}")
        expect(page.locator("#amount-capital")).to_have_text("人民币壹万伍仟元伍角")
        actions = page.locator("#order-actions")
        actions.get_by_label("审批意见").fill("同意")
        actions.get_by_role("button", name="同意").click()
        expect(page.locator(".messages")).to_contain_text("已同意")
    expect(page.locator(".page-title .badge")).to_have_text("已批准待支付")
    screenshot(page, "money-order-approved", full_page=True)

    # the finance desk pays it from the desk
    switch_to("finance", "孙会计")
    page.goto(f"{live_server.url}/money/")
    row = page.locator("#to-pay tbody tr").first
    expect(row).to_contain_text("人民币壹万伍仟元伍角")
    row.get_by_text("支付", exact=True).click()
    row.get_by_label("银行流水号").fill("P20261125001")
    screenshot(page, "money-desk", full_page=True)
    row.get_by_role("button", name="确认支付").click()
    expect(page.locator(".messages")).to_contain_text("已支付 15,000.50元（人民币壹万伍仟元伍角）")
    expect(page.locator("#to-pay")).to_contain_text("没有待支付的付款单")

    page.goto(f"{live_server.url}/money/cases/{case.pk}/")
    expect(page.locator("#balance")).to_have_text("4,999.50")
    expect(page.locator("#orders")).to_contain_text("已支付")
    expect(page.locator("#ledger tbody tr").first).to_contain_text("发放")
    screenshot(page, "money-case", full_page=True)
