"""/api/v1/money: the same rules as the pages, as JSON — integer fen, 201 for what was made and 200
for an idempotent retry, 403 with the role or the separation-of-duties rule, 404 for another court,
409 for a conflict, 422 naming the field."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.contrib.admin.models import LogEntry

from zhixing.accounts.models import ApiToken
from zhixing.cases.models import DataAccessLog
from zhixing.money import services
from zhixing.money.choices import OrderStatus
from zhixing.money.models import Account, MoneySettings, PayoutOrder, Receipt
from zhixing.money.rules import application_fee_fen

API = "/api/v1/money"
D = dt.date
TODAY = D(2026, 11, 25)


@pytest.fixture(autouse=True)
def on_25_november_2026():
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        yield


@pytest.fixture
def case(make_case):
    return make_case(filed_on=D(2026, 9, 1), amount_fen=10_000_000)


def post(client, url: str, body: dict, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def put(client, url: str, body: dict):
    return client.put(url, json.dumps(body), content_type="application/json")


def bearer(user) -> dict:
    _, token = ApiToken.issue(user=user, name="测试")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def receive(finance, case, amount_fen: int, on: dt.date = TODAY, **kw) -> Receipt:
    return services.receipt_record(actor=finance, court_id=case.court_id, case=case, amount_fen=amount_fen,
                                   received_on=on, payer_name="被执行人", **kw)


def order_body(case, **overrides) -> dict:
    body = {"case_id": case.pk, "amount_fen": 150_000, "reason": "发放执行款", "payee_name": "申请人甲",
            "payee_account": "6222020200001234", "payee_bank": "工商银行"}
    body.update(overrides)
    return body


def test_without_credentials_the_api_answers_401(client, db):
    assert client.get(f"{API}/unidentified").status_code == 401


# ---------------------------------------------------------------- accounts and receipts


def test_the_account_of_a_case(client, finance, judge, case):
    receive(finance, case, 2_000_000)
    client.force_login(judge)
    body = client.get(f"{API}/accounts/cases/{case.pk}").json()
    assert body["account_number"] == Account.objects.get(case_id=case.pk).number
    assert (body["balance_fen"], body["held_fen"], body["available_fen"]) == (2_000_000, 0, 2_000_000)
    assert body["fee"]["due_fen"] == application_fee_fen(2_000_000) and "第14条" in body["fee"]["citation"]
    assert body["payout"] == {"start_on": "2026-11-25", "due_on": "2026-12-25", "overdue": False, "paused": False,
                               "deferred": False}


def test_another_courts_money_is_404_and_a_supervisor_reads(client, finance, other_judge, supervisor, case):
    receive(finance, case, 100_00)
    client.force_login(other_judge)
    assert client.get(f"{API}/accounts/cases/{case.pk}").json()["error"] == "not_found"
    assert client.get(f"{API}/cases/{case.pk}/receipts").status_code == 404
    assert client.get(f"{API}/unidentified").json()["count"] == 0
    client.force_login(supervisor)
    assert client.get(f"{API}/accounts/cases/{case.pk}").json()["balance_fen"] == 100_00


def test_finance_records_a_receipt_once_per_bank_reference(client, finance, case):
    headers = bearer(finance)
    body = {"case_id": case.pk, "amount_fen": 123456, "received_on": "2026-11-24", "bank_reference": "B1",
            "payer_name": "被执行人甲"}
    first = post(client, f"{API}/receipts", body, **headers)
    assert first.status_code == 201
    assert first.json()["amount_fen"] == 123456 and first.json()["status"] == "booked"
    again = post(client, f"{API}/receipts", body, **headers)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    conflict = post(client, f"{API}/receipts", {**body, "amount_fen": 1}, **headers)
    assert conflict.status_code == 409 and conflict.json()["error"] == "bank_reference_conflict"
    assert Receipt.objects.count() == 1


def test_a_receipt_by_case_number_or_sub_account_number_or_neither(client, finance, case):
    client.force_login(finance)
    by_number = post(client, f"{API}/receipts", {"case_number": case.case_number, "amount_fen": 100, "received_on": "2026-11-25"})
    assert by_number.json()["case_id"] == case.pk
    number = client.get(f"{API}/accounts/cases/{case.pk}").json()["account_number"]
    by_account = post(client, f"{API}/receipts", {"sub_account_number": number, "amount_fen": 200, "received_on": "2026-11-25"})
    assert by_account.json()["case_id"] == case.pk
    neither = post(client, f"{API}/receipts", {"amount_fen": 300, "received_on": "2026-11-25"}).json()
    assert neither["status"] == "unidentified" and neither["assign_due"] == "2026-11-30" and neither["overdue"] is False
    unknown = post(client, f"{API}/receipts", {"case_number": "（2026）京0108执9999号", "amount_fen": 1, "received_on": "2026-11-25"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "case_number"


def test_amounts_are_integer_fen(client, finance, case):
    client.force_login(finance)
    for amount in (10.5, "12.34", 0, -1):
        response = post(client, f"{API}/receipts", {"case_id": case.pk, "amount_fen": amount, "received_on": "2026-11-25"})
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "amount_fen", amount
    assert not Receipt.objects.exists()


def test_only_the_finance_desk_records_receipts(client, judge, supervisor, case):
    body = {"case_id": case.pk, "amount_fen": 100, "received_on": "2026-11-25"}
    client.force_login(judge)
    response = post(client, f"{API}/receipts", body)
    assert response.status_code == 403 and "不能登记到账" in response.json()["message"]
    client.force_login(supervisor)
    assert post(client, f"{API}/receipts", body).status_code == 403
    assert not Receipt.objects.exists()


def test_unidentified_money_with_its_overdue_flag_assigned_and_returned(client, finance, judge, case):
    late = services.receipt_record(actor=finance, court_id=case.court_id, amount_fen=300_00, received_on=D(2026, 11, 16))
    fresh = services.receipt_record(actor=finance, court_id=case.court_id, amount_fen=200_00, received_on=TODAY)
    client.force_login(finance)
    body = client.get(f"{API}/unidentified").json()
    assert body["count"] == 2 and [(r["id"], r["overdue"]) for r in body["results"]] == [(late.pk, True), (fresh.pk, False)]
    assert [r["id"] for r in client.get(f"{API}/unidentified?overdue=true").json()["results"]] == [late.pk]
    client.force_login(judge)
    assert post(client, f"{API}/unidentified/{late.pk}/assign", {"case_id": case.pk}).status_code == 403
    client.force_login(finance)
    assigned = post(client, f"{API}/unidentified/{late.pk}/assign", {"case_number": case.case_number, "reason": "来电确认"})
    assert assigned.json()["status"] == "assigned" and assigned.json()["case_id"] == case.pk
    assert post(client, f"{API}/unidentified/{fresh.pk}/return", {"reason": " "}).status_code == 422
    returned = post(client, f"{API}/unidentified/{fresh.pk}/return", {"reason": "非本院款项", "bank_reference": "R1"})
    assert returned.json()["status"] == "returned"
    assert client.get(f"{API}/unidentified?status=").json()["count"] == 2
    assert Account.objects.get(case_id=case.pk).balance_fen == 300_00


def test_the_case_journals_page_with_the_balance_after_each_line(client, finance, judge, case):
    for n in range(5):
        receive(finance, case, 100 * (n + 1), bank_reference=f"J{n}")
    client.force_login(judge)
    body = client.get(f"{API}/cases/{case.pk}/journals?page=1&page_size=2").json()
    assert body["count"] == 5 and [line["amount_fen"] for line in body["results"]] == [500, 400]
    assert [line["balance_after_fen"] for line in body["results"]] == [1500, 1000]
    last = client.get(f"{API}/cases/{case.pk}/journals?page=3&page_size=2").json()["results"]
    assert [(line["amount_fen"], line["balance_after_fen"]) for line in last] == [(100, 100)]
    assert last[0]["journal"]["kind"] == "receipt" and last[0]["journal"]["actor"] == "孙会计"
    receipts = client.get(f"{API}/cases/{case.pk}/receipts").json()
    assert len(receipts) == 5 and DataAccessLog.objects.filter(case=case, kind="api_money_view").exists()


def test_the_fee_is_settled_by_finance(client, finance, judge, case):
    receive(finance, case, 2_000_000)
    client.force_login(judge)
    assert post(client, f"{API}/cases/{case.pk}/fee", {}).status_code == 403
    client.force_login(finance)
    body = post(client, f"{API}/cases/{case.pk}/fee", {}).json()
    assert body["amount_fen"] == application_fee_fen(2_000_000) and body["fee"]["outstanding_fen"] == 0
    again = post(client, f"{API}/cases/{case.pk}/fee", {})
    assert again.status_code == 400 and again.json()["error"] == "no_fee_to_settle"


def test_a_journal_is_reversed_by_finance_with_a_reason(client, finance, judge, other_judge, case):
    receipt = receive(finance, case, 100_000)
    client.force_login(judge)
    assert post(client, f"{API}/journals/{receipt.journal_id}/reverse", {"reason": "错记"}).status_code == 403
    client.force_login(other_judge)
    assert post(client, f"{API}/journals/{receipt.journal_id}/reverse", {"reason": "错记"}).status_code == 404
    client.force_login(finance)
    assert post(client, f"{API}/journals/{receipt.journal_id}/reverse", {"reason": ""}).status_code == 422
    reversal = post(client, f"{API}/journals/{receipt.journal_id}/reverse", {"reason": "错记"})
    assert reversal.status_code == 201 and reversal.json()["reverses_id"] == receipt.journal_id
    assert Account.objects.get(case_id=case.pk).balance_fen == 0


# ---------------------------------------------------------------- orders


def test_an_order_through_two_approvals_to_payment(client, finance, judge, second_judge, bureau_head, case):
    receive(finance, case, 500_000)
    client.force_login(judge)
    made = post(client, f"{API}/orders", order_body(case, key="order-1"))
    assert made.status_code == 201
    order = made.json()
    assert order["status"] == "pending" and order["step_role"] == "judge" and order["amount_capital"] == "人民币壹仟伍佰元整"
    assert [s["role"] for s in order["steps"]] == ["judge", "bureau_head"] and order["actions"]["decide"] is False
    assert "申请人不能审批" in order["actions"]["decide_refusal"]
    retry = post(client, f"{API}/orders", order_body(case, key="order-1"))
    assert retry.status_code == 200 and retry.json()["id"] == order["id"] and PayoutOrder.objects.count() == 1

    url = f"{API}/orders/{order['id']}"
    refused = post(client, f"{url}/decide", {"approve": True})
    assert refused.status_code == 403 and "申请人不能审批自己的付款申请" in refused.json()["message"]
    client.force_login(bureau_head)
    assert post(client, f"{url}/decide", {"approve": True}).status_code == 403  # the judge step comes first
    client.force_login(second_judge)
    assert [o["id"] for o in client.get(f"{API}/orders?to_approve=true").json()["results"]] == [order["id"]]
    step1 = post(client, f"{url}/decide", {"approve": True, "note": "同意"}).json()
    assert step1["steps"][0]["approver"] == "吴法官" and step1["step_role"] == "bureau_head"
    client.force_login(bureau_head)
    approved = post(client, f"{url}/decide", {"approve": True}).json()
    assert approved["status"] == "approved" and approved["actions"]["pay"] is False  # the head does not pay

    client.force_login(judge)
    assert post(client, f"{url}/pay", {"bank_reference": "P1"}).status_code == 403
    client.force_login(finance)
    assert client.get(url).json()["actions"]["pay"] is True
    assert post(client, f"{url}/pay", {"bank_reference": ""}).json()["errors"][0]["field"] == "bank_reference"
    paid = post(client, f"{url}/pay", {"bank_reference": "P1", "paid_on": "2026-11-25"}).json()
    assert paid["status"] == "paid" and paid["bank_reference"] == "P1" and paid["journal_id"]
    assert post(client, f"{url}/pay", {"bank_reference": "P1"}).json()["journal_id"] == paid["journal_id"]
    assert post(client, f"{url}/pay", {"bank_reference": "P2"}).status_code == 409
    assert client.get(f"{API}/accounts/cases/{case.pk}").json()["balance_fen"] == 500_000 - 150_000


def test_the_same_person_cannot_approve_two_steps(client, finance, judge, second_judge, case):
    MoneySettings.objects.create(court=case.court, approval_chain=[{"role": "judge", "min_fen": 0},
                                                                   {"role": "judge", "min_fen": 0}])
    receive(finance, case, 500_000)
    made = services.order_create(actor=judge, case=case, amount_fen=100, reason="发放", payee_name="甲", payee_account="1")
    client.force_login(second_judge)
    post(client, f"{API}/orders/{made.pk}/decide", {"approve": True})
    second = post(client, f"{API}/orders/{made.pk}/decide", {"approve": True})
    assert second.status_code == 403 and "同一人不能审批两个步骤" in second.json()["message"]


def test_the_finance_desk_and_readers_cannot_order_and_another_court_cannot_see(client, finance, supervisor, other_judge,
                                                                                 judge, case):
    receive(finance, case, 500_000)
    for user, status in ((finance, 403), (supervisor, 403), (other_judge, 404)):
        client.force_login(user)
        assert post(client, f"{API}/orders", order_body(case)).status_code == status, user.username
    made = services.order_create(actor=judge, case=case, amount_fen=100, reason="发放", payee_name="甲",
                                 payee_account="6222020200009876")
    client.force_login(other_judge)
    assert client.get(f"{API}/orders/{made.pk}").status_code == 404
    assert client.get(f"{API}/orders").json()["count"] == 0
    client.force_login(supervisor)
    body = client.get(f"{API}/orders/{made.pk}").json()
    assert body["payee_account"] == "****9876" and body["actions"] == {"decide": False, "decide_refusal": "只有本院人员可以审批",
                                                                        "cancel": False, "pay": False}


def test_an_order_beyond_the_available_money_is_a_conflict(client, finance, judge, case):
    receive(finance, case, 100_000)
    client.force_login(judge)
    response = post(client, f"{API}/orders", order_body(case, amount_fen=100_001))
    assert response.status_code == 409 and response.json()["error"] == "overdrawn"


def test_a_transfer_and_its_target(client, finance, judge, second_judge, bureau_head, make_case, other_judge, case):
    receive(finance, case, 100_000)
    theirs = make_case(actor=other_judge)
    client.force_login(judge)
    response = post(client, f"{API}/orders", order_body(case, kind="transfer", target_case_id=theirs.pk, amount_fen=40_000))
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "target_case_id"
    ours = make_case()
    made = post(client, f"{API}/orders", order_body(case, kind="transfer", target_case_id=ours.pk, amount_fen=40_000)).json()
    for approver in (second_judge, bureau_head):
        client.force_login(approver)
        body = post(client, f"{API}/orders/{made['id']}/decide", {"approve": True}).json()
    assert body["status"] == "paid"  # booked on approval
    assert client.get(f"{API}/accounts/cases/{ours.pk}").json()["balance_fen"] == 40_000


def test_a_rejection_needs_a_note_and_a_cancellation_a_reason(client, finance, judge, second_judge, clerk, case):
    receive(finance, case, 100_000)
    first = services.order_create(actor=judge, case=case, amount_fen=100, reason="发放", payee_name="甲", payee_account="1")
    second = services.order_create(actor=judge, case=case, amount_fen=200, reason="发放", payee_name="甲", payee_account="1")
    client.force_login(second_judge)
    assert post(client, f"{API}/orders/{first.pk}/decide", {"approve": False}).json()["errors"][0]["field"] == "note"
    rejected = post(client, f"{API}/orders/{first.pk}/decide", {"approve": False, "note": "账号不符"}).json()
    assert rejected["status"] == "rejected" and rejected["closed_note"] == "账号不符"
    client.force_login(clerk)
    assert post(client, f"{API}/orders/{second.pk}/cancel", {"reason": "重复"}).status_code == 403
    client.force_login(judge)
    assert post(client, f"{API}/orders/{second.pk}/cancel", {"reason": ""}).status_code == 422
    assert post(client, f"{API}/orders/{second.pk}/cancel", {"reason": "重复"}).json()["status"] == "cancelled"
    assert post(client, f"{API}/orders/{first.pk}/cancel", {"reason": "x"}).status_code == 409


def test_the_orders_list_filters_and_pages_in_a_fixed_number_of_queries(client, finance, judge, assistant, make_case,
                                                                         django_assert_max_num_queries):
    cases = [make_case() for _ in range(3)]
    for case in cases:
        receive(finance, case, 100_000)
        for _ in range(2):
            services.order_create(actor=assistant, case=case, amount_fen=100, reason="发放", payee_name="甲", payee_account="1")
    PayoutOrder.objects.filter(case=cases[0]).update(status=OrderStatus.CANCELLED)
    client.force_login(judge)
    with django_assert_max_num_queries(4):
        body = client.get(f"{API}/orders?page=2&page_size=4").json()
    assert body["count"] == 6 and len(body["results"]) == 2
    assert client.get(f"{API}/orders?status=pending").json()["count"] == 4
    assert client.get(f"{API}/orders?case_id={cases[1].pk}").json()["count"] == 2
    assert client.get(f"{API}/orders?to_approve=true").json()["count"] == 4
    assert client.get(f"{API}/orders?page=9").json()["results"] == []


# ---------------------------------------------------------------- settings


def chain_body(**overrides) -> dict:
    body = {"bank_name": "工商银行海淀支行", "account_name": "北京市海淀区人民法院", "account_number": "0200004509000012345",
            "sub_account_prefix": "9558", "approval_chain": [{"role": "judge", "min_fen": 0},
                                                             {"role": "bureau_head", "min_fen": 0}]}
    body.update(overrides)
    return body


def test_settings_read_by_staff_and_changed_by_the_bureau_head(client, judge, bureau_head, courts):
    client.force_login(judge)
    current = client.get(f"{API}/settings").json()
    assert current["is_default_chain"] is True and current["editable"] is False
    assert [s["role"] for s in current["approval_chain"]] == ["judge", "bureau_head", "president"]
    assert put(client, f"{API}/settings", chain_body()).status_code == 403
    client.force_login(bureau_head)
    changed = put(client, f"{API}/settings", chain_body())
    assert changed.status_code == 200 and changed.json()["updated_by"] == "陈局长" and changed.json()["is_default_chain"] is False
    assert MoneySettings.objects.get().approval_chain == chain_body()["approval_chain"]
    assert LogEntry.objects.get().change_message.startswith("新建案款设置：")


@pytest.mark.parametrize("bad, field", [
    ({"approval_chain": []}, "approval_chain"),
    ({"approval_chain": [{"role": "finance", "min_fen": 0}]}, "approval_chain[0].role"),
    ({"approval_chain": [{"role": "judge", "min_fen": -1}]}, "approval_chain[0].min_fen"),
    ({"approval_chain": [{"role": "judge", "min_fen": 100}]}, "approval_chain"),
    ({"sub_account_prefix": "95-58"}, "sub_account_prefix"),
    ({"account_number": "账号"}, "account_number"),
])
def test_settings_are_validated(client, bureau_head, courts, bad, field):
    client.force_login(bureau_head)
    response = put(client, f"{API}/settings", chain_body(**bad))
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == field
    assert not MoneySettings.objects.exists()


def test_another_courts_settings_are_not_found(client, bureau_head, courts):
    client.force_login(bureau_head)
    assert client.get(f"{API}/settings?court_id={courts['other'].pk}").status_code == 404
    assert put(client, f"{API}/settings?court_id={courts['other'].pk}", chain_body()).status_code == 404
