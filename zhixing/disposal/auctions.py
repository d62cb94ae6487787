"""Auctions (网络司法拍卖): a disposal plan per asset, its rounds — first auction, second auction at most
20% lower within 30 days of the failure, then sale (变卖) or taking in kind (以物抵债) — each step checked
against rules.AUCTION with a refusal that names the rule; results (price, buyer, premium rate) and the
proceeds' receipt, which the finance desk books (money.services.receipt_record, channel "auction").

Flow nodes: auction_started (first round announced), second_auction, sale_started, auction_confirmed
(sold at auction), transfer_in_kind, handover.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhixing.accounts.models import User
from zhixing.cases.choices import PartyRole
from zhixing.cases.exceptions import Conflict, DomainError, FieldError, ValidationFailed
from zhixing.cases.models import EnforcementCase, Party
from zhixing.cases.services import _supervision_after_change, lock_case, record_service_node
from zhixing.documents.formatting import yuan_text
from zhixing.workdays import calendar

from .choices import OPEN_ROUND_STATUSES, PlanStatus, RoundKind, RoundStatus
from .models import AuctionRound, DisposalPlan, percent_text
from .reference import (
    _ensure_disposable,
    _ensure_open_case,
    _ensure_staff,
    _log,
    standing_price,
    standing_refusal,
)
from .rules import AUCTION, AUCTION_PLATFORMS, REFERENCE, ZHEJIANG_REDUCTION_ADVICE, notice_days

# 变卖价 not below the second auction's starting price [recall — rules.md §9 names the sale after the
# second failure (法释〔2016〕18号第26条) but not its price; keep easy to change].
SALE_PRICE_CITATION = AUCTION.sale_citation + "；变卖价不低于第二次拍卖的起拍价（记忆，待核对条文）"


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def premium_bp(price_fen: int, start_fen: int) -> int:
    """溢价率 over the starting price in basis points, half up: (price − start) ÷ start."""
    return int((Decimal(price_fen - start_fen) * 10_000 / start_fen).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _plan_snapshot(plan: DisposalPlan) -> dict:
    return {"plan": plan.pk, "asset": plan.asset_id, "status": plan.status, "platform": plan.platform}


def _round_snapshot(r: AuctionRound) -> dict:
    return {
        "round": r.pk, "plan": r.plan_id, "number": r.number, "kind": r.kind, "status": r.status,
        "reference": r.reference_id, "reference_price_fen": r.reference_price_fen,
        "starting_price_fen": r.starting_price_fen, "deposit_fen": r.deposit_fen, "increment_fen": r.increment_fen,
        "announce_on": r.announce_on.isoformat(), "starts_at": r.starts_at.isoformat(), "ends_at": r.ends_at.isoformat(),
        "parties_notified_on": r.parties_notified_on.isoformat() if r.parties_notified_on else None,
        "price_fen": r.price_fen, "buyer_name": r.buyer_name, "premium_bp": r.premium_bp,
    }


# ---------------------------------------------------------------- the plan


def plan_create(*, actor: User, case: EnforcementCase, asset, platform: str, platform_chosen_by: str = "申请执行人选择",
                encumbrances: str = "", taxes: str = "", viewing: str = "", priority_holders: str = "",
                contact: str = "") -> DisposalPlan:
    """处置方案 of an asset held by the case's seizure in force: the platform the applicant chose (else the
    court's designation), and what the listing must tell bidders (encumbrances, taxes, viewing)."""
    _ensure_staff(actor, case, "制定处置方案")
    if platform not in AUCTION_PLATFORMS:
        raise ValidationFailed([FieldError("platform", f"请从网络司法拍卖平台名单中选择（{AUCTION.platform_citation}）")])
    with transaction.atomic():
        case = lock_case(case)
        _ensure_open_case(case)
        _ensure_disposable(case, asset)
        _supervision_after_change(case, "auction_started")
        plan = DisposalPlan(court_id=case.court_id, case=case, asset=asset, platform=platform,
                            platform_chosen_by=platform_chosen_by[:60] or "申请执行人选择", encumbrances=encumbrances[:1000],
                            taxes=taxes[:500], viewing=viewing[:500], priority_holders=priority_holders[:500],
                            contact=contact[:100], created_by=actor, created_at=timezone.now())
        try:
            with transaction.atomic():
                plan.save(force_insert=True)
        except IntegrityError as exc:
            raise Conflict("本案已有该财产的处置方案") from exc
        _log(case, actor, f"制定处置方案：{asset}，{platform}（{plan.platform_chosen_by}）", after=_plan_snapshot(plan))
    return plan


