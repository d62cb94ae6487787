"""暂缓发放, the fee when money moves on, 不明款 returns and 执行费上缴 — through the services, the
pages and the API, with the supervision deadlines they drive."""

import datetime as dt

import pytest
import time_machine

from zhixing.cases.exceptions import Conflict, NotAllowed, ValidationFailed
from zhixing.cases.models import LogEntry, NodeRecord
from zhixing.money import ledger, services
from zhixing.money.choices import AccountKind, DeferralStatus, JournalKind
from zhixing.money.models import Account, LineStatus, StatementLine
from zhixing.money.rules import application_fee_fen
from zhixing.money.services_deferrals import deferral_decide, deferral_end, deferral_request
from zhixing.money.statements import statement_import
from zhixing.supervision import engine
from zhixing.supervision.models import Deadline, Level

D = dt.date
BEIJING = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def clock():
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, tzinfo=BEIJING), tick=False) as traveller:
        def to(day: dt.date):
            traveller.move_to(dt.datetime(day.year, day.month, day.day, 10, tzinfo=BEIJING))
        yield to


@pytest.fixture
def case(make_case, clock):
    return make_case(filed_on=D(2026, 9, 1), amount_fen=10_000_000)


def receive(finance, case, amount, on, **kw):
    return services.receipt_record(actor=finance, court_id=case.court_id, case=case, amount_fen=amount, received_on=on,
                                   payer_name="被执行人", **kw)


def deadline(case, rule):
    return Deadline.objects.get(case=case, rule_code=rule)


def pay_all(case, assistant, judge, bureau_head, finance, reference):
    balance = Account.objects.get(case_id=case.pk).balance_fen
    order = services.order_create(actor=assistant, case=case, amount_fen=balance, reason="发放", payee_name="申请人",
                                  payee_account="6222000011112222")
    services.order_decide(actor=judge, order=order, approve=True)
    services.order_decide(actor=bureau_head, order=order, approve=True)
    return services.order_pay(actor=finance, order=order, bank_reference=reference)


def test_a_deferral_needs_a_legal_ground_and_a_leaders_approval(assistant, judge, bureau_head, finance, case):
    with pytest.raises(Conflict, match="没有待发放"):
        deferral_request(actor=assistant, case=case, reason_kind="distribution", reason="另案申请参与分配")
    receive(finance, case, 300_000, D(2026, 12, 1))
    with pytest.raises(ValidationFailed, match="法定情形"):
        deferral_request(actor=assistant, case=case, reason_kind="convenience", reason="稍后再发")
    with pytest.raises(NotAllowed):  # the finance desk books and pays; it does not decide to hold money back
        deferral_request(actor=finance, case=case, reason_kind="distribution", reason="另案申请参与分配")
    deferral = deferral_request(actor=assistant, case=case, reason_kind="distribution", reason="另案申请参与分配")
    assert deferral_request(actor=assistant, case=case, reason_kind="distribution",
                            reason="另案申请参与分配").pk == deferral.pk  # a retry
    with pytest.raises(Conflict, match="已有暂缓发放"):
        deferral_request(actor=judge, case=case, reason_kind="not_collecting", reason="申请人未领取")
    with pytest.raises(NotAllowed, match="执行局长或院领导"):
        deferral_decide(actor=judge, deferral=deferral, approve=True)
    with pytest.raises(ValidationFailed, match="理由"):
        deferral_decide(actor=bureau_head, deferral=deferral, approve=False)
    deferral = deferral_decide(actor=bureau_head, deferral=deferral, approve=False, note="分配申请尚未提出，不宜暂缓")
    assert deferral.status == DeferralStatus.REJECTED
    assert LogEntry.objects.filter(case=case, summary__contains="不予批准").exists()


