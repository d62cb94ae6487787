"""参与分配 through the services: a plan drafted from the creditors on the same flat, served, objected
to, amended as a new version, taking effect after its period and carried out as payout orders — each
step in the case's execution log, each refusal naming its rule."""

from __future__ import annotations

import pytest

from zhixing.cases.choices import LogAction
from zhixing.cases.exceptions import Conflict, DomainError, NotAllowed, NotFound, ValidationFailed
from zhixing.cases.log import verify_log
from zhixing.cases.models import LogEntry
from zhixing.distribution import services
from zhixing.distribution.choices import Method, ObjectionStatus, PlanStatus, Tier
from zhixing.distribution.models import DistributionLine, DistributionPlan
from zhixing.money import services as money
from zhixing.money.choices import OrderKind, OrderStatus
from zhixing.money.models import Account, PayoutOrder

from .conftest import D, at, receive


def shares(plan: DistributionPlan) -> dict[str, int]:
    return {line.creditor_case_number or line.creditor_name: line.share_fen for line in plan.lines.order_by("position")}


FRIDAY = D(2026, 11, 20)


def served_plan(judge, flat, clock, served_on=FRIDAY) -> DistributionPlan:
    """Drafted and served on Friday 20 November; the clock is back at Wednesday 25 November after."""
    clock.move_to(at(served_on))
    plan = services.plan_create(actor=judge, case=flat.case)
    plan = services.plan_serve(actor=judge, plan=plan, served_on=served_on)
    clock.move_to(at(D(2026, 11, 25)))
    return plan


def with_payees(judge, plan: DistributionPlan) -> None:
    for line in plan.lines.all():
        services.line_set_payee(actor=judge, line=line, payee_name=line.creditor_name, payee_account="6222000011112222",
                                payee_bank="工商银行")


# ---------------------------------------------------------------- drafting


def test_a_draft_starts_from_the_money_on_the_account_and_the_cases_holding_the_same_flat(judge, proceeds):
    plan = services.plan_create(actor=judge, case=proceeds.case, reason="房产拍卖成交")
    assert (plan.version, plan.status, plan.proceeds_fen, plan.method) == (1, PlanStatus.DRAFT, 10_000_000, Method.PRO_RATA)
    lines = list(plan.lines.order_by("position"))
    # this case's 120,000 still owed (the proceeds on its account have not reached the applicant), then the
    # others by seizure date — 80,000 here, 50,000 at the other court
    assert [(line.creditor_case_id, line.claim_fen, line.seized_on) for line in lines] == [
        (proceeds.case.pk, 12_000_000, D(2026, 7, 1)), (proceeds.same_court.pk, 8_000_000, D(2026, 7, 2)),
        (proceeds.other_court.pk, 5_000_000, D(2026, 7, 3))]
    # 100,000 shared 120 : 80 : 50 → 48,000, 32,000, 20,000
    assert [line.share_fen for line in lines] == [4_800_000, 3_200_000, 2_000_000]
    assert plan.distributed_fen == 10_000_000
    entry = LogEntry.objects.filter(case=proceeds.case, action=LogAction.DISTRIBUTION).get()
    assert "第1版分配方案" in entry.summary and entry.actor == judge and entry.reason == "房产拍卖成交"
    assert entry.after["lines"][0]["share_fen"] == 4_800_000


def test_without_money_on_the_account_the_proceeds_must_be_typed_in(judge, flat):
    with pytest.raises(ValidationFailed) as refused:
        services.plan_create(actor=judge, case=flat.case)
    assert refused.value.errors[0].field == "proceeds_fen" and "可用余额为零" in refused.value.errors[0].message
    plan = services.plan_create(actor=judge, case=flat.case, proceeds_fen=5_000_000)
    assert plan.distributed_fen == 5_000_000


