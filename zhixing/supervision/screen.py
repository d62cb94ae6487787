"""Command centre pages: the court dashboard (/supervision/centre/), the big screen
(/supervision/screen/) and the basic courts side by side (/supervision/courts/). Figures come from
dashboard.py and rebalancing.py, which the API (api_screen.py) uses too."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_GET

from zhixing.accounts.models import User
from zhixing.cases.exceptions import NotAllowed, NotFound
from zhixing.cases.selectors import visible_court_ids
from zhixing.courts.models import Team

from .dashboard import Dashboard, Scope, dashboard, scope_for, screen_data
from .rebalancing import (
    BALANCE_CITATION,
    BALANCE_TOLERANCE,
    NEW_CASE_WINDOW_DAYS,
    balance_for,
    balancing_court_for,
    courts_side_by_side,
)
from .rules import WuChao

SCREEN_REFRESH_MS = 60_000  # the big screen fetches fresh figures every minute, without reloading


# ---------------------------------------------------------------- pages


def _int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise Http404(f"{name} 参数无效")
    return int(value)


def _page_scope(request: HttpRequest) -> Scope:
    try:
        return scope_for(
            request.user, court_id=_int_param(request, "court"), team_id=_int_param(request, "team")
        )
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _chart_json(board: Dashboard) -> dict:
    from .api_screen import ScreenOut  # the page embeds exactly what the API returns

    return ScreenOut.model_validate(screen_data(board)).model_dump(mode="json")


def _shows_courts_link(user: User) -> bool:
    try:
        balancing_court_for(user)
    except NotAllowed:
        return False
    return True


@login_required
@require_GET
def centre(request: HttpRequest) -> HttpResponse:
    scope = _page_scope(request)
    board = dashboard(scope, ticker_limit=50)
    teams = Team.objects.filter(court=scope.court).order_by("-active", "name")
    context = {
        "scope": scope,
        "board": board,
        "teams": teams,
        "classes": [WuChao.LABELS[k] for k in WuChao.ORDER],
        "chart": _chart_json(board),
        "courts_link": _shows_courts_link(request.user),
    }
    return render(request, "supervision/centre.html", context)


@login_required
@require_GET
def screen(request: HttpRequest) -> HttpResponse:
    scope = _page_scope(request)
    query = {"court": scope.court.pk} | ({"team": scope.team.pk} if scope.team else {})
    config = {
        "api_url": reverse("api-v1:supervision_screen"),
        "query": query,
        "refresh_ms": SCREEN_REFRESH_MS,
    }
    context = {"scope": scope, "data": _chart_json(dashboard(scope)), "config": config}
    return render(request, "supervision/screen.html", context)


def _per_judge(cases: int | None, judges: int) -> float | None:
    return round(cases / judges, 1) if cases is not None and judges else None


@login_required
@require_GET
def courts(request: HttpRequest) -> HttpResponse:
    try:
        intermediate, choices = balancing_court_for(request.user, court_id=_int_param(request, "court"))
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except NotFound as exc:
        raise Http404(exc.message) from exc
    rows = courts_side_by_side(intermediate)
    plan = balance_for(rows)
    visible = visible_court_ids(request.user)
    table = [
        {
            "row": r,
            "visible": visible is None or r.court.pk in visible,
            "projected": plan.before.get(r.court.pk),
            "projected_per_judge": _per_judge(plan.before.get(r.court.pk), r.judges),
            "after": plan.after.get(r.court.pk),
            "after_per_judge": _per_judge(plan.after.get(r.court.pk), r.judges),
        }
        for r in rows
    ]
    chart = {
        "courts": [r.court.name for r in rows],
        "recent": [r.new_recent for r in rows],
        "previous": [r.new_previous for r in rows],
        "per_judge": [r.open_per_judge for r in rows],
    }
    context = {
        "intermediate": intermediate,
        "choices": choices,
        "table": table,
        "plan": plan,
        "target": round(float(plan.target_per_judge), 1) if plan.target_per_judge is not None else None,
        "classes": [WuChao.LABELS[k] for k in WuChao.ORDER],
        "window": NEW_CASE_WINDOW_DAYS,
        "tolerance": int(BALANCE_TOLERANCE * 100),
        "citation": BALANCE_CITATION,
        "chart": chart,
    }
    return render(request, "supervision/courts_side_by_side.html", context)


urlpatterns = [
    path("centre/", centre, name="centre"),
    path("screen/", screen, name="screen"),
    path("courts/", courts, name="courts"),
]