def plan_withdraw(*, actor: User, plan: DisposalPlan, reason: str) -> DisposalPlan:
    """撤回处置方案 (performed, settled, suspended…): only while nothing is announced."""
    _ensure_staff(actor, plan.case, "撤回处置方案")
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", "请写明撤回理由")])
    with transaction.atomic():
        case = lock_case(plan.case)
        plan = DisposalPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.status != PlanStatus.OPEN:
            raise DomainError(f"处置方案{plan.get_status_display()}，不能撤回", code="plan_closed")
        if plan.rounds.filter(status=RoundStatus.ANNOUNCED).exists():
            raise DomainError("已公告的拍卖须先撤回该轮拍卖", code="round_announced")
        plan.rounds.filter(status=RoundStatus.PLANNED).update(status=RoundStatus.WITHDRAWN, note="随处置方案撤回")
        plan.status, plan.withdrawn_reason = PlanStatus.WITHDRAWN, reason.strip()[:500]
        plan.save(update_fields=["status", "withdrawn_reason"])
        _log(case, actor, f"撤回处置方案：{plan.asset}", after=_plan_snapshot(plan), reason=reason)
        _supervision_after_change(case, None)  # a withdrawn plan no longer starts the sale (sale_start)
    return plan


# ---------------------------------------------------------------- the rounds


def next_round(plan: DisposalPlan) -> tuple[int, str, AuctionRound | None]:
    """(number, kind, the previous round) of the round the plan may set next, or raises with why not."""
    rounds = [r for r in plan.rounds.order_by("number", "id") if r.status != RoundStatus.WITHDRAWN]
    if plan.status != PlanStatus.OPEN:
        raise DomainError(f"处置方案{plan.get_status_display()}，不能再安排拍卖", code="plan_closed")
    if any(r.status in OPEN_ROUND_STATUSES for r in rounds):
        raise DomainError("本方案已有待公告或已公告的轮次，须先得出结果或撤回", code="round_open")
    if not rounds:
        return 1, RoundKind.AUCTION, None
    last = rounds[-1]
    if last.status != RoundStatus.FAILED:
        raise DomainError(f"上一轮{last.get_status_display()}，不能再安排", code="round_sold")
    if last.number == 1:
        return 2, RoundKind.AUCTION, last
    if last.number == 2:
        return 3, RoundKind.SALE, last
    raise DomainError("变卖未成交：可由申请执行人以物抵债，或依法另行处理（终本须符合法〔2016〕373号第4条）",
                      code="no_more_rounds")