def test_a_company_respondent_pays_ordinary_claims_by_seizure_and_the_date_is_needed_to_serve(judge, make_case):
    case = make_case(respondent_kind="legal_person", amount_fen=3_000_000)
    plan = services.plan_create(actor=judge, case=case, proceeds_fen=4_000_000, prefill=False)
    assert plan.method == Method.BY_SEIZURE and "第五百一十四条" in plan.method_citation
    services.line_save(actor=judge, plan=plan, tier=Tier.ORDINARY, creditor_name="后封", claim_fen=3_000_000,
                       seized_on=D(2026, 7, 2))
    services.line_save(actor=judge, plan=plan, tier=Tier.ORDINARY, creditor_name="先封", claim_fen=3_000_000,
                       seized_on=D(2026, 7, 1))
    assert shares(plan) == {"后封": 1_000_000, "先封": 3_000_000}
    services.line_save(actor=judge, plan=plan, tier=Tier.ORDINARY, creditor_name="未填日期", claim_fen=100)
    with pytest.raises(ValidationFailed, match="查封（冻结、扣押）日期") as refused:
        services.plan_serve(actor=judge, plan=plan, served_on=D(2026, 11, 25))
    assert refused.value.errors[0].field == "lines[3].seized_on"


def test_costs_and_priority_claims_come_before_the_ordinary_creditors(judge, proceeds):
    plan = services.plan_create(actor=judge, case=proceeds.case)
    services.line_save(actor=judge, plan=plan, tier=Tier.COST, creditor_name="评估费（某评估公司）", claim_fen=300_000)
    mortgage = services.line_save(actor=judge, plan=plan, tier=Tier.PRIORITY, creditor_name="某银行", claim_fen=4_000_000,
                                  priority_kind="secured", rank=1, basis="京(2020)海淀区不动产证明第0005678号")
    plan.refresh_from_db()
    # 100,000 − 3,000 costs − 40,000 mortgage = 57,000 shared 120 : 80 : 50
    assert shares(plan) == {proceeds.case.case_number: 2_736_000, proceeds.same_court.case_number: 1_824_000,
                            proceeds.other_court.case_number: 1_140_000, "评估费（某评估公司）": 300_000, "某银行": 4_000_000}
    assert plan.distributed_fen == 10_000_000 and mortgage.share_fen == 4_000_000
    services.line_remove(actor=judge, line=mortgage, reason="抵押权人放弃优先受偿")
    plan.refresh_from_db()
    assert plan.lines.count() == 4 and shares(plan)[proceeds.case.case_number] == 4_656_000  # 97,000 × 120/250


def test_a_line_is_refused_with_every_field_that_is_wrong(judge, proceeds):
    plan = services.plan_create(actor=judge, case=proceeds.case)
    with pytest.raises(ValidationFailed) as refused:
        services.line_save(actor=judge, plan=plan, tier=Tier.PRIORITY, creditor_name=" ", claim_fen=0)
    assert {e.field for e in refused.value.errors} == {"creditor_name", "claim_fen", "priority_kind", "rank", "basis"}
    with pytest.raises(ValidationFailed, match="只有执行费用"):
        services.line_save(actor=judge, plan=plan, tier=Tier.ORDINARY, creditor_name="甲", claim_fen=100, retained=True)
    with pytest.raises(ValidationFailed, match="不能重复列入"):
        services.line_save(actor=judge, plan=plan, tier=Tier.ORDINARY, creditor_name="乙", claim_fen=100,
                           creditor_case_number=proceeds.same_court.case_number)


def test_one_open_plan_per_case(judge, proceeds):
    plan = services.plan_create(actor=judge, case=proceeds.case)
    with pytest.raises(Conflict, match="第1版分配方案（草稿）"):
        services.plan_create(actor=judge, case=proceeds.case)
    with pytest.raises(ValidationFailed, match="晚于今天"):
        services.plan_serve(actor=judge, plan=plan, served_on=D(2026, 11, 26))
    services.plan_withdraw(actor=judge, plan=plan, reason="案外人异议成立，房产不予处置")
    assert services.plan_create(actor=judge, case=proceeds.case).version == 2


# ---------------------------------------------------------------- served: the objection period


