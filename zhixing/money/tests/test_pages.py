"""The money pages as the finance desk, the case team and the approvers use them: amounts typed in 元
and booked exactly in fen, every action offered only to whom it is allowed and refused (with the
reason, next to the field or above the form) to anyone else, another court's money never shown, a
higher court's supervisor reading only."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.admin.models import LogEntry

from zhixing.cases import services as case_services
from zhixing.cases.models import DataAccessLog
from zhixing.money import ledger, selectors, services
from zhixing.money.choices import OrderKind, OrderStatus, ReceiptStatus
from zhixing.money.models import Account, Journal, MoneySettings, PayoutOrder, Receipt
from zhixing.money.rules import application_fee_fen
from zhixing.testing.fixtures import make_user

D = dt.date
TODAY = D(2026, 11, 25)  # a Wednesday
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def on_25_november_2026():
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        yield


@pytest.fixture
def case(make_case):
    return make_case(filed_on=D(2026, 9, 1), amount_fen=10_000_000)


def html(response) -> str:
    return response.content.decode()


def receive(finance, case, amount_fen: int, on: dt.date = TODAY, **kw) -> Receipt:
    return services.receipt_record(actor=finance, court_id=case.court_id, case=case, amount_fen=amount_fen,
                                   received_on=on, payer_name="被执行人", **kw)


def order(actor, case, amount_fen: int, **kw) -> PayoutOrder:
    kw.setdefault("payee_name", "申请人")
    kw.setdefault("payee_account", "6222020200001234")
    return services.order_create(actor=actor, case=case, amount_fen=amount_fen, reason="发放执行款", **kw)


def receipt_form(**overrides) -> dict:
    data = {"target": "", "amount": "1,234.56", "received_on": "2026-11-24", "channel": "voluntary",
            "payer_name": "被执行人甲", "payer_account": "", "bank_reference": "", "note": "", "next": "/money/"}
    data.update(overrides)
    return data


# ---------------------------------------------------------------- the desk


def test_the_finance_desk_has_the_receipt_form_the_unidentified_money_and_the_payments(client, finance, case):
    services.receipt_record(actor=finance, court_id=case.court_id, amount_fen=800_00, received_on=D(2026, 11, 16),
                            payer_name="某公司")
    client.force_login(finance)
    page = html(client.get("/money/"))
    assert "到账登记" in page and 'id="receipt-form"' in page and "认领期限" in page
    assert "执行款专户余额（元）" in page and "800.00" in page
    assert 'class="money-overdue"' in page and "已超期" in page  # 3 working days after 11-16 is 11-19
    assert "待支付" in page and "最近记账凭证" in page
    assert "待我审批" not in page  # the finance desk neither orders nor approves


def test_a_judge_sees_his_cases_money_and_what_waits_for_his_approval_but_no_receipt_form(
        client, finance, judge, second_judge, bureau_head, case):
    case_services.case_assign(actor=bureau_head, case=case, handler=judge)
    receive(finance, case, 500_000, on=D(2026, 10, 1))
    waiting = order(second_judge, case, 100_000)
    client.force_login(judge)
    page = html(client.get("/money/"))
    assert 'id="receipt-form"' not in page
    assert "我的案件在账案款" in page and case.case_number in page and "5,000.00" in page
    assert "已超期" in page  # received 10-01: the 30-day payout period ended 10-31
    assert "待我审批" in page and f"付款单{waiting.pk}" in page


def test_the_desk_reads_its_lists_in_a_fixed_number_of_queries(client, finance, judge, make_case,
                                                               django_assert_max_num_queries):
    for n in range(4):
        receive(finance, make_case(), 100_00 + n)
        services.receipt_record(actor=finance, court_id=judge.court_id, amount_fen=50_00 + n, received_on=TODAY)
    client.force_login(finance)
    with django_assert_max_num_queries(12):
        assert client.get("/money/").status_code == 200


# ---------------------------------------------------------------- receipts


def test_a_receipt_typed_in_yuan_is_booked_to_the_case_exactly_in_fen(client, finance, case):
    client.force_login(finance)
    response = client.post("/money/receipts/", receipt_form(target=case.case_number), **HX)
    assert response.status_code == 200 and response["HX-Redirect"] == "/money/"
    receipt = Receipt.objects.get()
    assert receipt.amount_fen == 123456 and receipt.case_id == case.pk and receipt.status == ReceiptStatus.BOOKED
    page = html(client.get("/money/"))
    assert f"已登记到账 1,234.56元，入 {case.case_number} 案款账户" in page


@pytest.mark.parametrize("typed", ["1.234", "-5", "一千", "1,234.567"])
def test_an_amount_that_is_not_yuan_with_at_most_two_decimals_is_refused(client, finance, case, typed):
    client.force_login(finance)
    response = client.post("/money/receipts/", receipt_form(target=case.case_number, amount=typed), **HX)
    assert response.status_code == 422
    assert "不是有效金额" in html(response) and 'id="receipt-form"' in html(response)
    assert not Receipt.objects.exists()


def test_zero_is_refused_by_the_service_next_to_the_amount(client, finance, case):
    client.force_login(finance)
    response = client.post("/money/receipts/", receipt_form(target=case.case_number, amount="0"), **HX)
    assert response.status_code == 422 and "金额须大于零" in html(response)


def test_a_receipt_by_the_sub_account_number_shown_on_the_case_page(client, finance, judge, case):
    client.force_login(judge)
    number = re.search(r'id="sub-account">(\d+)<', html(client.get(f"/money/cases/{case.pk}/"))).group(1)
    assert ledger.luhn_valid(number)
    client.force_login(finance)
    response = client.post("/money/receipts/", receipt_form(target=number, amount="800"))
    assert response.status_code == 302
    assert Receipt.objects.get().case_id == case.pk
    typo = number[:-3] + str((int(number[-3]) + 1) % 10) + number[-2:]  # one digit wrong: Luhn catches it
    response = client.post("/money/receipts/", receipt_form(target=typo, amount="1"))
    assert response.status_code == 422 and "校验位不符" in html(response)


def test_without_a_case_the_money_is_unidentified_only_when_ticked(client, finance, case):
    client.force_login(finance)
    response = client.post("/money/receipts/", receipt_form(), **HX)
    assert response.status_code == 422 and "无法确定案件的，勾选" in html(response)
    response = client.post("/money/receipts/", receipt_form(unidentified="on"))
    receipt = Receipt.objects.get()
    assert receipt.status == ReceiptStatus.UNIDENTIFIED and receipt.assign_due == D(2026, 11, 27)
    assert "已登记不明款 1,234.56元，请于 2026-11-27 前认领或退回" in html(client.get(response["Location"]))


def test_the_same_bank_reference_books_once_and_says_so(client, finance, case):
    client.force_login(finance)
    data = receipt_form(target=case.case_number, bank_reference="B20261124001")
    client.post("/money/receipts/", data)
    response = client.post("/money/receipts/", data, follow=True)
    assert "银行流水号 B20261124001 已于此前登记，未重复入账" in html(response)
    assert Receipt.objects.count() == 1
    response = client.post("/money/receipts/", {**data, "amount": "99"}, **HX)
    assert response.status_code == 409 and "与本次" in html(response)


def test_only_the_finance_desk_records_receipts(client, judge, supervisor, case):
    client.force_login(judge)
    response = client.post("/money/receipts/", receipt_form(target=case.case_number), **HX)
    assert response.status_code == 403 and "不能登记到账" in html(response)
    client.force_login(supervisor)
    assert client.post("/money/receipts/", receipt_form(target=case.case_number)).status_code == 403
    assert not Receipt.objects.exists()


def test_another_courts_case_number_is_not_found_for_the_desk(client, finance, other_judge, make_case):
    theirs = make_case(actor=other_judge)
    client.force_login(finance)
    response = client.post("/money/receipts/", receipt_form(target=theirs.case_number), **HX)
    assert response.status_code == 422 and f"本院没有案号 {theirs.case_number}" in html(response)


# ---------------------------------------------------------------- unidentified money


def test_unidentified_money_is_assigned_by_case_number_or_returned_with_a_reason(client, finance, case):
    first = services.receipt_record(actor=finance, court_id=case.court_id, amount_fen=300_00, received_on=D(2026, 11, 18))
    second = services.receipt_record(actor=finance, court_id=case.court_id, amount_fen=200_00, received_on=TODAY)
    client.force_login(finance)
    page = html(client.get("/money/unidentified/"))
    assert f'id="receipt-{first.pk}" class="money-overdue"' in page and f'id="receipt-{second.pk}">' in page
    response = client.post(f"/money/receipts/{first.pk}/assign/", {f"assign-{first.pk}-case_number": "（2026）京0108执9999号",
                                                                   "next": "/money/unidentified/"}, **HX)
    assert response.status_code == 422 and "本院没有案号" in html(response)
    response = client.post(f"/money/receipts/{first.pk}/assign/", {f"assign-{first.pk}-case_number": case.case_number,
                                                                   f"assign-{first.pk}-reason": "付款人来电确认"}, **HX)
    assert response["HX-Redirect"] == "/money/unidentified/"
    first.refresh_from_db()
    assert first.status == ReceiptStatus.ASSIGNED and first.case_id == case.pk
    response = client.post(f"/money/receipts/{second.pk}/return/", {f"return-{second.pk}-reason": ""}, **HX)
    assert response.status_code == 422
    client.post(f"/money/receipts/{second.pk}/return/", {f"return-{second.pk}-reason": "非本院款项"})
    second.refresh_from_db()
    assert second.status == ReceiptStatus.RETURNED


def test_a_judge_cannot_assign_unidentified_money(client, finance, judge, case):
    receipt = services.receipt_record(actor=finance, court_id=case.court_id, amount_fen=300_00, received_on=TODAY)
    client.force_login(judge)
    assert 'summary>认领<' not in html(client.get("/money/unidentified/"))
    response = client.post(f"/money/receipts/{receipt.pk}/assign/", {f"assign-{receipt.pk}-case_number": case.case_number}, **HX)
    assert response.status_code == 403 and "不能认领不明款" in html(response)


def test_the_unidentified_list_filters_and_pages(client, finance, courts, django_assert_max_num_queries):
    for n in range(35):
        services.receipt_record(actor=finance, court_id=courts["court"].pk, amount_fen=100 + n, received_on=TODAY,
                                payer_name=f"付款人{n}")
    client.force_login(finance)
    with django_assert_max_num_queries(7):
        page = html(client.get("/money/unidentified/?page=2"))
    assert "第 2 / 2 页" in page and page.count('class="money-row-actions"') == 5
    assert "共 1 条" in html(client.get("/money/unidentified/?q=付款人34"))


# ---------------------------------------------------------------- a case's money


def test_the_case_page_shows_the_sub_account_number_the_balances_and_the_fee(client, finance, judge, case):
    receive(finance, case, 2_000_000, bank_reference="B1")
    client.force_login(judge)
    response = client.get(f"/money/cases/{case.pk}/")
    page = html(response)
    number = Account.objects.get(case_id=case.pk).number
    assert response.status_code == 200 and f'id="sub-account">{number}<' in page
    assert 'id="balance">20,000.00<' in page and 'id="available">20,000.00<' in page
    assert f"{application_fee_fen(2_000_000) / 100:,.2f}" in page and "诉讼费用交纳办法第14条" in page
    assert "发放期限 2026-12-25" in page  # 30 days from 11-25
    assert 'id="order-form"' in page and 'id="fee-form"' not in page  # a judge orders; finance settles the fee
    assert DataAccessLog.objects.filter(user=judge, case=case, kind="money_view").exists()
    assert f'href="/money/cases/{case.pk}/"' in html(client.get(f"/cases/{case.pk}/"))


def test_the_case_ledger_shows_each_line_with_the_balance_after_it(client, finance, judge, case):
    for n, amount in enumerate((100_00, 250_00, 50_00)):
        receive(finance, case, amount, bank_reference=f"L{n}")
    client.force_login(finance)
    page = html(client.get(f"/money/cases/{case.pk}/"))
    ledger_part = page[page.index('id="ledger"'):]
    assert ledger_part.index("400.00") < ledger_part.index("350.00") < ledger_part.index("100.00")  # newest first


def test_another_courts_money_is_not_found(client, finance, other_judge, case):
    receive(finance, case, 100_00)
    order_ = order(make_user("judge9", case.court, "judge"), case, 100_00)
    client.force_login(other_judge)
    assert client.get(f"/money/cases/{case.pk}/").status_code == 404
    assert client.get(f"/money/orders/{order_.pk}/").status_code == 404
    assert client.post(f"/money/orders/{order_.pk}/cancel/", {f"cancel-{order_.pk}-reason": "x"}).status_code == 404
    assert case.case_number not in html(client.get("/money/orders/"))


def test_a_higher_courts_supervisor_reads_with_accounts_masked_and_no_forms(client, finance, judge, supervisor, make_case,
                                                                            case):
    receive(finance, case, 100_000)
    order(judge, case, 50_000, payee_account="6222020200009876")
    client.force_login(supervisor)
    page = html(client.get(f"/money/cases/{case.pk}/"))
    assert "****9876" in page and "6222020200009876" not in page
    assert "<form" not in page.split("<main>")[1]
    untouched = make_case()  # a reader is shown the number; no account is opened for him
    number = ledger.sub_account_number("9558", untouched.pk)
    assert f'id="sub-account">{number}<' in html(client.get(f"/money/cases/{untouched.pk}/"))
    assert not Account.objects.filter(case_id=untouched.pk).exists()
    response = client.post(f"/money/cases/{case.pk}/orders/", {"kind": "payout", "amount": "1", "reason": "x"})
    assert response.status_code == 403


# ---------------------------------------------------------------- orders and their chain


def order_form(**overrides) -> dict:
    data = {"kind": "payout", "amount": "1,500.00", "payee_name": "申请人甲", "payee_account": "6222 0202 0000 1234",
            "payee_bank": "工商银行海淀支行", "target_case_number": "", "reason": "发放执行款", "key": "k-1"}
    data.update(overrides)
    return data


def test_a_judge_orders_a_payout_once_however_often_the_form_is_sent(client, finance, judge, case):
    receive(finance, case, 500_000)
    client.force_login(judge)
    response = client.post(f"/money/cases/{case.pk}/orders/", order_form(), **HX)
    assert response["HX-Redirect"] == f"/money/cases/{case.pk}/"
    client.post(f"/money/cases/{case.pk}/orders/", order_form(), **HX)
    made = PayoutOrder.objects.get()
    assert made.amount_fen == 150_000 and made.payee_account == "6222020200001234" and made.status == OrderStatus.PENDING
    page = html(client.get(f"/money/cases/{case.pk}/"))
    assert 'id="held">1,500.00<' in page and 'id="available">3,500.00<' in page


def test_an_order_beyond_the_available_money_is_refused_with_the_figures(client, finance, judge, case):
    receive(finance, case, 100_000)
    client.force_login(judge)
    response = client.post(f"/money/cases/{case.pk}/orders/", order_form(amount="1,000.01"), **HX)
    assert response.status_code == 409 and "案款可用余额 1,000.00 元，不足申请 1,000.01 元" in html(response)


def test_a_transfer_names_its_target_by_case_number(client, finance, judge, make_case, case):
    receive(finance, case, 100_000)
    client.force_login(judge)
    response = client.post(f"/money/cases/{case.pk}/orders/", order_form(kind="transfer", target_case_number="（2026）京0108执9999号"), **HX)
    assert response.status_code == 422 and "本院没有案号" in html(response)
    other = make_case()
    client.post(f"/money/cases/{case.pk}/orders/", order_form(kind="transfer", target_case_number=other.case_number, key="k-2", amount="400"))
    assert PayoutOrder.objects.get().target_case_id == other.pk


def test_the_finance_desk_cannot_order(client, finance, case):
    receive(finance, case, 100_000)
    client.force_login(finance)
    assert 'id="order-form"' not in html(client.get(f"/money/cases/{case.pk}/"))
    response = client.post(f"/money/cases/{case.pk}/orders/", order_form(), **HX)
    assert response.status_code == 403 and "不能申请发放执行款" in html(response)


def test_separation_of_duties_on_the_pages(client, finance, judge, second_judge, bureau_head, case):
    receive(finance, case, 500_000)
    made = order(judge, case, 150_000)
    url = f"/money/orders/{made.pk}/decide/"
    client.force_login(judge)  # the orderer
    page = html(client.get(f"/money/orders/{made.pk}/"))
    assert f'id="decide-{made.pk}"' not in page and "申请人不能审批自己的付款申请" in page
    response = client.post(url, {f"decide-{made.pk}-decision": "approve"}, **HX)
    assert response.status_code == 403 and "申请人不能审批" in html(response)
    client.force_login(bureau_head)  # not his step yet
    assert client.post(url, {f"decide-{made.pk}-decision": "approve"}, **HX).status_code == 403
    client.force_login(second_judge)
    page = html(client.get(f"/money/orders/{made.pk}/"))
    assert f'id="decide-{made.pk}"' in page and "人民币壹仟伍佰元整" in page
    response = client.post(url, {f"decide-{made.pk}-decision": "approve", f"decide-{made.pk}-note": "同意"}, **HX)
    assert response["HX-Redirect"] == f"/money/orders/{made.pk}/"
    client.force_login(bureau_head)
    client.post(url, {f"decide-{made.pk}-decision": "approve"})
    made.refresh_from_db()
    assert made.status == OrderStatus.APPROVED
    page = html(client.get(f"/money/orders/{made.pk}/"))
    assert "吴法官" in page and "陈局长" in page and "同意" in page


def test_the_same_person_cannot_approve_two_steps(client, finance, judge, second_judge, bureau_head, case):
    MoneySettings.objects.create(court=case.court, approval_chain=[{"role": "judge", "min_fen": 0},
                                                                   {"role": "judge", "min_fen": 0}])
    receive(finance, case, 100_000)
    made = order(judge, case, 50_000)
    client.force_login(second_judge)
    client.post(f"/money/orders/{made.pk}/decide/", {f"decide-{made.pk}-decision": "approve"})
    assert f'id="decide-{made.pk}"' not in html(client.get(f"/money/orders/{made.pk}/"))
    assert made not in selectors.orders_to_approve(second_judge)
    response = client.post(f"/money/orders/{made.pk}/decide/", {f"decide-{made.pk}-decision": "approve"}, **HX)
    assert response.status_code == 403 and "同一人不能审批两个步骤" in html(response)


def test_a_rejection_needs_a_reason(client, finance, judge, second_judge, case):
    receive(finance, case, 100_000)
    made = order(judge, case, 50_000)
    client.force_login(second_judge)
    response = client.post(f"/money/orders/{made.pk}/decide/", {f"decide-{made.pk}-decision": "reject"}, **HX)
    assert response.status_code == 422 and "不予批准须写明理由" in html(response)
    client.post(f"/money/orders/{made.pk}/decide/", {f"decide-{made.pk}-decision": "reject",
                                                     f"decide-{made.pk}-note": "账号与申请人不符"})
    made.refresh_from_db()
    assert made.status == OrderStatus.REJECTED and services.available_fen(case) == 100_000


def test_finance_pays_an_approved_order_and_a_judge_cannot(client, finance, judge, second_judge, bureau_head, case):
    receive(finance, case, 500_000)
    made = order(judge, case, 123_456)
    services.order_decide(actor=second_judge, order=made, approve=True)
    services.order_decide(actor=bureau_head, order=made, approve=True)
    client.force_login(judge)
    response = client.post(f"/money/orders/{made.pk}/pay/", {f"pay-{made.pk}-paid_on": "2026-11-25",
                                                             f"pay-{made.pk}-bank_reference": "P1"}, **HX)
    assert response.status_code == 403
    client.force_login(finance)
    desk = html(client.get("/money/"))
    assert f'id="to-pay-{made.pk}"' in desk and "人民币壹仟贰佰叁拾肆元伍角陆分" in desk
    response = client.post(f"/money/orders/{made.pk}/pay/", {f"pay-{made.pk}-paid_on": "2026-11-25",
                                                             f"pay-{made.pk}-bank_reference": ""}, **HX)
    assert response.status_code == 422 and "请填写银行流水号" in html(response)
    client.post(f"/money/orders/{made.pk}/pay/", {f"pay-{made.pk}-paid_on": "2026-11-25",
                                                  f"pay-{made.pk}-bank_reference": "P1"})
    made.refresh_from_db()
    assert made.status == OrderStatus.PAID and made.bank_reference == "P1"
    assert Account.objects.get(case_id=case.pk).balance_fen == 500_000 - 123_456


def test_the_orderer_cancels_and_a_clerk_cannot(client, finance, judge, clerk, case):
    receive(finance, case, 100_000)
    made = order(judge, case, 50_000)
    client.force_login(clerk)
    assert f'id="cancel-{made.pk}"' not in html(client.get(f"/money/cases/{case.pk}/"))
    response = client.post(f"/money/orders/{made.pk}/cancel/", {f"cancel-{made.pk}-reason": "重复申请"}, **HX)
    assert response.status_code == 403
    client.force_login(judge)
    client.post(f"/money/orders/{made.pk}/cancel/", {f"cancel-{made.pk}-reason": "重复申请"})
    made.refresh_from_db()
    assert made.status == OrderStatus.CANCELLED


def test_the_orders_list_filters_what_waits_for_me(client, finance, judge, assistant, second_judge, bureau_head, case):
    receive(finance, case, 500_000)
    first = order(judge, case, 10_000)
    second = order(assistant, case, 20_000)
    services.order_decide(actor=second_judge, order=second, approve=True)
    client.force_login(bureau_head)
    page = html(client.get("/money/orders/?to_approve=on"))
    assert f"付款单{second.pk}" in page and f"付款单{first.pk}<" not in page
    client.force_login(judge)
    page = html(client.get("/money/orders/?to_approve=on"))
    assert f"付款单{second.pk}<" not in page and f"付款单{first.pk}<" not in page  # his own; and step 2 is the head's


def test_the_inbox_query_agrees_with_decide_refusal(finance, judge, assistant, second_judge, bureau_head, president,
                                                     command_centre, case):
    MoneySettings.objects.create(court=case.court, approval_chain=[
        {"role": "judge", "min_fen": 0}, {"role": "command_centre", "min_fen": 0}, {"role": "bureau_head", "min_fen": 0},
        {"role": "president", "min_fen": 100_000}])
    receive(finance, case, 1_000_000)
    orders = [order(judge, case, 10_000), order(assistant, case, 200_000), order(second_judge, case, 300_000)]
    services.order_decide(actor=second_judge, order=orders[1], approve=True)
    services.order_decide(actor=command_centre, order=orders[1], approve=True)
    services.order_decide(actor=judge, order=orders[2], approve=True)
    for user in (judge, assistant, second_judge, bureau_head, president, command_centre, finance):
        expected = {o.pk for o in PayoutOrder.objects.all() if services.decide_refusal(user, o) is None}
        assert set(selectors.orders_to_approve(user).values_list("pk", flat=True)) == expected, user.username


# ---------------------------------------------------------------- fee and reversal


def test_finance_settles_the_fee_from_the_case_page(client, finance, judge, case):
    receive(finance, case, 2_000_000)
    client.force_login(judge)
    assert client.post(f"/money/cases/{case.pk}/fee/", {}, **HX).status_code == 403
    client.force_login(finance)
    assert 'id="fee-form"' in html(client.get(f"/money/cases/{case.pk}/"))
    response = client.post(f"/money/cases/{case.pk}/fee/", {"reason": ""}, follow=True)
    assert f"已结算执行申请费 {application_fee_fen(2_000_000) / 100:,.2f}元" in html(response)
    assert services.fee_status(case)["outstanding_fen"] == 0


def test_finance_reverses_a_journal_with_a_reason(client, finance, judge, case):
    receipt = receive(finance, case, 100_000)
    url = f"/money/journals/{receipt.journal_id}/reverse/"
    client.force_login(judge)
    assert 'summary>冲正<' not in html(client.get(f"/money/cases/{case.pk}/"))
    assert client.post(url, {f"reverse-{receipt.journal_id}-reason": "错记"}, **HX).status_code == 403
    client.force_login(finance)
    assert 'summary>冲正<' in html(client.get(f"/money/cases/{case.pk}/"))
    assert client.post(url, {f"reverse-{receipt.journal_id}-reason": ""}, **HX).status_code == 422
    client.post(url, {f"reverse-{receipt.journal_id}-reason": "错记"})
    receipt.refresh_from_db()
    assert receipt.status == ReceiptStatus.REVERSED and Account.objects.get(case_id=case.pk).balance_fen == 0
    page = html(client.get(f"/money/cases/{case.pk}/"))
    assert f"已由凭证{Journal.objects.get(reverses_id=receipt.journal_id).pk}冲正" in page


def test_without_htmx_a_failed_action_shows_its_form_on_a_page(client, finance, case):
    receipt = receive(finance, case, 100_000)
    client.force_login(finance)
    response = client.post(f"/money/journals/{receipt.journal_id}/reverse/", {"next": f"/money/cases/{case.pk}/"})
    page = html(response)
    assert response.status_code == 422 and "<html" in page and f"冲正凭证{receipt.journal_id}" in page
    assert f'href="/money/cases/{case.pk}/"' in page


def test_next_never_leads_off_the_site(client, finance, case):
    client.force_login(finance)
    response = client.post("/money/receipts/", receipt_form(target=case.case_number, next="https://evil.example/"))
    assert response["Location"] == "/money/"


# ---------------------------------------------------------------- lists


def test_the_cases_list_flags_overdue_money_and_pages(client, finance, judge, make_case, django_assert_max_num_queries):
    late = make_case()
    receive(finance, late, 100_00, on=D(2026, 10, 1))
    for _ in range(31):
        receive(finance, make_case(), 100_00)
    client.force_login(judge)
    with django_assert_max_num_queries(7):
        page = html(client.get("/money/cases/"))
    assert "第 1 / 2 页" in page
    assert page.index(late.case_number) < page.index("已超期") < page.index("2026-12-25")  # most urgent first
    overdue = html(client.get("/money/cases/?overdue=on"))
    assert "共 1 条" in overdue and late.case_number in overdue


def test_the_journals_list_filters_by_kind(client, finance, case):
    receive(finance, case, 100_00)
    services.receipt_record(actor=finance, court_id=case.court_id, amount_fen=5_00, received_on=TODAY)
    client.force_login(finance)
    assert "共 2 条" in html(client.get("/money/journals/"))
    assert "共 0 条" in html(client.get("/money/journals/?kind=payout"))


# ---------------------------------------------------------------- settings


def settings_post(**overrides) -> dict:
    data = {"bank_name": "工商银行海淀支行", "account_name": "北京市海淀区人民法院", "account_number": "0200 0045 0900 0012 345",
            "sub_account_prefix": "9558", "steps-TOTAL_FORMS": "3", "steps-INITIAL_FORMS": "0",
            "steps-MIN_NUM_FORMS": "0", "steps-MAX_NUM_FORMS": "8",
            "steps-0-role": "judge", "steps-0-min_amount": "0",
            "steps-1-role": "bureau_head", "steps-1-min_amount": "0",
            "steps-2-role": "president", "steps-2-min_amount": "500,000"}
    data.update(overrides)
    return data


def test_the_bureau_head_edits_the_settings_and_the_change_is_kept(client, bureau_head, courts):
    client.force_login(bureau_head)
    page = html(client.get("/money/settings/"))
    assert "执行法官 → 执行局长/庭长 → 院长（1,000,000.00 元起）（默认流程）" in page and 'name="steps-0-role"' in page
    response = client.post("/money/settings/", settings_post())
    assert response.status_code == 302
    row = MoneySettings.objects.get(court=courts["court"])
    assert row.approval_chain == [{"role": "judge", "min_fen": 0}, {"role": "bureau_head", "min_fen": 0},
                                  {"role": "president", "min_fen": 50_000_000}]
    assert row.account_number == "0200004509000012345" and row.updated_by == bureau_head
    client.post("/money/settings/", settings_post(bank_name="建设银行海淀支行", **{"steps-2-role": ""}))
    entry = LogEntry.objects.order_by("-action_time", "-pk").first()
    assert entry.user == bureau_head
    assert "开户银行：“工商银行海淀支行” → “建设银行海淀支行”" in entry.change_message
    assert "院长（500,000.00 元起）” → “执行法官 → 执行局长/庭长”" in entry.change_message
    assert "建设银行海淀支行" in html(client.get("/money/settings/"))


def test_settings_are_validated(client, president, courts):
    client.force_login(president)
    response = client.post("/money/settings/", settings_post(**{"steps-0-role": "", "steps-1-role": "", "steps-2-role": ""}))
    assert response.status_code == 422 and "审批流程至少需要一个步骤" in html(response)
    response = client.post("/money/settings/", settings_post(**{"steps-0-role": "finance"}))
    assert response.status_code == 422 and "finance 不在可用的选项中" in html(response)  # the desk approves nothing
    response = client.post("/money/settings/", settings_post(**{"steps-0-min_amount": "-1"}))
    assert response.status_code == 422 and "不是有效金额" in html(response)
    response = client.post("/money/settings/", settings_post(**{"steps-0-min_amount": "1", "steps-1-min_amount": "1",
                                                                "steps-2-min_amount": "1"}))
    assert response.status_code == 422 and "至少一个步骤的起点金额须为 0" in html(response)
    response = client.post("/money/settings/", settings_post(sub_account_prefix="95A8"))
    assert response.status_code == 422 and "子账号前缀须为 1 至 12 位数字" in html(response)
    assert not MoneySettings.objects.exists() and not LogEntry.objects.exists()


def test_only_the_bureau_head_the_president_or_an_administrator_edit_settings(client, judge, finance, supervisor, courts):
    for user in (judge, finance):
        client.force_login(user)
        page = html(client.get("/money/settings/"))
        assert 'name="steps-0-role"' not in page and "案款设置由本院执行局长、院长或系统管理员修改" in page
        assert client.post("/money/settings/", settings_post()).status_code == 403
    client.force_login(supervisor)
    assert client.post("/money/settings/", settings_post()).status_code == 403
    assert not MoneySettings.objects.exists()


def test_a_new_chain_applies_to_orders_made_after_it(client, finance, judge, bureau_head, case):
    receive(finance, case, 100_000)
    before = order(judge, case, 10_000)
    client.force_login(bureau_head)
    client.post("/money/settings/", settings_post(**{"steps-1-role": "", "steps-2-role": ""}))
    after = order(judge, case, 10_000)
    assert [s["role"] for s in before.chain] == ["judge", "bureau_head"]
    assert [s["role"] for s in after.chain] == ["judge"]


def test_a_receipt_by_a_sub_account_number_of_an_account_not_yet_opened_finds_its_case(finance, case):
    number = ledger.sub_account_number(ledger.settings_for(case.court_id).sub_account_prefix, case.pk)
    receipt = services.receipt_record(actor=finance, court_id=case.court_id, amount_fen=100, received_on=TODAY,
                                      sub_account_number=number)
    assert receipt.case_id == case.pk


def test_the_pages_need_a_login(client, db):
    for url in ("/money/", "/money/cases/", "/money/orders/", "/money/unidentified/", "/money/journals/", "/money/settings/"):
        assert client.get(url).status_code == 302


def test_order_kinds_refund_and_transfer_are_offered(client, finance, judge, case):
    receive(finance, case, 100_000)
    client.force_login(judge)
    page = html(client.get(f"/money/cases/{case.pk}/"))
    for kind in OrderKind:
        assert f'<option value="{kind.value}"' in page


def test_viewing_a_case_opens_nothing_and_a_new_prefix_keeps_every_number_already_shown(client, finance, judge,
                                                                                          bureau_head, case):
    client.force_login(judge)
    shown = re.search(r'id="sub-account">(\d+)<', html(client.get(f"/money/cases/{case.pk}/"))).group(1)
    assert not Account.objects.filter(case_id=case.pk).exists()  # a GET writes nothing
    client.force_login(bureau_head)
    client.post("/money/settings/", settings_post(sub_account_prefix="6217"))
    assert Account.objects.get(case_id=case.pk).number == shown  # opened under the old prefix first
    receipt = services.receipt_record(actor=finance, court_id=case.court_id, amount_fen=100, received_on=TODAY,
                                      sub_account_number=shown)
    assert receipt.case_id == case.pk
