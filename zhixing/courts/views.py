"""Court pages: the overview of every court the user may see."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from zhixing.cases.choices import ClosingType, Stage
from zhixing.cases.selectors import court_overview


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    rows = court_overview(user=request.user)
    # Templates cannot look a dict up by a variable key: lay the counts out in column order here.
    for row in rows:
        row["stage_counts"] = [row["stages"].get(stage, 0) for stage in Stage.values]
        row["closing_counts"] = [row["closings"].get(closing, 0) for closing in ClosingType.values]
    totals = {
        key: sum(row[key] for row in rows) for key in ("total", "open", "closed", "claim_fen", "performed_fen")
    }
    totals["stage_counts"] = [sum(column) for column in zip(*(r["stage_counts"] for r in rows), strict=True)] if rows else []
    totals["closing_counts"] = [sum(column) for column in zip(*(r["closing_counts"] for r in rows), strict=True)] if rows else []
    chart = {
        "courts": [row["court"].name for row in rows],
        "series": [
            {"name": label, "data": [row["stages"].get(stage, 0) for row in rows]} for stage, label in Stage.choices
        ],
    }
    context = {
        "rows": rows,
        "totals": totals,
        "stage_labels": Stage.labels,
        "closing_labels": ClosingType.labels,
        "chart": chart,
    }
    return render(request, "courts/overview.html", context)