def test_the_objection_period_is_15_days_and_a_saturday_end_rolls_to_monday(judge, proceeds, clock):
    plan = served_plan(judge, proceeds, clock, served_on=D(2026, 11, 20))  # a Friday
    # 15 days after Friday 20 November is Saturday 5 December: the period ends on Monday 7 December (CPL Art. 85)
    assert (plan.status, plan.objection_due) == (PlanStatus.SERVED, D(2026, 12, 7))
    with pytest.raises(Conflict, match="不能再修改"):
        services.line_save(actor=judge, plan=plan, tier=Tier.COST, creditor_name="拍卖辅助费", claim_fen=100)
    with pytest.raises(Conflict, match="不能再修改"):
        services.plan_update(actor=judge, plan=plan, proceeds_fen=1, method=Method.PRO_RATA)


def test_an_objection_on_the_last_day_is_in_time_and_one_a_day_later_is_refused(judge, proceeds, clock):
    plan = served_plan(judge, proceeds, clock)
    clock.move_to(at(D(2026, 12, 8)))
    late = dict(actor=judge, plan=plan, objector_name="被执行人", text="债权额计算有误")
    with pytest.raises(ValidationFailed, match="2026-12-07届满") as refused:
        services.objection_lodge(**late, lodged_on=D(2026, 12, 8))
    assert refused.value.errors[0].field == "lodged_on" and "15日" in refused.value.errors[0].message
    posted = services.objection_lodge(**late, lodged_on=D(2026, 12, 7))  # posted on the last day, arrived today
    plan.refresh_from_db()
    assert posted.status == ObjectionStatus.PENDING and plan.status == PlanStatus.OBJECTED


def test_the_plan_takes_effect_only_after_the_period(judge, proceeds, clock):
    plan = served_plan(judge, proceeds, clock)
    clock.move_to(at(D(2026, 12, 7)))
    with pytest.raises(DomainError, match="异议期至2026-12-07届满"):
        services.plan_finalise(actor=judge, plan=plan)
    clock.move_to(at(D(2026, 12, 8)))
    plan = services.plan_finalise(actor=judge, plan=plan)
    assert plan.status == PlanStatus.FINAL and plan.finalised_on == D(2026, 12, 8)
    assert "无人异议" in LogEntry.objects.filter(case=proceeds.case).order_by("-seq").first().summary


def test_an_unopposed_objection_is_upheld_and_the_plan_amended_as_a_new_version(judge, proceeds, clock):
    plan = served_plan(judge, proceeds, clock)
    objection = services.objection_lodge(actor=judge, plan=plan, objector_name=proceeds.same_court.applicant_names,
                                         lodged_on=D(2026, 11, 25), text="本人债权应含迟延履行利息5,000元")
    with pytest.raises(DomainError, match="须先将异议通知"):
        services.objection_decide(actor=judge, objection=objection, outcome="upheld", note="异议成立")
    services.objection_notify(actor=judge, objection=objection, notified_on=D(2026, 11, 25))
    objection.refresh_from_db()
    assert objection.opposition_due == D(2026, 12, 10)  # Wednesday + 15 = Thursday 10 December
    clock.move_to(at(D(2026, 12, 10)))
    with pytest.raises(DomainError, match="反对意见期限至2026-12-10届满"):
        services.objection_decide(actor=judge, objection=objection, outcome="upheld", note="异议成立")
    clock.move_to(at(D(2026, 12, 11)))
    services.objection_decide(actor=judge, objection=objection, outcome="upheld", note="无人反对，增加迟延履行利息")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.OBJECTED
    with pytest.raises(DomainError, match="异议成立，须修改方案"):
        services.plan_finalise(actor=judge, plan=plan)

    new = services.plan_amend(actor=judge, plan=plan, reason="异议成立：增加迟延履行利息")
    plan.refresh_from_db()
    assert (plan.status, new.version, new.status, new.supersedes_id) == (PlanStatus.SUPERSEDED, 2, PlanStatus.DRAFT, plan.pk)
    assert shares(new) == shares(plan)  # the same lines, to be corrected on the draft
    line = new.lines.get(creditor_case=proceeds.same_court)
    services.line_save(actor=judge, plan=new, line=line, claim_fen=8_500_000)  # 100,000 × 85/255 = 33,333.33
    assert new.lines.get(pk=line.pk).share_fen == 3_333_333 and plan.lines.get(creditor_case=proceeds.same_court).share_fen == 3_200_000
    assert services.plan_amend(actor=judge, plan=plan, reason="异议成立：增加迟延履行利息").pk == new.pk  # a retry
    summaries = list(LogEntry.objects.filter(case=proceeds.case, action=LogAction.DISTRIBUTION).values_list("summary", flat=True))
    assert any("修改为第2版" in s for s in summaries) and any("异议成立" in s for s in summaries)


