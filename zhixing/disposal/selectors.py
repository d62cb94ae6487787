"""Reads of disposal, with visibility by user applied here, once (cases.selectors.visible_court_ids), so
that pages and API cannot disagree. Another court's case is never revealed beyond its court and case
number (the seizure queue), as on the property pages."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from zhixing.accounts.models import User
from zhixing.cases.exceptions import NotFound
from zhixing.cases.models import EnforcementCase
from zhixing.cases.rules import LEADERS
from zhixing.cases.selectors import visible_court_ids
from zhixing.property.models import OPEN_MEASURE_STATUSES, Asset, CaseAsset, ControlMeasure
from zhixing.property.rules import ASSET_KINDS

from . import reference as reference_services
from .choices import ObjectionOutcome, PlanStatus, PriceStatus, RoundStatus
from .models import (
    AuctionRound,
    DisposalPlan,
    ListingPackage,
    Objection,
    PriceTable,
    ReferencePrice,
    Valuation,
    ValuationBatch,
)
from .rules import BATCH_ROLES

AUDITORS = LEADERS | BATCH_ROLES  # who reads the whole court's lookup log


def may_act(user: User, court_id: int) -> bool:
    return not user.is_read_only and (user.is_superuser or user.court_id == court_id)


def _visible(user: User, court_id: int) -> bool:
    ids = visible_court_ids(user)
    return ids is None or court_id in ids


def disposable(asset: Asset) -> bool:
    kind = ASSET_KINDS.get(asset.kind)
    return kind is None or not kind.cash


# ---------------------------------------------------------------- one case


@dataclass
class AssetPanel:
    """Everything the case page shows about one asset's disposal."""

    asset: Asset
    hold: ControlMeasure | None
    measures: list[ControlMeasure]
    start_due: dt.date | None
    prices: list[ReferencePrice] = field(default_factory=list)
    standing: ReferencePrice | None = None
    objections: list[Objection] = field(default_factory=list)
    valuations: list[Valuation] = field(default_factory=list)
    plan: DisposalPlan | None = None
    rounds: list[AuctionRound] = field(default_factory=list)

    @property
    def started(self) -> bool:
        return bool(self.prices)

    @property
    def start_overdue(self) -> bool:
        return not self.prices and self.start_due is not None and self.start_due < timezone.localdate()


def case_panels(case: EnforcementCase, *, on: dt.date | None = None) -> list[AssetPanel]:
    """The case's assets that are sold rather than deducted, each with its measures, reference prices,
    lookups, plan, rounds and packages — a fixed number of queries whatever the number of assets."""
    on = on or timezone.localdate()
    links = [link for link in CaseAsset.objects.filter(case=case).select_related("asset").order_by("found_on", "id")
             if disposable(link.asset)]
    ids = [link.asset_id for link in links]
    measures: dict[int, list[ControlMeasure]] = defaultdict(list)
    for m in ControlMeasure.objects.filter(case=case, asset_id__in=ids).order_by("started_on", "id"):
        measures[m.asset_id].append(m)
    prices: dict[int, list[ReferencePrice]] = defaultdict(list)
    for ref in ReferencePrice.objects.filter(case=case, asset_id__in=ids).select_related("valuation__table").order_by("started_on", "id"):
        prices[ref.asset_id].append(ref)
    objections: dict[int, list[Objection]] = defaultdict(list)
    for o in Objection.objects.filter(case=case).select_related("reference").order_by("raised_on", "id"):
        objections[o.reference.asset_id].append(o)
    valuations: dict[int, list[Valuation]] = defaultdict(list)
    for v in Valuation.objects.filter(case=case, asset_id__in=ids).select_related("table", "user").order_by("-at", "-id")[:200]:
        if len(valuations[v.asset_id]) < 5:
            valuations[v.asset_id].append(v)
    plans = {p.asset_id: p for p in DisposalPlan.objects.filter(case=case).exclude(status=PlanStatus.WITHDRAWN)}
    rounds: dict[int, list[AuctionRound]] = defaultdict(list)
    for r in AuctionRound.objects.filter(plan__in=plans.values()).select_related("receipt").order_by("number", "id"):
        rounds[r.plan_id].append(r)
    packages: dict[int, list[ListingPackage]] = defaultdict(list)
    for p in ListingPackage.objects.filter(case=case).only("pk", "round_id", "version", "file_name", "fields", "generated_at",
                                                          "milliseconds").order_by("round_id", "-version"):
        packages[p.round_id].append(p)
    panels = []
    for link in links:
        held = [m for m in measures[link.asset_id] if m.kind in reference_services.DISPOSABLE_HOLDS]
        first = held[0].started_on if held else None
        plan = plans.get(link.asset_id)
        panel = AssetPanel(
            asset=link.asset, hold=next((m for m in held if m.status == "active"), None), measures=measures[link.asset_id],
            start_due=reference_services.period_end(reference_services.REFERENCE.start, first) if first else None,
            prices=prices[link.asset_id], objections=objections[link.asset_id], valuations=valuations[link.asset_id],
            plan=plan, rounds=rounds[plan.pk] if plan else [],
        )
        panel.standing = _standing(panel.prices, on)
        for r in panel.rounds:
            r.package_list = packages[r.pk]
        panels.append(panel)
    return panels


