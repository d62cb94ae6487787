"""Command-centre data under /api/v1/supervision/screen …: what the big screen and dashboards draw.

Thin: the same selectors as the pages (screen.py), visibility applied there; a court or team the
user may not see is a 404, an account without a court a 403 (the DomainError mapping in zhixing.api).
"""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from . import dashboard, rebalancing
from .rules import WuChao

router = Router(tags=["指挥中心"])


class Ref(Schema):
    id: int
    name: str


class WuchaoClassOut(Schema):
    key: str
    label: str


class HeadlineOut(Schema):
    open_cases: int
    yellow: int  # cases at their worst warning
    orange: int
    red: int
    wuchao: int  # distinct 五超 cases
    locked: int
    unlock_pending: int


class SeriesOut(Schema):
    key: str
    label: str
    data: list[int]


class StackedOut(Schema):
    """Categories (teams or handlers) × one series per 五超 class; `totals` are distinct cases."""

    categories: list[str]
    series: list[SeriesOut]
    totals: list[int]


class TrendOut(Schema):
    days: list[dt.date]
    yellow: list[int | None]  # None: no supervision run that day
    orange: list[int | None]
    red: list[int | None]


class LockedItemOut(Schema):
    case_id: int
    case_number: str
    rules: str
    reason: str
    locked_on: dt.date
    sequence: int


class LockedOut(Schema):
    count: int
    items: list[LockedItemOut]


class LoadOut(Schema):
    categories: list[str]
    data: list[int]


class TickerItemOut(Schema):
    case_id: int
    case_number: str
    wuchao: str
    label: str
    due_on: dt.date
    days_overdue: int
    team: str
    handler: str


class ScreenOut(Schema):
    court: Ref
    team: Ref | None
    as_of: dt.date | None  # the base date of the last full supervision run
    generated_at: dt.datetime
    classes: list[WuchaoClassOut]
    headline: HeadlineOut
    wuchao_by_team: StackedOut
    wuchao_by_judge: StackedOut
    trend: TrendOut
    locked: LockedOut
    load_by_team: LoadOut
    ticker: list[TickerItemOut]


class CourtRowOut(Schema):
    court: Ref
    open_cases: int
    new_recent: int
    new_previous: int
    growth_percent: int | None
    judges: int
    open_per_judge: float | None
    red: int
    locked: int
    wuchao: list[int]  # in the order of `classes`


class TransferOut(Schema):
    from_court: Ref
    to_court: Ref
    cases: int
    text: str


class CourtLoadOut(Schema):
    court_id: int
    projected: int
    after: int


class PlanOut(Schema):
    balanced: bool
    target_per_judge: float | None
    transfers: list[TransferOut]
    loads: list[CourtLoadOut]
    notes: list[str]


class CourtsOut(Schema):
    court: Ref
    window_days: int
    classes: list[WuchaoClassOut]
    courts: list[CourtRowOut]
    plan: PlanOut


@router.get(
    "",
    response=ScreenOut,
    summary="指挥中心大屏数据（五超、预警趋势、锁死案件、团队负荷）",
    url_name="supervision_screen",
)
def screen_data(request, court: int | None = None, team: int | None = None):
    scope = dashboard.scope_for(request.user, court_id=court, team_id=team)
    return dashboard.screen_data(dashboard.dashboard(scope))


@router.get(
    "/courts",
    response=CourtsOut,
    summary="辖区基层法院对比与新收案件均衡调配建议",
    url_name="supervision_screen_courts",
)
def courts_data(request, court: int | None = None):
    intermediate, _ = rebalancing.balancing_court_for(request.user, court_id=court)
    rows = rebalancing.courts_side_by_side(intermediate)
    plan = rebalancing.balance_for(rows)
    return {
        "court": {"id": intermediate.pk, "name": intermediate.name},
        "window_days": rebalancing.NEW_CASE_WINDOW_DAYS,
        "classes": [{"key": k, "label": WuChao.LABELS[k]} for k in WuChao.ORDER],
        "courts": [
            {
                "court": {"id": r.court.pk, "name": r.court.name},
                "open_cases": r.open_cases,
                "new_recent": r.new_recent,
                "new_previous": r.new_previous,
                "growth_percent": r.growth_percent,
                "judges": r.judges,
                "open_per_judge": r.open_per_judge,
                "red": r.red,
                "locked": r.locked,
                "wuchao": r.wuchao_counts,
            }
            for r in rows
        ],
        "plan": {
            "balanced": plan.balanced,
            "target_per_judge": round(float(plan.target_per_judge), 2)
            if plan.target_per_judge is not None
            else None,
            "transfers": [
                {
                    "from_court": {"id": t.from_id, "name": t.from_name},
                    "to_court": {"id": t.to_id, "name": t.to_name},
                    "cases": t.cases,
                    "text": t.text,
                }
                for t in plan.transfers
            ],
            "loads": [
                {"court_id": k, "projected": v, "after": plan.after[k]} for k, v in plan.before.items()
            ],
            "notes": plan.notes,
        },
    }