def round_refusals(*, plan: DisposalPlan, number: int, kind: str, previous: AuctionRound | None, reference,
                   starting_price_fen: int, deposit_fen: int, increment_fen: int, announce_on: dt.date,
                   starts_at: dt.datetime, ends_at: dt.datetime, parties_notified_on: dt.date | None) -> list[FieldError]:
    """Every rule a round breaks, each with its citation (empty: the round is lawful)."""
    errors: list[FieldError] = []
    for field, value, label in (("starting_price_fen", starting_price_fen, "起拍价"), ("deposit_fen", deposit_fen, "保证金"),
                                ("increment_fen", increment_fen, "加价幅度")):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0 or value >= 10**15:
            errors.append(FieldError(field, f"{label}应为大于0的整数（分）"))
    if errors:
        return errors
    if ends_at <= starts_at:
        errors.append(FieldError("ends_at", "竞价结束时间应晚于开始时间"))
    elif ends_at - starts_at < dt.timedelta(hours=AUCTION.bidding_min_hours) and kind == RoundKind.AUCTION:
        errors.append(FieldError("ends_at", f"竞价时间不少于{AUCTION.bidding_min_hours}小时（{AUCTION.bidding_citation}）"))
    # Deposit 5%–20% of the starting price, compared in integers: 5% is accepted, 4.99% is not.
    if deposit_fen * 100 < starting_price_fen * AUCTION.deposit_min_percent:
        errors.append(FieldError("deposit_fen", f"保证金 {yuan_text(deposit_fen)} 低于起拍价的{AUCTION.deposit_min_percent}%"
                                                f"（{AUCTION.deposit_citation}）"))
    if deposit_fen * 100 > starting_price_fen * AUCTION.deposit_max_percent:
        errors.append(FieldError("deposit_fen", f"保证金 {yuan_text(deposit_fen)} 高于起拍价的{AUCTION.deposit_max_percent}%"
                                                f"（{AUCTION.deposit_citation}）"))
    start_day = _local_day(starts_at)
    if start_day <= announce_on:
        errors.append(FieldError("starts_at", "竞价开始应在公告之后"))
    if kind == RoundKind.AUCTION:
        days = notice_days(plan.asset.kind, relist=number > 1)
        if (start_day - announce_on).days < days:
            citation = AUCTION.relist_citation if number > 1 else AUCTION.notice_citation
            errors.append(FieldError("announce_on", f"公告日 {announce_on:%Y-%m-%d} 距竞价开始 {start_day:%Y-%m-%d} 不足{days}日"
                                                    f"（{plan.asset.get_kind_display()}；{citation}）"))
    if parties_notified_on is not None and (announce_on - parties_notified_on).days < AUCTION.parties_notice_days:
        errors.append(FieldError("parties_notified_on", f"应在公告{AUCTION.parties_notice_days}日前通知当事人和已知优先购买权人"
                                                        f"（{AUCTION.parties_notice_citation}）"))
    # The reference price: the first announcement within its validity, every auction or sale within 6 months after.
    if number == 1 and announce_on > reference.valid_until:
        errors.append(FieldError("announce_on", f"参考价有效期至 {reference.valid_until:%Y-%m-%d}，一拍公告须在有效期内发布"
                                                f"（{REFERENCE.validity_citation}）"))
    tail = calendar.add_months(reference.valid_until, REFERENCE.sale_tail_months, roll_off_rest_day=False)
    if start_day > tail:
        errors.append(FieldError("starts_at", f"拍卖、变卖时已超过参考价有效期（{reference.valid_until:%Y-%m-%d}）六个月，须重新确定参考价"
                                              f"（{REFERENCE.validity_citation}）"))
    if number == 1:
        # Starting price ≥ 70% of the reference price, in integers: 70% is accepted, 69.99…% is not.
        if starting_price_fen * 100 < reference.price_fen * AUCTION.min_start_percent:
            errors.append(FieldError("starting_price_fen", f"起拍价 {yuan_text(starting_price_fen)} 低于参考价 {yuan_text(reference.price_fen)}"
                                                           f"的{AUCTION.min_start_percent}%（{AUCTION.min_start_citation}）"))
    elif kind == RoundKind.AUCTION:
        if previous.closed_on and announce_on > previous.closed_on + dt.timedelta(days=AUCTION.relist_days):
            errors.append(FieldError("announce_on", f"一拍于 {previous.closed_on:%Y-%m-%d} 流拍，应在{AUCTION.relist_days}日内再次拍卖"
                                                    f"（{AUCTION.relist_citation}）"))
        # A reduction of at most 20% of the previous starting price: 20% is accepted, 20.01% is not.
        if starting_price_fen * 100 < previous.starting_price_fen * (100 - AUCTION.max_reduction_percent):
            errors.append(FieldError("starting_price_fen", f"起拍价较一拍起拍价 {yuan_text(previous.starting_price_fen)} 降价超过"
                                                           f"{AUCTION.max_reduction_percent}%（{AUCTION.relist_citation}）"))
        if starting_price_fen > previous.starting_price_fen:
            errors.append(FieldError("starting_price_fen", "再次拍卖的起拍价不应高于一拍起拍价"))
    elif starting_price_fen < previous.starting_price_fen:
        errors.append(FieldError("starting_price_fen", f"变卖价不低于二拍起拍价 {yuan_text(previous.starting_price_fen)}"
                                                       f"（{SALE_PRICE_CITATION}）"))
    return errors


