"""The case's property page (查控 checklist, assets, measures, clues) and the cash-ratio ranking.
The sections come from views_queries (checklist) and views_measures (assets, measures, clues…)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from zhixing.cases import selectors as case_selectors
from zhixing.cases.pages import visible_case
from zhixing.courts.models import Team

from . import ranking
from .rules import CASH_RATIO_CITATION, FAST_TRACK_MIN_RATIO_BP

PAGE_SIZE = 50


def case_summary(case) -> dict:
    """One line for the case page: how far the 5+X+Y list is, what was found and what is held."""
    from .checklist import case_checklist
    from .models import CaseAsset, ControlMeasure, MeasureStatus

    return {
        "checklist": case_checklist(case).summary,
        "assets": CaseAsset.objects.filter(case=case).count(),
        "measures": ControlMeasure.objects.filter(case=case, status=MeasureStatus.ACTIVE).count(),
    }


def render_case(request: HttpRequest, pk: int, *, bound: dict | None = None, status: int = 200) -> HttpResponse:
    """The property page of a case; `bound` holds a failed form (by name) to show with its errors."""
    from . import views_measures, views_queries

    case = visible_case(request, pk)
    case_selectors.log_case_view(user=request.user, case=case, kind="property_view")  # it shows ID numbers
    context = {
        "case": case,
        "cash": ranking.case_cash(case),
        "cash_citation": CASH_RATIO_CITATION,
        **views_queries.checklist_context(request.user, case),
        **views_measures.case_context(request.user, case, bound),
    }
    return render(request, "property/case.html", context, status=status)


@login_required
@require_GET
def case_property(request: HttpRequest, pk: int) -> HttpResponse:
    return render_case(request, pk)


@login_required
@require_GET
def cash_ranking(request: HttpRequest) -> HttpResponse:
    """先结简案: open cases by cash executability ratio, and cash cases to hand to the fast-track team."""
    court_ids = case_selectors.visible_court_ids(request.user)
    if court_ids is None:  # superuser: every court
        from zhixing.courts.models import Court

        court_ids = list(Court.objects.values_list("pk", flat=True))
    teams = Team.objects.filter(court_id__in=court_ids, active=True).order_by("court_id", "name")
    try:
        team_id = int(request.GET.get("team") or 0) or None
    except ValueError:
        team_id = None
    only_cash = request.GET.get("cash") == "1"
    try:
        number = max(1, int(request.GET.get("page") or 1))
    except ValueError:
        number = 1
    total, rows = ranking.cash_ranking(
        court_ids=court_ids, team_id=team_id, min_ratio_bp=1 if only_cash else None,
        limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE,
    )
    paginator = Paginator(range(total), PAGE_SIZE)
    page = Page(rows, min(number, max(paginator.num_pages, 1)), paginator)
    fast_teams, suggestions = ([], [])
    if request.user.court_id and not request.user.is_read_only:
        fast_teams, suggestions = ranking.fast_track_suggestions(request.user.court_id)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "property/ranking.html", {
        "page": page, "total": total, "teams": teams, "team_id": team_id, "only_cash": only_cash,
        "fast_teams": fast_teams, "suggestions": suggestions, "citation": CASH_RATIO_CITATION,
        "fast_min_percent": FAST_TRACK_MIN_RATIO_BP // 100, "query": query.urlencode(),
    })