def _standing(rows: list[ReferencePrice], on: dt.date) -> ReferencePrice | None:
    """reference.standing_price over rows already read."""
    for ref in reversed(rows):
        if ref.status != PriceStatus.RESULT:
            continue
        if ref.method != "negotiation" and (not ref.served_on or (ref.objection_due and on <= ref.objection_due)):
            continue
        return ref
    return None


def case_summary(case: EnforcementCase) -> dict:
    """The line on the case page: reference prices, plans and the next auction, in three queries."""
    today = timezone.localdate()
    prices = ReferencePrice.objects.filter(case=case)
    plans = DisposalPlan.objects.filter(case=case).exclude(status=PlanStatus.WITHDRAWN)
    upcoming = (AuctionRound.objects.filter(case=case, status__in=(RoundStatus.PLANNED, RoundStatus.ANNOUNCED))
                .order_by("starts_at").first())
    return {
        "fixed": prices.filter(status=PriceStatus.RESULT, valid_until__gte=today).count(),
        "in_progress": prices.filter(status__in=(PriceStatus.IN_PROGRESS, PriceStatus.OBJECTED)).count(),
        "plans": plans.count(), "sold": plans.filter(status__in=(PlanStatus.SOLD, PlanStatus.HANDED_OVER)).count(),
        "upcoming": upcoming,
    }


# ---------------------------------------------------------------- one asset across every case claiming it


@dataclass
class Claim:
    court: str
    court_id: int
    case_number: str
    case_id: int
    visible: bool
    found_on: dt.date
    measures: list[ControlMeasure]
    prices: list[ReferencePrice] = field(default_factory=list)
    plans: list[DisposalPlan] = field(default_factory=list)
    rounds: list[AuctionRound] = field(default_factory=list)


def asset_view(*, user: User, asset_id: int) -> tuple[Asset, list[Claim], list[Valuation]]:
    """The property-centric page: the asset across every case that claims it, in the seizure queue's
    order. Visible to whoever may see one of those cases; the details (reference prices, lookups) of a
    case the user may not see stay hidden — its court and case number, measures and public auction
    rounds are shown, as the queue and the auction notice are known to every creditor anyway."""
    asset = Asset.objects.filter(pk=asset_id).first()
    if asset is None:
        raise NotFound("财产不存在")
    court_ids = visible_court_ids(user)
    links = list(CaseAsset.objects.filter(asset=asset).select_related("case", "case__court").order_by("found_on", "id"))
    visible_ids = {link.case_id for link in links if court_ids is None or link.case.court_id in court_ids}
    if not visible_ids:
        raise NotFound("财产不存在")
    by_case: dict[int, Claim] = {}
    for link in links:
        by_case[link.case_id] = Claim(court=link.case.court.name, court_id=link.case.court_id,
                                      case_number=link.case.case_number, case_id=link.case_id,
                                      visible=link.case_id in visible_ids, found_on=link.found_on, measures=[])
    for m in ControlMeasure.objects.filter(asset=asset).order_by("started_on", "id"):
        if m.case_id in by_case:
            by_case[m.case_id].measures.append(m)
    for ref in ReferencePrice.objects.filter(asset=asset, case_id__in=visible_ids).order_by("started_on", "id"):
        by_case[ref.case_id].prices.append(ref)
    for plan in DisposalPlan.objects.filter(asset=asset).order_by("created_at"):
        if plan.case_id in by_case:
            by_case[plan.case_id].plans.append(plan)
    for r in AuctionRound.objects.filter(plan__asset=asset).order_by("number", "id"):
        if r.case_id in by_case:
            by_case[r.case_id].rounds.append(r)
    valuations = list(Valuation.objects.filter(asset=asset, case_id__in=visible_ids).select_related("table", "user", "case")
                      .order_by("-at", "-id")[:50])

    def queue_key(claim: Claim):
        open_ranks = [m.queue_rank for m in claim.measures if m.status in OPEN_MEASURE_STATUSES]
        return (min(open_ranks) if open_ranks else 99, claim.found_on, claim.case_id)

    return asset, sorted(by_case.values(), key=queue_key), valuations