def round_create(*, actor: User, plan: DisposalPlan, starting_price_fen: int, deposit_fen: int, increment_fen: int,
                 announce_on: dt.date, starts_at: dt.datetime, ends_at: dt.datetime,
                 parties_notified_on: dt.date | None = None, note: str = "") -> AuctionRound:
    """安排一轮拍卖（或变卖）: checked against every rule of round_refusals; the listing package can be
    made for it at once; announcing it (round_announce) records the flow node."""
    _ensure_staff(actor, plan.case, "安排拍卖")
    with transaction.atomic():
        case = lock_case(plan.case)
        _ensure_open_case(case)
        plan = DisposalPlan.objects.select_for_update().select_related("asset").get(pk=plan.pk)
        number, kind, previous = next_round(plan)
        if previous is None:
            reference = standing_price(case, plan.asset, announce_on)
            if reference is None:
                raise DomainError(standing_refusal(case, plan.asset, announce_on), code="no_reference_price")
        else:
            reference = previous.reference
        errors = round_refusals(plan=plan, number=number, kind=kind, previous=previous, reference=reference,
                                starting_price_fen=starting_price_fen, deposit_fen=deposit_fen, increment_fen=increment_fen,
                                announce_on=announce_on, starts_at=starts_at, ends_at=ends_at,
                                parties_notified_on=parties_notified_on)
        if errors:
            raise ValidationFailed(errors)
        _supervision_after_change(case, "auction_started")
        r = AuctionRound.objects.create(
            court_id=case.court_id, case=case, plan=plan, number=number, kind=kind, platform=plan.platform,
            reference=reference, reference_price_fen=reference.price_fen, starting_price_fen=starting_price_fen,
            deposit_fen=deposit_fen, increment_fen=increment_fen, parties_notified_on=parties_notified_on,
            announce_on=announce_on, starts_at=starts_at, ends_at=ends_at, note=note[:500], created_by=actor,
            created_at=timezone.now())
        _log(case, actor, f"安排{r.title}：{plan.asset}，起拍价 {yuan_text(starting_price_fen)}（参考价 {yuan_text(reference.price_fen)}），"
             f"保证金 {yuan_text(deposit_fen)}，公告 {announce_on:%Y-%m-%d}，竞价 {timezone.localtime(starts_at):%Y-%m-%d %H:%M} 起",
             after=_round_snapshot(r), reason=note)
    return r


ROUND_NODES = {1: "auction_started", 2: "second_auction", 3: "sale_started"}