def test_while_deferred_the_payout_clock_stops_and_after_the_reason_ends_ten_days_run(
        assistant, judge, bureau_head, finance, case, clock):
    receive(finance, case, 300_000, D(2026, 12, 1))
    assert deadline(case, "payout").due_on == D(2026, 12, 31)
    clock(D(2026, 12, 3))
    deferral = deferral_request(actor=assistant, case=case, reason_kind="frozen_elsewhere",
                                reason="（2026）京0105执9号冻结本案案款")
    clock(D(2026, 12, 4))
    deferral = deferral_decide(actor=bureau_head, deferral=deferral, approve=True, note="同意")
    assert deferral.status == DeferralStatus.ACTIVE and deferral.started_on == D(2026, 12, 4)
    assert deadline(case, "payout").met_on == D(2026, 12, 4)  # answered by the approved deferral

    clock(D(2026, 12, 10))  # money arriving meanwhile waits with the rest
    receive(finance, case, 50_000, D(2026, 12, 10))
    assert NodeRecord.objects.filter(case=case, node_code="payout_deferred", occurred_on=D(2026, 12, 10)).exists()
    assert deadline(case, "payout").met_on == D(2026, 12, 10)

    clock(D(2026, 12, 22))
    with pytest.raises(ValidationFailed, match="早于暂缓起始日"):
        deferral_end(actor=judge, deferral=deferral, ended_on=D(2026, 12, 1), note="冻结已解除")
    deferral = deferral_end(actor=judge, deferral=deferral, ended_on=D(2026, 12, 21), note="冻结已解除")
    assert deferral.resume_due == D(2026, 12, 31)
    after = deadline(case, "payout_after_deferral")
    assert (after.start_on, after.due_on, after.met_on) == (D(2026, 12, 21), D(2026, 12, 31), None)
    assert "10日内发放" in after.rule_version.citation

    clock(D(2027, 1, 5))
    engine.supervise()
    assert deadline(case, "payout_after_deferral").level == Level.RED
    pay_all(case, assistant, judge, bureau_head, finance, "PAY-1")
    assert deadline(case, "payout_after_deferral").met_on == D(2027, 1, 5)
    assert ledger.verify() == []


def test_a_deferral_ends_with_the_money_and_a_new_receipt_after_it_starts_its_own_clock(
        assistant, judge, bureau_head, finance, case, clock):
    receive(finance, case, 300_000, D(2026, 12, 1))
    deferral = deferral_request(actor=judge, case=case, reason_kind="distribution", reason="参与分配")
    deferral = deferral_decide(actor=bureau_head, deferral=deferral, approve=True)
    clock(D(2026, 12, 8))
    pay_all(case, assistant, judge, bureau_head, finance, "PAY-2")  # paid out under the distribution plan
    deferral.refresh_from_db()
    assert deferral.status == DeferralStatus.ENDED and deferral.ended_on == D(2026, 12, 8)
    clock(D(2026, 12, 9))
    receive(finance, case, 20_000, D(2026, 12, 9))
    payout = deadline(case, "payout")
    assert (payout.start_on, payout.met_on) == (D(2026, 12, 9), None)


def test_the_fee_overcharged_on_money_moved_to_its_own_case_goes_back(assistant, judge, bureau_head, finance,
                                                                       make_case, case):
    other = make_case(filed_on=D(2026, 9, 2), amount_fen=10_000_000)
    receive(finance, case, 2_000_000, D(2026, 12, 1))
    services.fee_settle(actor=finance, case=case)
    assert services.fee_status(case)["settled_fen"] == application_fee_fen(2_000_000)
    order = services.order_create(actor=assistant, case=case, amount_fen=1_500_000, reason="系他案款项",
                                  kind="transfer", target_case=other)
    services.order_decide(actor=judge, order=order, approve=True)
    services.order_decide(actor=bureau_head, order=order, approve=True)
    case.refresh_from_db()
    status = services.fee_status(case)
    assert status["excess_fen"] == application_fee_fen(2_000_000) - application_fee_fen(500_000) > 0
    journal = services.fee_settle(actor=finance, case=case)  # gives back the excess first
    assert journal.kind == JournalKind.FEE and "退回多收" in journal.memo
    status = services.fee_status(case)
    assert status["settled_fen"] == status["due_fen"] == application_fee_fen(500_000) and status["excess_fen"] == 0
    services.fee_settle(actor=finance, case=other)  # the fee on that money is the other case's
    assert services.fee_status(other)["settled_fen"] == application_fee_fen(1_500_000)
    fee_income = Account.objects.get(court_id=case.court_id, kind=AccountKind.FEE).balance_fen
    assert fee_income == application_fee_fen(500_000) + application_fee_fen(1_500_000)
    assert ledger.verify() == []


