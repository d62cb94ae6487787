"""Reads of the closing app for pages, the API and other apps. Visibility by user is applied here,
through cases.selectors.visible_court_ids, once.

For the indicators: `zhongben_pass_rate(court_ids, start, end)` — 终本合格率 of the reviewed sample."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from zhixing.accounts.models import User
from zhixing.cases.choices import ClosingType
from zhixing.cases.exceptions import NotFound
from zhixing.cases.models import EnforcementCase
from zhixing.cases.selectors import visible_court_ids

from .choices import ACTIVE_TRANSFER_STATUSES, OPEN_PROPOSAL_STATUSES, PoolStatus, ProposalStatus, Verdict
from .models import BankruptcyTransfer, PoolEntry, RestorationProposal, SampleItem, SampleReview
from .rules import PASS_RATE_TARGET_BP


def _in_courts(rows: QuerySet, user: User) -> QuerySet:
    court_ids = visible_court_ids(user)
    return rows if court_ids is None else rows.filter(court_id__in=court_ids)


# ---------------------------------------------------------------- 终本合格率 (for the indicators)


@dataclass(frozen=True)
class PassRate:
    """终本合格率 of the sampled 终本 cases closed in [start, end] that reviewers have marked.
    `rate_bp` is in basis points (9122 = 91.22%); None when nothing was reviewed."""

    start: dt.date
    end: dt.date
    sampled: int
    reviewed: int
    passed: int

    @property
    def failed(self) -> int:
        return self.reviewed - self.passed

    @property
    def pending(self) -> int:
        return self.sampled - self.reviewed

    @property
    def rate_bp(self) -> int | None:
        return None if not self.reviewed else self.passed * 10_000 // self.reviewed

    @property
    def rate_percent(self) -> Decimal | None:
        """91.22 (two decimals, rounded down: a rate is never shown above what it is)."""
        return None if self.rate_bp is None else Decimal(self.rate_bp).scaleb(-2)

    @property
    def meets_target(self) -> bool | None:
        return None if self.rate_bp is None else self.rate_bp >= PASS_RATE_TARGET_BP


def _rate_rows(court_ids, start: dt.date, end: dt.date) -> QuerySet:
    items = SampleItem.objects.filter(closed_on__gte=start, closed_on__lte=end)
    return items if court_ids is None else items.filter(court_id__in=list(court_ids))


def zhongben_pass_rate(court_ids, start: dt.date, end: dt.date) -> PassRate:
    """终本合格率 over the courts (None: every court), counting sampled cases by their closing date.
    One aggregate query."""
    row = _rate_rows(court_ids, start, end).aggregate(
        sampled=Count("id"), reviewed=Count("id", filter=~Q(verdict=Verdict.PENDING)),
        passed=Count("id", filter=Q(verdict=Verdict.PASS)))
    return PassRate(start, end, row["sampled"], row["reviewed"], row["passed"])


def zhongben_pass_rates_by_court(court_ids, start: dt.date, end: dt.date) -> dict[int, PassRate]:
    """The same per court, in one grouped query."""
    rows = (_rate_rows(court_ids, start, end).order_by().values("court_id")
            .annotate(sampled=Count("id"), reviewed=Count("id", filter=~Q(verdict=Verdict.PENDING)),
                      passed=Count("id", filter=Q(verdict=Verdict.PASS))))
    return {r["court_id"]: PassRate(start, end, r["sampled"], r["reviewed"], r["passed"]) for r in rows}


# ---------------------------------------------------------------- lists


def pool_entries(user: User, *, status: str = "", due_only: bool = False, q: str = "",
                 as_of: dt.date | None = None) -> QuerySet[PoolEntry]:
    rows = _in_courts(PoolEntry.objects.select_related("case", "court"), user)
    if status:
        rows = rows.filter(status=status)
    if due_only:
        rows = rows.filter(status=PoolStatus.IN_POOL, next_query_due__lte=as_of or timezone.localdate())
    if q.strip():
        text = q.strip()
        rows = rows.filter(Q(case__case_number__contains=text) | Q(case__respondent_names__contains=text))
    return rows.order_by("next_query_due", "id")


def proposals(user: User, *, status: str = "", overdue: bool = False, q: str = "") -> QuerySet[RestorationProposal]:
    rows = _in_courts(RestorationProposal.objects.select_related("case", "restored_case", "asset"), user)
    if status:
        rows = rows.filter(status=status)
    if overdue:
        rows = rows.filter(status=ProposalStatus.CONFIRMED, restore_due__lt=timezone.localdate())
    if q.strip():
        text = q.strip()
        rows = rows.filter(Q(case__case_number__contains=text) | Q(case__respondent_names__contains=text))
    return rows.order_by("status", "restore_due", "-detected_on", "-id")


def proposal_get(*, user: User, pk: int) -> RestorationProposal:
    row = _in_courts(RestorationProposal.objects.select_related("case", "asset"), user).filter(pk=pk).first()
    if row is None:
        raise NotFound("恢复执行建议不存在")
    return row


def reviews(user: User) -> QuerySet[SampleReview]:
    return _in_courts(SampleReview.objects.select_related("court", "drawn_by"), user).annotate(
        reviewed=Count("items", filter=~Q(items__verdict=Verdict.PENDING)),
        passed=Count("items", filter=Q(items__verdict=Verdict.PASS)))


def review_get(*, user: User, pk: int) -> SampleReview:
    row = _in_courts(SampleReview.objects.select_related("court"), user).filter(pk=pk).first()
    if row is None:
        raise NotFound("评查不存在")
    return row


def review_items(review: SampleReview, *, verdict: str = "") -> QuerySet[SampleItem]:
    rows = review.items.select_related("case", "case__handler", "reviewed_by")
    return rows.filter(verdict=verdict) if verdict else rows.order_by("position")


def sample_item_get(*, user: User, pk: int) -> SampleItem:
    row = _in_courts(SampleItem.objects.select_related("case", "review"), user).filter(pk=pk).first()
    if row is None:
        raise NotFound("评查案件不存在")
    return row


def transfers(user: User, *, status: str = "", active: bool = False) -> QuerySet[BankruptcyTransfer]:
    rows = _in_courts(BankruptcyTransfer.objects.select_related("court", "proposed_by").annotate(case_count=Count("moved")), user)
    if status:
        rows = rows.filter(status=status)
    if active:
        rows = rows.filter(status__in=ACTIVE_TRANSFER_STATUSES)
    return rows.order_by("-proposed_on", "-id")


def archive_worklist(user: User, *, overdue: bool = False, closing_type: str = "", q: str = "") -> QuerySet[EnforcementCase]:
    """Closed cases waiting to be archived, the oldest archive deadline first."""
    rows = _in_courts(EnforcementCase.objects.filter(status="closed").select_related("handler"), user)
    if overdue:
        rows = rows.filter(archive_due__lt=timezone.localdate())
    if closing_type:
        rows = rows.filter(closing_type=closing_type)
    if q.strip():
        text = q.strip()
        rows = rows.filter(Q(case_number__contains=text) | Q(respondent_names__contains=text))
    return rows.order_by("archive_due", "id")


def dossier_flags(cases: list[EnforcementCase]) -> dict[int, dict]:
    """For a page of the archive worklist: which cases lack their dossier document or hold money —
    three queries for the page, not three per case."""
    from zhixing.documents.models import GeneratedDocument
    from zhixing.money.models import Account

    from .rules import DOSSIER_REQUIREMENTS

    ids = [c.pk for c in cases]
    marked = {}
    for case_id, kind, signed, sealed in GeneratedDocument.objects.filter(case_id__in=ids).values_list(
            "case_id", "kind", "signed_at", "sealed_at"):
        key = (case_id, kind)
        marked[key] = marked.get(key, False) or bool(signed and sealed)
    balances = dict(Account.objects.filter(case_id__in=ids).values_list("case_id", "balance_fen"))
    out = {}
    for case in cases:
        missing = [item.label for item in DOSSIER_REQUIREMENTS.get(case.closing_type, ())
                   if (case.pk, item.document) not in marked or (item.marked and not marked[(case.pk, item.document)])]
        out[case.pk] = {"missing": missing, "balance_fen": balances.get(case.pk, 0)}
    return out


# ---------------------------------------------------------------- the closing home page


def home_counts(user: User) -> dict:
    from .investigation import due_count

    court_ids = visible_court_ids(user)
    today = timezone.localdate()
    pool = _in_courts(PoolEntry.objects.all(), user)
    props = _in_courts(RestorationProposal.objects.all(), user)
    return {
        "second_investigation": due_count(court_ids=court_ids, as_of=today),
        "pool_in": pool.filter(status=PoolStatus.IN_POOL).count(),
        "pool_due": pool.filter(status=PoolStatus.IN_POOL, next_query_due__lte=today).count(),
        "proposals_open": props.filter(status__in=OPEN_PROPOSAL_STATUSES).count(),
        "proposals_overdue": props.filter(status=ProposalStatus.CONFIRMED, restore_due__lt=today).count(),
        "transfers_active": _in_courts(BankruptcyTransfer.objects.filter(status__in=ACTIVE_TRANSFER_STATUSES), user).count(),
        "archive_waiting": _in_courts(EnforcementCase.objects.filter(status="closed"), user).count(),
        "archive_overdue": _in_courts(EnforcementCase.objects.filter(status="closed", archive_due__lt=today), user).count(),
        "zhongben_unpooled": _in_courts(EnforcementCase.objects.filter(
            closing_type=ClosingType.TERMINATE_CURRENT, status__in=("closed", "archived"), pool_entry__isnull=True), user).count(),
    }