def round_announce(*, actor: User, round: AuctionRound, parties_notified_on: dt.date | None = None) -> AuctionRound:  # noqa: A002
    """公告: the round is on the platform. The parties and known pre-emption holders must have been told
    3 days before (Art. 16); the flow node follows (auction_started, second_auction or sale_started)."""
    _ensure_staff(actor, round.case, "登记拍卖公告")
    with transaction.atomic():
        case = lock_case(round.case)
        r = AuctionRound.objects.select_for_update().select_related("plan", "plan__asset", "reference").get(pk=round.pk)
        if r.status == RoundStatus.ANNOUNCED:
            return r  # a retry
        if r.status != RoundStatus.PLANNED:
            raise DomainError(f"该轮{r.get_status_display()}，不能公告", code="round_not_planned")
        if r.announce_on > timezone.localdate():
            raise ValidationFailed([FieldError("announce_on", f"公告日期 {r.announce_on:%Y-%m-%d} 尚未到来")])
        notified = parties_notified_on or r.parties_notified_on
        if notified is None:
            raise ValidationFailed([FieldError("parties_notified_on", f"公告前须通知当事人和已知优先购买权人（{AUCTION.parties_notice_citation}）")])
        previous = (r.plan.rounds.filter(number=r.number - 1, status=RoundStatus.FAILED).first() if r.number > 1 else None)
        errors = round_refusals(plan=r.plan, number=r.number, kind=r.kind, previous=previous, reference=r.reference,
                                starting_price_fen=r.starting_price_fen, deposit_fen=r.deposit_fen,
                                increment_fen=r.increment_fen, announce_on=r.announce_on, starts_at=r.starts_at,
                                ends_at=r.ends_at, parties_notified_on=notified)
        if errors:
            raise ValidationFailed(errors)
        node = ROUND_NODES[r.number]
        _supervision_after_change(case, node)
        r.parties_notified_on, r.status, r.announced_at = notified, RoundStatus.ANNOUNCED, timezone.now()
        r.save(update_fields=["parties_notified_on", "status", "announced_at"])
        record_service_node(case=case, node_code=node, occurred_on=r.announce_on, actor=actor,
                            note=f"{r.title}：{r.plan.asset}，{r.platform}")
        _log(case, actor, f"{r.title}公告（{r.announce_on:%Y-%m-%d}，{r.platform}）：{r.plan.asset}", node_code=node,
             after=_round_snapshot(r))
        _supervision_after_change(case, None)
    return r


def round_result(*, actor: User, round: AuctionRound, sold: bool, closed_on: dt.date, price_fen: int | None = None,  # noqa: A002
                 buyer_name: str = "", buyer_identity: str = "", note: str = "") -> AuctionRound:
    """成交 (price, buyer, premium over the starting price) or 流拍/变卖不成, with what may follow."""
    _ensure_staff(actor, round.case, "登记拍卖结果")
    with transaction.atomic():
        case = lock_case(round.case)
        r = AuctionRound.objects.select_for_update().select_related("plan", "plan__asset").get(pk=round.pk)
        if r.status != RoundStatus.ANNOUNCED:
            raise DomainError(f"该轮{r.get_status_display()}，不能登记结果", code="round_not_announced")
        if closed_on > timezone.localdate():
            raise ValidationFailed([FieldError("closed_on", f"{closed_on} 晚于今天")])
        if closed_on < _local_day(r.starts_at):
            raise ValidationFailed([FieldError("closed_on", f"早于竞价开始日 {_local_day(r.starts_at):%Y-%m-%d}")])
        plan = DisposalPlan.objects.select_for_update().get(pk=r.plan_id)
        if sold:
            errors = []
            if isinstance(price_fen, bool) or not isinstance(price_fen, int) or price_fen <= 0:
                errors.append(FieldError("price_fen", "成交价应为大于0的整数（分）"))
            elif price_fen < r.starting_price_fen:
                errors.append(FieldError("price_fen", f"成交价不能低于起拍价（保留价）{yuan_text(r.starting_price_fen)}"))
            if not buyer_name.strip():
                errors.append(FieldError("buyer_name", "请填写买受人"))
            if errors:
                raise ValidationFailed(errors)
            _supervision_after_change(case, "auction_confirmed")
            r.status, r.price_fen, r.buyer_name = RoundStatus.SOLD, price_fen, buyer_name.strip()[:100]
            r.buyer_identity, r.premium_bp = buyer_identity.strip()[:18], premium_bp(price_fen, r.starting_price_fen)
            plan.status = PlanStatus.SOLD
            node = "auction_confirmed" if r.kind == RoundKind.AUCTION else ""
            summary = (f"{r.title}成交：{plan.asset}，成交价 {yuan_text(price_fen)}，买受人 {r.buyer_name}，"
                       f"溢价率 {percent_text(r.premium_bp)}")
        else:
            _supervision_after_change(case, "second_auction")
            r.status = RoundStatus.FAILED
            node = ""
            summary = f"{r.title}{'流拍' if r.kind == RoundKind.AUCTION else '未成交'}：{plan.asset}" + _after_failure(r, closed_on)
        r.closed_on, r.note = closed_on, (note or r.note)[:500]
        r.save()
        plan.save(update_fields=["status"])
        r.plan = plan
        if node:
            record_service_node(case=case, node_code=node, occurred_on=closed_on, actor=actor, note=summary)
        _log(case, actor, summary, node_code=node, after=_round_snapshot(r), reason=note)
        _supervision_after_change(case, None)
    return r


