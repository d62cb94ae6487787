"""/api/v1/indicators: the quality indicators as JSON — the catalogue (each indicator's formula,
unit, direction, target and citation), the figures of a court, team or handler for a period with the
Wuhan scorecard, a breakdown, the monthly trend, the ranking of the courts under an intermediate
court, the cases behind a number, and the records clerks enter (petitions, review outcomes,
disclosures). Thin: the same selectors and services as the pages; amounts in integer fen; values as
decimal strings (exact), never floats."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from zhixing.cases.exceptions import FieldError, ValidationFailed
from zhixing.cases.models import EnforcementCase

from . import selectors, services
from .choices import DisclosureKind, PetitionChannel
from .engine import Figure
from .forms import case_for
from .models import Petition
from .rules import INDICATOR_LIST, INDICATORS, SCORECARD_GROUPS, Indicator

router = Router(tags=["质效指标"])
MAX_PAGE_SIZE = 200


# ---------------------------------------------------------------- schemas


class IndicatorOut(Schema):
    code: str
    name: str
    group: str
    unit: str = Field(..., description="percent（%）或 days（天）")
    direction: str = Field(..., description="higher：越高越好；lower：越低越好")
    numerator: str
    denominator: str
    definition: str
    citation: str
    target: Decimal | None
    target_citation: str
    levels: list[str]


class FigureOut(Schema):
    code: str
    name: str
    numerator: int = Field(..., description="分子（金额为分，天数为天）")
    denominator: int
    value: Decimal | None = Field(None, description="数值（单位见 unit），分母为0时为 null")
    unit: str
    meets_target: bool | None


class ScoreItemOut(Schema):
    code: str
    weight: int
    full_at: Decimal
    zero_at: Decimal
    score: Decimal | None = Field(None, description="得分率0–100，无数据为 null（不计分）")
    points: Decimal | None


class ScoreGroupOut(Schema):
    group: str
    label: str
    items: list[ScoreItemOut]


class ScorecardOut(Schema):
    total: Decimal | None
    tier: str = Field(..., description="not_met / met / good / excellent；无数据为空")
    tier_label: str
    weights_from: str
    left_out: list[str]
    groups: list[ScoreGroupOut]


class ScopeOut(Schema):
    court_id: int
    court: str
    region: bool
    team_id: int | None
    handler_id: int | None
    level: str
    label: str


class BoardOut(Schema):
    scope: ScopeOut
    period: str
    start: dt.date
    end: dt.date
    as_of: dt.date
    source: str = Field(..., description="snapshot（快照）或 live（实时计算）")
    final: bool
    notes: list[str]
    figures: list[FigureOut]
    scorecard: ScorecardOut


class RowOut(Schema):
    level: str
    id: int
    court_id: int
    name: str
    figures: list[FigureOut]
    score: Decimal | None = None
    tier: str = ""


class BreakdownOut(Schema):
    by: str
    period: str
    as_of: dt.date
    source: str
    rows: list[RowOut]


class RankingOut(Schema):
    court_id: int
    court: str
    period: str
    as_of: dt.date
    source: str
    order_by: str
    rows: list[RowOut]


class TrendPointOut(Schema):
    month: str
    numerator: int
    denominator: int
    value: Decimal | None


class TrendSeriesOut(Schema):
    code: str
    name: str
    points: list[TrendPointOut]


class TrendOut(Schema):
    live_months: list[str]
    series: list[TrendSeriesOut]


class CaseRowOut(Schema):
    id: int
    case_number: str
    court_id: int
    team_id: int | None
    handler_id: int | None
    filed_on: dt.date
    closed_on: dt.date | None
    closing_type: str
    claim_amount_fen: int
    performed_amount_fen: int
    days: int | None = None


class PetitionOut(Schema):
    id: int
    case_id: int
    case_number: str
    reference: str
    channel: str
    received_on: dt.date
    closed_on: dt.date | None
    summary: str
    outcome: str


class DrillOut(Schema):
    indicator: str
    part: str
    measure: str
    total: int = Field(..., description="清单合计：件数，或金额（分）、天数之和——等于该指标的分子或分母")
    count: int
    page: int
    pages: int
    cases: list[CaseRowOut]
    petitions: list[PetitionOut]


class ScopeQuery(Schema):
    court: int | None = Field(None, description="法院 id（默认本人所在法院）")
    team: int | None = None
    handler: int | None = None
    region: bool = Field(False, description="含辖区法院（中院、高院）")
    period: str = Field("", description="2026、2026Q1、2026-03；空：本年度")
    start: dt.date | None = Field(None, description="自定义期间起（与 end 同用）")
    end: dt.date | None = None


class PetitionIn(Schema):
    case_id: int | None = None
    case_number: str = ""
    received_on: dt.date
    summary: str
    channel: str = Field(PetitionChannel.VISIT, description="visit/letter/online/hotline/referred")
    reference: str = Field("", description="信访编号：同一编号重复提交返回原记录")
    closed_on: dt.date | None = None
    outcome: str = ""


class PetitionCloseIn(Schema):
    closed_on: dt.date
    outcome: str


class ReviewIn(Schema):
    case_id: int | None = None
    case_number: str = ""
    kind: str = Field(..., description="objection/review/supervision/state_compensation")
    outcome: str = Field(..., description="upheld/revoked/changed；国家赔偿：compensated/not_compensated")
    decided_on: dt.date
    document_number: str = ""
    note: str = ""


class ReviewOut(Schema):
    id: int
    case_id: int
    kind: str
    outcome: str
    decided_on: dt.date
    document_number: str


class DisclosureIn(Schema):
    case_id: int | None = None
    case_number: str = ""
    kind: str = Field(DisclosureKind.DOCUMENT_ONLINE, description="document_online/node_notice/information")
    disclosed_on: dt.date
    reference: str = ""


class DisclosureOut(Schema):
    id: int
    case_id: int
    kind: str
    disclosed_on: dt.date
    reference: str


# ---------------------------------------------------------------- serialisers


def _indicator(i: Indicator) -> dict:
    return {"code": i.code, "name": i.name, "group": i.group, "unit": i.unit, "direction": i.direction,
            "numerator": i.numerator.label, "denominator": i.denominator.label, "definition": i.definition,
            "citation": i.citation, "target": i.target, "target_citation": i.target_citation, "levels": list(i.levels)}


def _figure(f: Figure) -> dict:
    return {"code": f.indicator.code, "name": f.indicator.name, "numerator": f.numerator, "denominator": f.denominator,
            "value": f.value, "unit": f.indicator.unit, "meets_target": f.indicator.meets_target(f.value)}


def _figures(figures: dict[str, Figure]) -> list[dict]:
    return [_figure(figures[i.code]) for i in INDICATOR_LIST if i.code in figures]


def _scorecard(card) -> dict:
    return {"total": card.total, "tier": card.tier, "tier_label": card.tier_label, "weights_from": card.scheme.source_label,
            "left_out": card.left_out,
            "groups": [{"group": g.group, "label": g.label, "items": [
                {"code": it.indicator.code, "weight": it.line.weight, "full_at": it.line.full_at,
                 "zero_at": it.line.zero_at, "score": it.score, "points": it.points} for it in g.items]}
                for g in card.groups]}


def _scope(user, q: ScopeQuery) -> selectors.Scope:
    return selectors.scope_for(user, court_id=q.court, team_id=q.team, handler_id=q.handler, region=q.region)


def _period(q: ScopeQuery):
    return selectors.period_from(q.period, start=q.start, end=q.end)


def _row(row) -> dict:
    data = {"level": row.level, "id": row.scope_id, "court_id": row.court_id, "name": row.name,
            "figures": _figures(row.figures)}
    if row.scorecard is not None:
        data.update(score=row.scorecard.total, tier=row.scorecard.tier)
    return data


def _case(request, case_id: int | None, case_number: str) -> EnforcementCase:
    """The case named by id or number, in a court the user may act in (services check that too)."""
    if case_id is None and not case_number.strip():
        raise ValidationFailed([FieldError("case_id", "请提供 case_id 或 case_number")])
    if case_id is not None:
        from zhixing.cases.selectors import case_get_for_user

        return case_get_for_user(user=request.user, pk=case_id)
    return case_for(None if request.user.is_superuser else request.user.court_id, case_number)


# ---------------------------------------------------------------- reads


@router.get("/catalogue", response=list[IndicatorOut], summary="指标目录：口径、单位、方向、目标、依据")
def catalogue(request):
    return [_indicator(i) for i in INDICATOR_LIST]


@router.get("/scorecard/groups", response=list[list[str]], summary="武汉评分的分组（公正、效率、效果）及其指标")
def scorecard_groups(request):
    return [[group, *codes] for group, codes in SCORECARD_GROUPS]


@router.get("/values", response=BoardOut, summary="一个法院（或团队、承办人）一个期间的全部指标与武汉评分")
def values(request, q: Query[ScopeQuery]):
    scope, period = _scope(request.user, q), _period(q)
    board = selectors.board(scope, period)
    return {
        "scope": {"court_id": scope.court.pk, "court": scope.court.name, "region": scope.region,
                  "team_id": scope.team.pk if scope.team else None,
                  "handler_id": scope.handler.pk if scope.handler else None, "level": scope.level, "label": scope.label},
        "period": period.key, "start": period.start, "end": period.end, "as_of": board.as_of, "source": board.source,
        "final": period.is_final(board.as_of), "notes": board.notes, "figures": _figures(board.figures),
        "scorecard": _scorecard(board.scorecard),
    }


@router.get("/breakdown", response=BreakdownOut, summary="按法院（辖区）、团队或承办人分组的指标")
def breakdown(request, q: Query[ScopeQuery], by: str = "team"):
    scope, period = _scope(request.user, q), _period(q)
    rows, sp, as_of = selectors.breakdown(scope, period, by)
    return {"by": by, "period": period.key, "as_of": as_of, "source": "snapshot" if sp else "live",
            "rows": [_row(r) for r in rows]}


@router.get("/ranking", response=RankingOut, summary="中级人民法院辖区基层法院排名（按指标或武汉评分）")
def ranking(request, court: int | None = None, period: str = "", indicator: str = ""):
    chosen = selectors.period_from(period)
    intermediate, _choices, rows, sp, as_of = selectors.ranking(request.user, chosen, court_id=court, indicator=indicator)
    return {"court_id": intermediate.pk, "court": intermediate.name, "period": chosen.key, "as_of": as_of,
            "source": "snapshot" if sp else "live", "order_by": indicator or "score", "rows": [_row(r) for r in rows]}


class TrendQuery(ScopeQuery):
    indicator: list[str] = Field(default_factory=lambda: ["closure_rate"], description="指标代码，可重复")
    months: int = Field(12, description="12 或 24")


@router.get("/trend", response=TrendOut, summary="近12（或24）个月的月度趋势")
def trend(request, q: Query[TrendQuery]):
    if q.months not in (12, 24):
        raise ValidationFailed([FieldError("months", "应为12或24")])
    result = selectors.trend(_scope(request.user, q), q.indicator, months=q.months)
    return {"live_months": result.live_months, "series": [
        {"code": code, "name": INDICATORS[code].name, "points": [
            {"month": m.key, "numerator": f.numerator, "denominator": f.denominator, "value": f.value}
            for m, f in zip(result.months, figures, strict=True)]}
        for code, figures in result.series.items()]}


@router.get("/cases", response=DrillOut, summary="数字背后的清单：某指标分子或分母所计的案件（或信访）")
def drill(request, q: Query[ScopeQuery], indicator: str, part: str = "numerator", page: int = 1,
          page_size: int = 50):
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationFailed([FieldError("page_size", f"应为1至{MAX_PAGE_SIZE}")])
    if page < 1:
        raise ValidationFailed([FieldError("page", "应为不小于1的整数")])
    result = selectors.drilldown(_scope(request.user, q), _period(q), indicator, part)
    count = result.rows.count()
    rows = list(result.rows[(page - 1) * page_size: page * page_size])
    body = {"indicator": indicator, "part": part, "measure": result.measure.label,
            "total": result.value() if result.measure.total else count, "count": count, "page": page,
            "pages": max(1, -(-count // page_size)), "cases": [], "petitions": []}
    if result.kind == "petitions":
        body["petitions"] = [{"id": p.pk, "case_id": p.case_id, "case_number": p.case.case_number,
                              "reference": p.reference, "channel": p.channel, "received_on": p.received_on,
                              "closed_on": p.closed_on, "summary": p.summary, "outcome": p.outcome} for p in rows]
    else:
        body["cases"] = [{"id": c.pk, "case_number": c.case_number, "court_id": c.court_id, "team_id": c.team_id,
                          "handler_id": c.handler_id, "filed_on": c.filed_on, "closed_on": c.closed_on,
                          "closing_type": c.closing_type, "claim_amount_fen": c.claim_amount_fen,
                          "performed_amount_fen": c.performed_amount_fen, "days": getattr(c, "days", None)}
                         for c in rows]
    return body


# ---------------------------------------------------------------- records


def _petition(p: Petition) -> dict:
    return {"id": p.pk, "case_id": p.case_id, "case_number": p.case.case_number, "reference": p.reference,
            "channel": p.channel, "received_on": p.received_on, "closed_on": p.closed_on, "summary": p.summary,
            "outcome": p.outcome}


@router.post("/petitions", response={201: PetitionOut}, summary="登记执行信访（记入案件执行日志）")
def petition_create(request, payload: PetitionIn):
    case = _case(request, payload.case_id, payload.case_number)
    petition = services.petition_register(actor=request.user, case=case, received_on=payload.received_on,
                                          summary=payload.summary, channel=payload.channel,
                                          reference=payload.reference, closed_on=payload.closed_on,
                                          outcome=payload.outcome)
    return Status(201, _petition(petition))


@router.post("/petitions/{int:petition_id}/close", response=PetitionOut, summary="执行信访办结")
def petition_close(request, petition_id: int, payload: PetitionCloseIn):
    from zhixing.cases.exceptions import NotFound
    from zhixing.cases.selectors import visible_court_ids

    petition = Petition.objects.select_related("case").filter(pk=petition_id).first()
    visible = visible_court_ids(request.user)
    if petition is None or (visible is not None and petition.court_id not in visible):
        raise NotFound("信访记录不存在")
    petition = services.petition_close(actor=request.user, petition=petition, closed_on=payload.closed_on,
                                       outcome=payload.outcome)
    return _petition(petition)


@router.post("/reviews", response={201: ReviewOut}, summary="登记执行行为审查结果（异议、复议、监督、国家赔偿）")
def review_create(request, payload: ReviewIn):
    case = _case(request, payload.case_id, payload.case_number)
    review = services.review_record(actor=request.user, case=case, kind=payload.kind, outcome=payload.outcome,
                                    decided_on=payload.decided_on, document_number=payload.document_number,
                                    note=payload.note)
    return Status(201, {"id": review.pk, "case_id": review.case_id, "kind": review.kind, "outcome": review.outcome,
                        "decided_on": review.decided_on, "document_number": review.document_number})


@router.post("/disclosures", response={201: DisclosureOut}, summary="登记执行公开")
def disclosure_create(request, payload: DisclosureIn):
    case = _case(request, payload.case_id, payload.case_number)
    row = services.disclosure_record(actor=request.user, case=case, kind=payload.kind,
                                     disclosed_on=payload.disclosed_on, reference=payload.reference)
    return Status(201, {"id": row.pk, "case_id": row.case_id, "kind": row.kind, "disclosed_on": row.disclosed_on,
                        "reference": row.reference})
