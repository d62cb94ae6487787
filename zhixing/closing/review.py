"""终本合格率 sample review: a court draws a seeded random sample of its 终本 cases closed in a period
(reproducible: the same period, population and seed give the same cases), reviewers mark each case
pass or fail with reasons, and `selectors.zhongben_pass_rate` gives the rate the indicators use.
Sample size: rules.SAMPLE_POLICY (local policy)."""

from __future__ import annotations

import datetime as dt
import hashlib
import random

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhixing.accounts.models import User
from zhixing.cases.choices import CaseStatus, ClosingType, LogAction
from zhixing.cases.exceptions import Conflict, FieldError, NotAllowed, ValidationFailed
from zhixing.cases.log import log_append
from zhixing.cases.models import EnforcementCase
from zhixing.cases.services import ensure_can_act, ensure_role, lock_case
from zhixing.courts.models import Court

from .choices import Verdict
from .models import SampleItem, SampleReview
from .rules import CONDITIONS_BY_CODE, EXTRA_FAIL_REASONS, REVIEW_ROLES, SAMPLE_POLICY

MAX_SAMPLE = 2_000
FAIL_REASONS: dict[str, str] = {**{c.code: f"{c.title}（{c.citation}）" for c in CONDITIONS_BY_CODE.values()},
                                **EXTRA_FAIL_REASONS}


def default_seed(court_code: str, start: dt.date, end: dt.date) -> int:
    """A seed derived from the court and the period: anyone can redraw the same sample."""
    digest = hashlib.sha256(f"{court_code}|{start.isoformat()}|{end.isoformat()}".encode()).hexdigest()
    return int(digest[:15], 16)


def sample_size(population: int) -> int:
    """rules.SAMPLE_POLICY: the rate, rounded up, at least the minimum, at most everything."""
    if population <= 0:
        return 0
    by_rate = -(-population * SAMPLE_POLICY.rate_bp // 10_000)
    return min(population, max(by_rate, SAMPLE_POLICY.minimum))


def draw(case_ids: list[int], size: int, seed: int) -> list[int]:
    """The sample, in drawing order: pure and reproducible (the ids are sorted before drawing)."""
    population = sorted(case_ids)
    return random.Random(seed).sample(population, min(size, len(population)))


def zhongben_population(court_id: int, start: dt.date, end: dt.date):
    return (EnforcementCase.objects.filter(court_id=court_id, closing_type=ClosingType.TERMINATE_CURRENT,
                                           status__in=(CaseStatus.CLOSED, CaseStatus.ARCHIVED),
                                           closed_on__gte=start, closed_on__lte=end))


def sample_draw(*, actor: User, court: Court, start: dt.date, end: dt.date, size: int | None = None,
                seed: int | None = None) -> SampleReview:
    """Draw the period's sample (once per court and period: drawing again returns the same review)."""
    ensure_can_act(actor, court.pk)
    ensure_role(actor, REVIEW_ROLES, "抽取终本评查案件")
    errors = []
    if end < start:
        errors.append(FieldError("period_end", f"结束日期 {end} 早于开始日期 {start}"))
    if end > timezone.localdate():
        errors.append(FieldError("period_end", f"结束日期 {end} 晚于今天"))
    if size is not None and not 1 <= size <= MAX_SAMPLE:
        errors.append(FieldError("size", f"抽查件数应在1至{MAX_SAMPLE}之间"))
    if errors:
        raise ValidationFailed(errors)
    existing = SampleReview.objects.filter(court=court, period_start=start, period_end=end).first()
    if existing is not None:
        return existing
    rows = dict(zhongben_population(court.pk, start, end).values_list("pk", "closed_on"))
    if not rows:
        raise ValidationFailed([FieldError("period_start", f"{start}至{end}本院没有以终本结案的案件")])
    seed = default_seed(court.court_code, start, end) if seed is None else seed
    chosen = draw(list(rows), size or sample_size(len(rows)), seed)
    try:
        with transaction.atomic():
            review = SampleReview.objects.create(court=court, period_start=start, period_end=end, seed=seed,
                                                 population=len(rows), size=len(chosen), drawn_by=actor,
                                                 drawn_at=timezone.now())
            SampleItem.objects.bulk_create([SampleItem(court=court, review=review, case_id=pk, position=i + 1,
                                                       closed_on=rows[pk]) for i, pk in enumerate(chosen)])
    except IntegrityError:  # drawn at the same moment by someone else: theirs stands
        return SampleReview.objects.get(court=court, period_start=start, period_end=end)
    return review


def sample_mark(*, actor: User, item: SampleItem, verdict: str, reasons: list[str] | None = None,
                note: str = "") -> SampleItem:
    """评查: pass, or fail with at least one reason. Not by the case's own handler. A changed mark is
    logged on the case with what it replaced."""
    ensure_can_act(actor, item.court_id)
    ensure_role(actor, REVIEW_ROLES, "评查终本案件")
    reasons = list(dict.fromkeys(reasons or []))
    errors = []
    if verdict not in (Verdict.PASS, Verdict.FAIL):
        errors.append(FieldError("verdict", "评查结论应为：合格或不合格"))
    unknown = [r for r in reasons if r not in FAIL_REASONS]
    if unknown:
        errors.append(FieldError("reasons", f"未知的不合格原因：{'、'.join(unknown)}"))
    if verdict == Verdict.FAIL and not reasons:
        errors.append(FieldError("reasons", "不合格须选择至少一项原因"))
    if verdict == Verdict.PASS and reasons:
        errors.append(FieldError("reasons", "合格的案件不填写不合格原因"))
    if "other" in reasons and not note.strip():
        errors.append(FieldError("note", "选择“其他”须写明说明"))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        case = lock_case(item.case)
        if case.handler_id == actor.pk:
            raise NotAllowed("承办人不能评查自己承办的案件")
        item = SampleItem.objects.select_for_update().get(pk=item.pk)
        if (item.verdict, item.reasons, item.note) == (verdict, reasons, note.strip()[:500]):
            return item  # a retry
        if item.verdict != Verdict.PENDING and item.reviewed_by_id and item.reviewed_by_id != actor.pk and \
                not (actor.is_superuser or actor.role in ("bureau_head", "president")):
            raise Conflict(f"该案已由{item.reviewed_by.display_name}评查，改判须由执行局长或院长", code="already_reviewed")
        before = {"verdict": item.verdict, "reasons": item.reasons, "note": item.note}
        item.verdict, item.reasons, item.note = verdict, reasons, note.strip()[:500]
        item.reviewed_by, item.reviewed_at = actor, timezone.now()
        item.save(update_fields=["verdict", "reasons", "note", "reviewed_by", "reviewed_at"])
        label = Verdict(verdict).label
        why = "、".join(FAIL_REASONS[r].split("（")[0] for r in reasons)
        log_append(case=case, actor=actor, action=LogAction.NOTE,
                   summary=f"终本合格评查：{label}" + (f"（{why}）" if why else ""),
                   before=before if before["verdict"] != Verdict.PENDING else None,
                   after={"sample_review": item.review_id, "verdict": verdict, "reasons": reasons}, reason=item.note)
    return item