def test_an_opposed_objection_stands_if_the_objector_does_not_sue_in_time(judge, proceeds, clock):
    plan = served_plan(judge, proceeds, clock)
    objection = services.objection_lodge(actor=judge, plan=plan, objector_name="乙", lodged_on=D(2026, 11, 25), text="异议")
    services.objection_notify(actor=judge, objection=objection, notified_on=D(2026, 11, 25))
    services.objection_oppose(actor=judge, objection=objection, opposer_name="甲", opposed_on=D(2026, 11, 25))
    with pytest.raises(DomainError, match="已提出反对意见"):
        services.objection_decide(actor=judge, objection=objection, outcome="upheld", note="x")
    clock.move_to(at(D(2026, 12, 10)))
    with pytest.raises(DomainError, match="起诉期限至2026-12-10届满"):
        services.objection_decide(actor=judge, objection=objection, outcome="stands")
    clock.move_to(at(D(2026, 12, 11)))
    services.objection_decide(actor=judge, objection=objection, outcome="stands", note="异议人逾期未起诉")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SERVED
    assert services.plan_finalise(actor=judge, plan=plan).status == PlanStatus.FINAL


# ---------------------------------------------------------------- carrying it out


def test_a_final_plan_is_carried_out_as_payout_orders_once(judge, assistant, bureau_head, proceeds, clock):
    plan = served_plan(judge, proceeds, clock)
    clock.move_to(at(D(2026, 12, 8)))
    with pytest.raises(ValidationFailed) as refused:
        services.plan_execute(actor=assistant, plan=plan)
    # this case's applicant and the other court's creditor are paid to an account; the same court's case by transfer
    assert [e.field for e in refused.value.errors] == ["lines[1].payee_account", "lines[3].payee_account"]
    assert not PayoutOrder.objects.exists()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SERVED  # nothing happened, not even taking effect
    with_payees(judge, plan)
    plan = services.plan_execute(actor=assistant, plan=plan)
    assert plan.status == PlanStatus.EXECUTED and plan.executed_by == assistant
    lines = {line.creditor_case_id: line for line in plan.lines.select_related("order")}
    transfer = lines[proceeds.same_court.pk].order
    assert (transfer.kind, transfer.target_case_id, transfer.amount_fen) == (OrderKind.TRANSFER, proceeds.same_court.pk, 3_200_000)
    assert transfer.key == f"distribution:{plan.pk}:{lines[proceeds.same_court.pk].pk}"
    payout = lines[proceeds.other_court.pk].order
    assert (payout.kind, payout.payee_account, payout.status) == (OrderKind.PAYOUT, "6222000011112222", OrderStatus.PENDING)
    assert money.available_fen(proceeds.case) == 0
    # a retry asks for nothing more
    assert services.plan_execute(actor=assistant, plan=plan).pk == plan.pk
    assert PayoutOrder.objects.count() == 3
    # the court's chain approves the transfer: the money moves to the other case at once
    money.order_decide(actor=judge, order=transfer, approve=True)
    money.order_decide(actor=bureau_head, order=transfer, approve=True)
    assert Account.objects.get(case=proceeds.same_court).balance_fen == 3_200_000
    assert verify_log() == []  # every step appended to the hash-chained execution log, nothing rewritten


def test_execution_is_refused_when_the_account_holds_less_than_the_plan(judge, assistant, proceeds, clock):
    clock.move_to(at(D(2026, 11, 20)))
    plan = services.plan_create(actor=judge, case=proceeds.case, proceeds_fen=12_000_000)
    services.plan_serve(actor=judge, plan=plan, served_on=D(2026, 11, 20))
    with_payees(judge, plan)
    clock.move_to(at(D(2026, 12, 8)))
    with pytest.raises(DomainError, match="案款可用余额 100,000.00 元，不足分配方案合计 120,000.00 元"):
        services.plan_execute(actor=assistant, plan=plan)
    assert not PayoutOrder.objects.exists()