def _after_failure(r: AuctionRound, closed_on: dt.date) -> str:
    if r.kind == RoundKind.AUCTION and r.number == 1:
        due = closed_on + dt.timedelta(days=AUCTION.relist_days)
        return (f"；应于 {due:%Y-%m-%d} 前在同一平台再次拍卖，降价不超过{AUCTION.max_reduction_percent}%"
                f"（{AUCTION.relist_citation}；{ZHEJIANG_REDUCTION_ADVICE}），或由申请执行人以该次保留价抵债")
    if r.kind == RoundKind.AUCTION:
        return f"；可在同一平台变卖（{AUCTION.sale_citation}），或由申请执行人以该次保留价抵债（{AUCTION.in_kind_citation}）"
    return ""


def round_withdraw(*, actor: User, round: AuctionRound, reason: str) -> AuctionRound:  # noqa: A002
    """撤回拍卖 (暂缓、中止、案外人异议、履行完毕…) with its reason."""
    _ensure_staff(actor, round.case, "撤回拍卖")
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", "请写明撤回理由")])
    with transaction.atomic():
        case = lock_case(round.case)
        r = AuctionRound.objects.select_for_update().get(pk=round.pk)
        if r.status not in OPEN_ROUND_STATUSES:
            raise DomainError(f"该轮{r.get_status_display()}，不能撤回", code="round_closed")
        r.status, r.note = RoundStatus.WITHDRAWN, reason.strip()[:500]
        r.save(update_fields=["status", "note"])
        _log(case, actor, f"撤回{r.title}", after=_round_snapshot(r), reason=reason)
    return r


def transfer_in_kind(*, actor: User, plan: DisposalPlan, party: Party, on: dt.date, note: str = "") -> DisposalPlan:
    """以物抵债 at the reserve (starting) price of the auction that just failed, on the applicant's
    request or consent (拍卖变卖规定第16条)."""
    _ensure_staff(actor, plan.case, "以物抵债")
    with transaction.atomic():
        case = lock_case(plan.case)
        plan = DisposalPlan.objects.select_for_update().select_related("asset").get(pk=plan.pk)
        if plan.status != PlanStatus.OPEN:
            raise DomainError(f"处置方案{plan.get_status_display()}，不能以物抵债", code="plan_closed")
        if party is None or party.case_id != case.pk or party.role != PartyRole.APPLICANT:
            raise ValidationFailed([FieldError("party", "受领人须为本案申请执行人")])
        last = plan.rounds.exclude(status=RoundStatus.WITHDRAWN).order_by("-number").first()
        if last is None or last.status != RoundStatus.FAILED or last.kind != RoundKind.AUCTION:
            raise DomainError(f"以物抵债须在拍卖流拍后，以该次拍卖的保留价进行（{AUCTION.in_kind_citation}）", code="no_failed_auction")
        if on > timezone.localdate() or on < last.closed_on:
            raise ValidationFailed([FieldError("on", f"抵债日期应在流拍日 {last.closed_on:%Y-%m-%d} 与今天之间")])
        _supervision_after_change(case, "transfer_in_kind")
        plan.status, plan.in_kind_on, plan.in_kind_party = PlanStatus.IN_KIND, on, party
        plan.in_kind_price_fen = last.starting_price_fen
        plan.save(update_fields=["status", "in_kind_on", "in_kind_party", "in_kind_price_fen"])
        record_service_node(case=case, node_code="transfer_in_kind", occurred_on=on, actor=actor,
                            note=f"{plan.asset} 交{party.name}抵债")
        outstanding = max(case.claim_amount_fen - case.performed_amount_fen, 0)
        _log(case, actor, f"以物抵债：{plan.asset} 以{last.title}保留价 {yuan_text(last.starting_price_fen)} 交申请执行人{party.name}"
             + (f"（超出未履行金额 {yuan_text(outstanding)}）" if last.starting_price_fen > outstanding else ""),
             node_code="transfer_in_kind", reason=note,
             after=_plan_snapshot(plan) | {"in_kind_price_fen": plan.in_kind_price_fen, "party": party.pk,
                                           "round": last.pk, "citation": AUCTION.in_kind_citation})
        _supervision_after_change(case, None)
    return plan


