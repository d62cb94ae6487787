"""/api/v1/property: the cash ranking here; queries and replies (api_queries), assets, measures and
clues (api_measures)."""

from __future__ import annotations

from datetime import date

from ninja import Query, Router, Schema

from zhixing.cases import selectors as case_selectors

from . import ranking
from .api_measures import router as measures_router
from .api_queries import router as queries_router

router = Router(tags=["财产查控"])


class RankingQuery(Schema):
    team_id: int | None = None
    min_ratio_bp: int | None = None
    limit: int = 50
    offset: int = 0


class RankedOut(Schema):
    case_id: int
    case_number: str
    respondent_names: str
    filed_on: date
    team_name: str
    handler_name: str
    outstanding_fen: int
    cash_fen: int
    ratio_bp: int | None


class RankingOut(Schema):
    total: int
    items: list[RankedOut]


@router.get("/ranking", response=RankingOut, summary="现金可执行率排序（先结简案）")
def cash_ranking(request, q: Query[RankingQuery]):
    court_ids = case_selectors.visible_court_ids(request.user)
    if court_ids is None:
        from zhixing.courts.models import Court

        court_ids = list(Court.objects.values_list("pk", flat=True))
    total, rows = ranking.cash_ranking(court_ids=court_ids, team_id=q.team_id, min_ratio_bp=q.min_ratio_bp,
                                       limit=max(1, min(q.limit, 500)), offset=max(0, q.offset))
    return {"total": total, "items": [r.__dict__ for r in rows]}


router.add_router("", queries_router)
router.add_router("", measures_router)