def test_a_refused_order_is_asked_for_again_under_a_new_key(judge, assistant, proceeds, clock):
    plan = served_plan(judge, proceeds, clock)
    with_payees(judge, plan)
    clock.move_to(at(D(2026, 12, 8)))
    services.plan_execute(actor=assistant, plan=plan)
    line = plan.lines.get(creditor_case=proceeds.other_court)
    money.order_decide(actor=judge, order=line.order, approve=False, note="收款账号有误")
    services.line_set_payee(actor=judge, line=line, payee_name="申请人", payee_account="6222000099998888")
    plan.refresh_from_db()
    services.plan_execute(actor=assistant, plan=plan)
    line.refresh_from_db()
    assert line.order.key == f"distribution:{plan.pk}:{line.pk}:2" and line.order.payee_account == "6222000099998888"
    assert PayoutOrder.objects.filter(status=OrderStatus.PENDING).count() == 3


def test_fees_kept_by_the_court_and_shares_in_dispute_are_not_paid_out(judge, assistant, finance, flat, clock):
    receive(finance, flat.case, 10_000_000, "AUCTION-1")
    clock.move_to(at(D(2026, 11, 20)))
    plan = services.plan_create(actor=judge, case=flat.case)
    services.line_save(actor=judge, plan=plan, tier=Tier.COST, creditor_name="执行申请费", claim_fen=100_000, retained=True)
    services.plan_serve(actor=judge, plan=plan, served_on=D(2026, 11, 20))
    clock.move_to(at(D(2026, 11, 25)))
    with_payees(judge, plan)
    objection = services.objection_lodge(actor=judge, plan=plan, objector_name="乙", lodged_on=D(2026, 11, 25), text="异议")
    services.objection_notify(actor=judge, objection=objection, notified_on=D(2026, 11, 25))
    services.objection_oppose(actor=judge, objection=objection, opposer_name="甲", opposed_on=D(2026, 11, 25))
    disputed = plan.lines.get(creditor_case=flat.other_court)
    services.objection_decide(actor=judge, objection=objection, outcome="suit", note="乙已起诉",
                              withheld_line_ids=[disputed.pk])
    clock.move_to(at(D(2026, 12, 8)))
    services.plan_execute(actor=assistant, plan=plan)
    ordered = set(DistributionLine.objects.filter(plan=plan, order__isnull=False).values_list("creditor_name", flat=True))
    assert "执行申请费" not in ordered and disputed.creditor_name not in ordered and len(ordered) == 2
    services.objection_decide(actor=judge, objection=objection, outcome="suit_ended", note="（2027）京0108民初1号判决驳回")
    plan.refresh_from_db()
    services.plan_execute(actor=assistant, plan=plan)
    disputed.refresh_from_db()
    assert disputed.order.amount_fen == disputed.share_fen


# ---------------------------------------------------------------- who may


def test_other_courts_never_see_it_supervisors_only_read_and_only_the_case_team_orders(
        judge, proceeds, other_judge, supervisor, clerk, bureau_head, clock):
    with pytest.raises(NotFound):
        services.plan_create(actor=other_judge, case=proceeds.case)
    with pytest.raises(NotAllowed, match="只能查看"):
        services.plan_create(actor=supervisor, case=proceeds.case)
    with pytest.raises(NotAllowed, match="办理参与分配"):
        services.plan_create(actor=clerk, case=proceeds.case)
    clock.move_to(at(D(2026, 11, 20)))
    plan = services.plan_create(actor=bureau_head, case=proceeds.case)  # the bureau head drafts and serves
    services.plan_serve(actor=bureau_head, plan=plan, served_on=D(2026, 11, 20))
    clock.move_to(at(D(2026, 12, 8)))
    with pytest.raises(NotAllowed, match="申请发放分配款"):
        services.plan_execute(actor=bureau_head, plan=plan)  # but approves the orders, so does not ask for them
    assert not DistributionPlan.objects.exclude(created_by=bureau_head).exists()