def plan_handover(*, actor: User, plan: DisposalPlan, on: dt.date, note: str = "") -> DisposalPlan:
    """拍卖或抵债财产移交 to the buyer or the creditor."""
    _ensure_staff(actor, plan.case, "移交财产")
    with transaction.atomic():
        case = lock_case(plan.case)
        plan = DisposalPlan.objects.select_for_update().select_related("asset").get(pk=plan.pk)
        if plan.status not in (PlanStatus.SOLD, PlanStatus.IN_KIND):
            raise DomainError("成交或以物抵债后方可移交", code="not_sold")
        if on > timezone.localdate():
            raise ValidationFailed([FieldError("on", f"{on} 晚于今天")])
        _supervision_after_change(case, "handover")
        plan.status, plan.handed_over_on = PlanStatus.HANDED_OVER, on
        plan.save(update_fields=["status", "handed_over_on"])
        record_service_node(case=case, node_code="handover", occurred_on=on, actor=actor, note=str(plan.asset))
        _log(case, actor, f"财产移交：{plan.asset}（{on:%Y-%m-%d}）", node_code="handover", after=_plan_snapshot(plan),
             reason=note)
        _supervision_after_change(case, None)
    return plan


def receipt_link(*, actor: User, round: AuctionRound, receipt) -> AuctionRound:  # noqa: A002
    """The buyer's payment, as booked by the finance desk (money.receipt_record, channel auction/sale),
    linked to the round that sold: the case page shows the sale paid."""
    from zhixing.money.choices import ReceiptChannel, ReceiptStatus

    _ensure_staff(actor, round.case, "关联拍卖价款")
    with transaction.atomic():
        case = lock_case(round.case)
        r = AuctionRound.objects.select_for_update().get(pk=round.pk)
        if r.status != RoundStatus.SOLD:
            raise DomainError("只有成交的轮次可以关联价款", code="round_not_sold")
        if r.receipt_id == receipt.pk:
            return r  # a retry
        if r.receipt_id:
            raise Conflict("该轮已关联价款到账记录")
        if receipt.case_id != case.pk:
            raise ValidationFailed([FieldError("receipt", "该到账记录不属于本案")])
        if receipt.channel not in (ReceiptChannel.AUCTION, ReceiptChannel.SALE):
            raise ValidationFailed([FieldError("receipt", "到账来源须为“拍卖价款”或“变卖价款”")])
        if receipt.status not in (ReceiptStatus.BOOKED, ReceiptStatus.ASSIGNED):
            raise ValidationFailed([FieldError("receipt", f"该到账记录{receipt.get_status_display()}")])
        if AuctionRound.objects.filter(receipt=receipt).exclude(pk=r.pk).exists():
            raise Conflict("该到账记录已关联其他拍卖")
        if receipt.amount_fen > r.price_fen:
            raise ValidationFailed([FieldError("receipt", f"到账金额 {yuan_text(receipt.amount_fen)} 超过成交价 {yuan_text(r.price_fen)}")])
        r.receipt = receipt
        r.save(update_fields=["receipt"])
        _log(case, actor, f"{r.title}价款到账：{yuan_text(receipt.amount_fen)}（{receipt.received_on:%Y-%m-%d}，成交价 {yuan_text(r.price_fen)}）",
             after={"round": r.pk, "receipt": receipt.pk, "amount_fen": receipt.amount_fen})
    return r