def recent_valuations(case: EnforcementCase, asset: Asset, limit: int = 5) -> list[Valuation]:
    """The lookups a directed inquiry may adopt (the panel shows the same ones)."""
    return list(Valuation.objects.filter(case=case, asset=asset).select_related("table").order_by("-at", "-id")[:limit])


# ---------------------------------------------------------------- court lists


def plans_for_user(*, user: User, status: str = "", q: str = "") -> QuerySet[DisposalPlan]:
    court_ids = visible_court_ids(user)
    plans = DisposalPlan.objects.all() if court_ids is None else DisposalPlan.objects.filter(court_id__in=court_ids)
    if status:
        plans = plans.filter(status=status)
    if q := q.strip():
        plans = plans.filter(Q(case__case_number__contains=q) | Q(asset__description__contains=q))
    return plans.select_related("case", "asset", "court").order_by("-created_at", "-id")


def lookups_for_user(*, user: User, court_id: int | None = None, user_id: int | None = None, on_from: dt.date | None = None,
                     on_to: dt.date | None = None, outcome: str = "", case_number: str = "",
                     batch_id: int | None = None) -> QuerySet[Valuation]:
    """The lookup log (询价台账). The court's leaders and command centre read all of it (and a higher
    court's supervisor the courts below); everyone else reads their own lookups."""
    court_ids = visible_court_ids(user)
    rows = Valuation.objects.all() if court_ids is None else Valuation.objects.filter(court_id__in=court_ids)
    if not (user.is_superuser or user.is_read_only or user.role in AUDITORS):
        rows = rows.filter(user=user, batch__isnull=True)  # they run no batches; the (user, on) index serves it
    if court_id:
        rows = rows.filter(court_id=court_id)
    if user_id:
        rows = rows.filter(user_id=user_id)
    if on_from:
        rows = rows.filter(on__gte=on_from)
    if on_to:
        rows = rows.filter(on__lte=on_to)
    if outcome:
        rows = rows.filter(outcome=outcome)
    if batch_id:
        rows = rows.filter(batch_id=batch_id)
    if case_number := case_number.strip():
        rows = rows.filter(case__case_number__contains=case_number)
    return rows.select_related("case", "asset", "user", "table").order_by("-at", "-id")


def batches_for_user(user: User) -> QuerySet[ValuationBatch]:
    court_ids = visible_court_ids(user)
    rows = ValuationBatch.objects.all() if court_ids is None else ValuationBatch.objects.filter(court_id__in=court_ids)
    return rows.select_related("user", "table", "court").order_by("-at", "-id")


def batch_get_for_user(*, user: User, pk: int) -> ValuationBatch:
    batch = ValuationBatch.objects.select_related("table", "user", "court").filter(pk=pk).first()
    if batch is None or not _visible(user, batch.court_id):
        raise NotFound("批量估价不存在")
    return batch


def tables_for_court(court_id: int) -> list[PriceTable]:
    return list(PriceTable.objects.filter(court_id=court_id).select_related("imported_by").order_by("kind", "-version"))


def get_for_user(model, *, user: User, pk: int, label: str):
    """A disposal row of a case the user may see, else NotFound (another court's is not revealed)."""
    row = model.objects.select_related("case").filter(pk=pk).first()
    if row is None or not _visible(user, row.court_id):
        raise NotFound(f"{label}不存在")
    return row


def pending_objections(case: EnforcementCase) -> list[Objection]:
    return list(Objection.objects.filter(case=case, outcome=ObjectionOutcome.PENDING).select_related("reference"))