def statement(finance, case, rows: list[str]):
    header = "交易日期,流水号,收入金额,支出金额,对方户名,对方账号,摘要\n"
    return statement_import(actor=finance, court_id=case.court_id, file_name="12月.csv",
                            content=(header + "\n".join(rows) + "\n").encode())


def test_returns_and_fee_remittances_keep_their_bank_reference_and_match_the_statement(finance, case):
    unknown = services.receipt_record(actor=finance, court_id=case.court_id, amount_fen=80_000,
                                      received_on=D(2026, 12, 1), payer_name="某公司", bank_reference="IN-9")
    receive(finance, case, 2_000_000, D(2026, 12, 1), bank_reference="IN-1")
    services.fee_settle(actor=finance, case=case)
    fee = application_fee_fen(2_000_000)
    with pytest.raises(ledger.Overdrawn, match="执行费"):  # no more than was settled can be remitted
        services.fee_remit(actor=finance, court_id=case.court_id, amount_fen=fee + 1, remitted_on=D(2026, 12, 1),
                           bank_reference="OUT-FEE")
    remittance = services.fee_remit(actor=finance, court_id=case.court_id, amount_fen=fee, remitted_on=D(2026, 12, 1),
                                    bank_reference="OUT-FEE", note="12月执行费上缴")
    assert services.fee_remit(actor=finance, court_id=case.court_id, amount_fen=fee, remitted_on=D(2026, 12, 1),
                              bank_reference="OUT-FEE").pk == remittance.pk  # a retry
    assert remittance.journal.kind == JournalKind.REMIT
    with pytest.raises(Conflict, match="OUT-FEE"):  # one bank line, one movement
        services.receipt_return(actor=finance, receipt=unknown, reason="非本院款项", bank_reference="OUT-FEE")
    services.receipt_return(actor=finance, receipt=unknown, reason="非本院款项", bank_reference="OUT-RET")
    unknown.refresh_from_db()
    assert unknown.return_reference == "OUT-RET" and unknown.return_journal.kind == JournalKind.RETURN

    statement(finance, case, [
        "2026-12-01,IN-9,800.00,,某公司,1,货款", "2026-12-01,IN-1,20000.00,,被执行人,2,履行款",
        f"2026-12-01,OUT-FEE,,{fee // 100}.{fee % 100:02d},国库,3,执行费上缴", "2026-12-01,OUT-RET,,800.00,某公司,1,退回",
    ])
    lines = {line.bank_reference: line for line in StatementLine.objects.all()}
    assert lines["OUT-FEE"].status == LineStatus.MATCHED_REMIT and lines["OUT-FEE"].journal_id == remittance.journal_id
    assert lines["OUT-RET"].status == LineStatus.MATCHED_RETURN and lines["OUT-RET"].journal_id == unknown.return_journal_id
    assert Account.objects.get(court_id=case.court_id, kind=AccountKind.FEE).balance_fen == 0
    assert ledger.verify() == []


HX = {"HTTP_HX_REQUEST": "true"}


def test_the_pages_carry_a_deferral_from_request_to_approval_to_its_end(client, assistant, bureau_head, finance, case):
    receive(finance, case, 300_000, D(2026, 12, 1))
    client.force_login(assistant)
    page = client.get(f"/money/cases/{case.pk}/").content.decode()
    assert 'id="deferral-form"' in page and "需要进行案款分配" in page
    response = client.post(f"/money/cases/{case.pk}/deferrals/", {"reason_kind": "distribution", "reason": ""}, **HX)
    assert response.status_code == 422 and "必填" in response.content.decode()
    response = client.post(f"/money/cases/{case.pk}/deferrals/",
                           {"reason_kind": "distribution", "reason": "另案申请参与分配"}, **HX)
    assert response.status_code == 200 and response["HX-Redirect"] == f"/money/cases/{case.pk}/"
    deferral = case.payout_deferrals.get()

    client.force_login(bureau_head)
    desk = client.get("/money/").content.decode()
    assert 'id="deferrals-to-approve"' in desk and case.case_number in desk
    response = client.post(f"/money/deferrals/{deferral.pk}/decide/",
                           {f"defer-{deferral.pk}-decision": "approve", f"defer-{deferral.pk}-note": "同意"}, **HX)
    assert response.status_code == 200
    page = client.get(f"/money/cases/{case.pk}/").content.decode()
    assert "暂缓发放中" in page and "发放期限不计算" in page

    client.force_login(assistant)
    response = client.post(f"/money/deferrals/{deferral.pk}/end/",
                           {f"end-{deferral.pk}-ended_on": "2026-12-01", f"end-{deferral.pk}-note": "分配方案已生效"}, **HX)
    assert response.status_code == 200
    page = client.get(f"/money/cases/{case.pk}/").content.decode()
    assert "应于" in page and "2026-12-11" in page


def test_the_finance_desk_registers_a_fee_remittance_and_the_api_too(client, finance, case):
    receive(finance, case, 2_000_000, D(2026, 12, 1))
    services.fee_settle(actor=finance, case=case)
    fee = application_fee_fen(2_000_000)
    client.force_login(finance)
    desk = client.get("/money/").content.decode()
    assert 'id="remit-form"' in desk
    response = client.post("/money/fee-remittances/", {"amount": "100.00", "remitted_on": "2026-12-01",
                                                       "bank_reference": "OUT-1", "note": ""}, **HX)
    assert response.status_code == 200
    response = client.post("/api/v1/money/fee-remittances", {"amount_fen": fee - 10_000, "remitted_on": "2026-12-01",
                                                             "bank_reference": "OUT-2"}, content_type="application/json")
    assert response.status_code == 201 and response.json()["amount_fen"] == fee - 10_000
    response = client.post("/api/v1/money/fee-remittances", {"amount_fen": 1, "remitted_on": "2026-12-01",
                                                             "bank_reference": "OUT-3"}, content_type="application/json")
    assert response.status_code == 409 and "余额不足" in response.json()["message"]
    assert Account.objects.get(court_id=case.court_id, kind=AccountKind.FEE).balance_fen == 0


def test_the_api_requests_decides_and_ends_a_deferral(client, assistant, judge, bureau_head, finance, case):
    receive(finance, case, 300_000, D(2026, 12, 1))
    client.force_login(assistant)
    response = client.post(f"/api/v1/money/cases/{case.pk}/deferrals",
                           {"reason_kind": "not_collecting", "reason": "申请执行人经通知未领取"}, content_type="application/json")
    assert response.status_code == 201
    deferral = response.json()
    assert deferral["status"] == "pending" and deferral["reason_label"] == "申请执行人经通知未领取"
    client.force_login(judge)
    response = client.post(f"/api/v1/money/deferrals/{deferral['id']}/decide", {"approve": True},
                           content_type="application/json")
    assert response.status_code == 403 and "执行局长或院领导" in response.json()["message"]
    client.force_login(bureau_head)
    response = client.post(f"/api/v1/money/deferrals/{deferral['id']}/decide", {"approve": True},
                           content_type="application/json")
    assert response.json()["status"] == "active"
    assert client.get(f"/api/v1/money/accounts/cases/{case.pk}").json()["payout"]["deferred"] is True
    client.force_login(judge)
    response = client.post(f"/api/v1/money/deferrals/{deferral['id']}/end", {"note": "申请人已到庭领款"},
                           content_type="application/json")
    assert response.json()["resume_due"] == "2026-12-11"
