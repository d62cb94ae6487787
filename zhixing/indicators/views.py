"""Pages of the quality indicators (/indicators/): the figures of a court, team or handler for a
period with the Wuhan scorecard; the breakdown by court, team or handler; the monthly trend; the
ranking of the courts under an intermediate court; the cases behind any number; the printable report
(and its PDF); the scorecard weights; the records clerks enter. Every view answers `?format=xlsx`
with the same figures as a spreadsheet. Thin: authorise and parse, one selector or service, render."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhixing.cases.exceptions import DomainError, NotAllowed, NotFound, ValidationFailed
from zhixing.cases.rules import LEADERS
from zhixing.documents.pdf import PdfFailed, PdfUnavailable, html_pdf_available, html_to_pdf
from zhixing.pages import run_service

from . import exports, imports, periods, selectors, services
from .choices import Direction, Group, Level
from .forms import (
    DisclosureForm,
    FilterForm,
    ImportForm,
    PetitionCloseForm,
    PetitionForm,
    ReviewForm,
    WeightsForm,
    case_for,
)
from .models import ConductReview, Disclosure, Petition, ScorecardWeight
from .rules import (
    CORE_CODES,
    DEFAULTS_NOTE,
    INDICATOR_LIST,
    INDICATORS,
    SCORECARD_CITATION,
    SCORED_CODES,
    TIER_CITATION,
)
from .scorecard import scheme_for

PAGE_SIZE = 50
TREND_DEFAULT = (*CORE_CODES, "closure_rate", "actual_closure_rate")
GROUP_ORDER = (Group.CORE, Group.FAIRNESS, Group.EFFICIENCY, Group.EFFECT, Group.OTHER)


# ---------------------------------------------------------------- parsing the filter bar


def _found(call):
    try:
        return call()
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc


def _filters(request: HttpRequest) -> dict:
    form = FilterForm(request.GET)
    form.is_valid()  # bad numbers or dates are simply left out
    return form.cleaned_data


def _scope(request: HttpRequest, data: dict) -> selectors.Scope:
    return _found(lambda: selectors.scope_for(
        request.user, court_id=data.get("court"), team_id=data.get("team"), handler_id=data.get("handler"),
        region=bool(data.get("region")),
    ))


def _period(request: HttpRequest, data: dict) -> periods.Period:
    try:
        return selectors.period_from(data.get("period"), start=data.get("start"), end=data.get("end"))
    except ValidationFailed as exc:
        messages.error(request, f"{exc.message}；已改为显示本年度")
        return selectors.period_from(None)


def period_params(period: periods.Period) -> dict:
    if period.snapshotted:
        return {"period": period.key}
    return {"start": period.start.isoformat(), "end": period.end.isoformat()}


def _query(*parts: dict, **extra) -> str:
    merged: dict = {}
    for part in parts:
        merged.update(part)
    merged.update({k: v for k, v in extra.items() if v not in (None, "")})
    return urlencode(merged)


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


def _wants_xlsx(request: HttpRequest) -> bool:
    return request.GET.get("format") == "xlsx"


def _common(request, scope, period, **more) -> dict:
    today = periods.today()
    return {
        "scope": scope,
        "period": period,
        "scope_query": _query(scope.params, period_params(period)),
        "period_query": _query(period_params(period)),
        "period_choices": selectors.period_choices(today),
        "teams": selectors.teams_of(scope),
        "handlers": selectors.handlers_of(scope),
        "pdf_available": html_pdf_available(),
        **more,
    }


# ---------------------------------------------------------------- overview


def _grouped(board) -> list[tuple[str, list]]:
    rows = []
    for group in GROUP_ORDER:
        items = [(i, board.figures[i.code]) for i in INDICATOR_LIST if i.group == group and i.code in board.figures]
        if items:
            rows.append((Group(group).label, items))
    return rows


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    data = _filters(request)
    scope, period = _scope(request, data), _period(request, data)
    board = selectors.board(scope, period)
    if _wants_xlsx(request):
        return _xlsx(exports.board_xlsx(board), f"质效指标-{scope.court.court_code}-{period.key}.xlsx")
    context = _common(request, scope, period, board=board, groups=_grouped(board), card=board.scorecard,
                      tier_citation=TIER_CITATION, scorecard_citation=SCORECARD_CITATION, defaults_note=DEFAULTS_NOTE)
    return render(request, "indicators/overview.html", context)


# ---------------------------------------------------------------- breakdown


@login_required
@require_GET
def breakdown(request: HttpRequest) -> HttpResponse:
    data = _filters(request)
    scope, period = _scope(request, data), _period(request, data)
    by = request.GET.get("by") or (Level.COURT if scope.region else Level.TEAM)
    try:
        rows, sp, as_of = selectors.breakdown(scope, period, by)
    except ValidationFailed as exc:
        raise Http404(exc.message) from exc
    heading = f"{scope.label} · {period.label} · 按{Level(by).label}（数据截至 {as_of}）"
    if _wants_xlsx(request):
        return _xlsx(exports.rows_xlsx("分组", heading, rows), f"质效指标-按{Level(by).label}-{period.key}.xlsx")
    context = _common(request, scope, period, rows=rows, by=by, by_label=Level(by).label, snapshot=sp, as_of=as_of,
                      indicators=INDICATOR_LIST, levels=Level, by_hidden=[("by", by)])
    return render(request, "indicators/breakdown.html", context)


# ---------------------------------------------------------------- trend


def _chart_value(figure) -> float | None:
    """For the chart only (ECharts wants numbers); the table beside it shows the exact decimals."""
    return None if figure.value is None else float(figure.value.quantize(exports.Decimal("0.01")))


@login_required
@require_GET
def trend(request: HttpRequest) -> HttpResponse:
    data = _filters(request)
    scope = _scope(request, data)
    codes = [c for c in request.GET.getlist("indicator") if c in INDICATORS] or list(TREND_DEFAULT)
    months = 24 if request.GET.get("months") == "24" else 12
    result = _found(lambda: selectors.trend(scope, codes, months=months))
    if _wants_xlsx(request):
        return _xlsx(exports.trend_xlsx(scope, result), f"质效指标趋势-{scope.court.court_code}.xlsx")
    chart = {
        "months": [m.key for m in result.months],
        "series": [{"name": INDICATORS[c].label, "unit": INDICATORS[c].unit_label,
                    "data": [_chart_value(f) for f in result.series[c]]} for c in codes],
    }
    table = [(m, [result.series[c][i] for c in codes]) for i, m in enumerate(result.months)]
    context = _common(request, scope, periods.containing(periods.today(), "year"), trend=result, codes=codes,
                      chosen=[INDICATORS[c] for c in codes], months=months, chart=chart, table=table,
                      indicators=INDICATOR_LIST)
    return render(request, "indicators/trend.html", context)


# ---------------------------------------------------------------- ranking


@login_required
@require_GET
def ranking(request: HttpRequest) -> HttpResponse:
    data = _filters(request)
    period = _period(request, data)
    indicator = request.GET.get("indicator", "")
    try:
        intermediate, choices, rows, sp, as_of = selectors.ranking(request.user, period, court_id=data.get("court"),
                                                                   indicator=indicator)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except (NotFound, ValidationFailed) as exc:
        raise Http404(exc.message) from exc
    chosen = INDICATORS.get(indicator)
    heading = f"{intermediate.name}辖区法院 · {period.label} · 按{chosen.name if chosen else '评分'}排名（数据截至 {as_of}）"
    if _wants_xlsx(request):
        return _xlsx(exports.rows_xlsx("排名", heading, rows, with_score=True), f"辖区法院排名-{period.key}.xlsx")
    if chosen:
        values = [_chart_value(r.figures[chosen.code]) if chosen.code in r.figures else None for r in rows]
    else:
        values = [float(r.scorecard.total) if r.scorecard.total is not None else None for r in rows]
    chart = {"courts": [r.name for r in rows], "values": values, "unit": chosen.unit_label if chosen else "分",
             "name": chosen.label if chosen else "武汉评分"}
    context = {
        "intermediate": intermediate, "choices": choices, "rows": rows, "period": period, "snapshot": sp,
        "as_of": as_of, "chosen": chosen, "indicators": INDICATOR_LIST, "chart": chart,
        "period_choices": selectors.period_choices(periods.today()), "period_query": _query(period_params(period)),
        "lower_is_better": chosen is not None and chosen.direction == Direction.LOWER,
    }
    return render(request, "indicators/ranking.html", context)


# ---------------------------------------------------------------- drill-down


@login_required
@require_GET
def drill(request: HttpRequest) -> HttpResponse:
    data = _filters(request)
    scope, period = _scope(request, data), _period(request, data)
    code, part = request.GET.get("indicator", ""), request.GET.get("part", "numerator")
    try:
        result = selectors.drilldown(scope, period, code, part)
    except (NotFound, ValidationFailed) as exc:
        raise Http404(exc.message) from exc
    measure = result.measure
    heading = f"{scope.label} · {period.label} · {result.indicator.name} · {selectors.PARTS[part]}：{measure.label}"
    if _wants_xlsx(request):
        return _xlsx(exports.drill_xlsx(result, heading), f"{result.indicator.name}-{selectors.PARTS[part]}-{period.key}.xlsx")
    page = Paginator(result.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    total = result.value() if measure.total else page.paginator.count
    context = _common(request, scope, period, drill=result, page=page, total=total, heading=heading,
                      part_label=selectors.PARTS[part], money=measure.total.endswith("_fen"),
                      drill_query=_query(scope.params, period_params(period), indicator=code, part=part),
                      other_query=_query(scope.params, period_params(period), indicator=code,
                                         part="denominator" if part == "numerator" else "numerator"))
    return render(request, "indicators/drill.html", context)


# ---------------------------------------------------------------- printable report and PDF


def _report_context(request, scope, period) -> dict:
    board = selectors.board(scope, period)
    by = Level.COURT if scope.region else (Level.TEAM if scope.level == Level.COURT else None)
    rows = selectors.breakdown(scope, period, by)[0] if by else []
    return {"scope": scope, "period": period, "board": board, "groups": _grouped(board), "card": board.scorecard,
            "rows": rows, "by_label": Level(by).label if by else "", "core": [INDICATORS[c] for c in CORE_CODES],
            "row_core": [INDICATORS[c] for c in CORE_CODES if by in INDICATORS[c].levels],
            "tier_citation": TIER_CITATION, "printed_on": periods.today(), "user": request.user,
            "defaults_note": DEFAULTS_NOTE}


@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    data = _filters(request)
    scope, period = _scope(request, data), _period(request, data)
    context = _report_context(request, scope, period)
    context.update(pdf_available=html_pdf_available(), scope_query=_query(scope.params, period_params(period)),
                   for_pdf=False)
    return render(request, "indicators/report.html", context)


@login_required
@require_GET
def report_pdf(request: HttpRequest) -> HttpResponse:
    data = _filters(request)
    scope, period = _scope(request, data), _period(request, data)
    context = _report_context(request, scope, period) | {"for_pdf": True}
    html = render_to_string("indicators/report.html", context, request=request)
    try:
        pdf = html_to_pdf(html)
    except (PdfUnavailable, PdfFailed) as exc:
        return render(request, "indicators/pdf_unavailable.html",
                      {"message": str(exc), "back": reverse("indicators:report") + "?" + _query(scope.params, period_params(period))},
                      status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"质效指标报告-{scope.court.court_code}-{period.key}.pdf"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


# ---------------------------------------------------------------- scorecard weights


def _may_set_weights(user, court) -> bool:
    if user.is_superuser:
        return True
    return not user.is_read_only and user.court_id == court.pk and user.role in LEADERS


@login_required
@require_http_methods(["GET", "POST"])
def weights(request: HttpRequest) -> HttpResponse:
    data = _filters(request)
    scope = _scope(request, data)
    court = scope.court
    scheme = scheme_for(court)
    may_edit = _may_set_weights(request.user, court)
    form = WeightsForm(request.POST or None, scheme=scheme)
    status = 200
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied("只有本院执行局长、院长可以设置评分权重")
        if form.is_valid():
            done, status = run_service(form, lambda: services.weights_set(
                actor=request.user, court=court, lines=form.lines(), reason=form.cleaned_data["reason"]))
            if done is not None:
                messages.success(request, "评分权重已保存（新版本，旧版本保留在历史中）")
                return redirect(reverse("indicators:weights") + f"?court={court.pk}")
        else:
            status = 422
    history = ScorecardWeight.objects.filter(court=court).select_related("set_by").order_by("-set_at", "indicator")[:90]
    context = {"scope": scope, "court": court, "scheme": scheme, "form": form, "rows": form.rows(scheme), "may_edit": may_edit,
               "history": history, "defaults_note": DEFAULTS_NOTE, "citation": SCORECARD_CITATION,
               "tier_citation": TIER_CITATION, "indicators": INDICATORS, "scored": SCORED_CODES}
    return render(request, "indicators/weights.html", context, status=status)


# ---------------------------------------------------------------- records: petitions, reviews, disclosures


RECORD_FORMS = {"petitions": PetitionForm, "reviews": ReviewForm, "disclosures": DisclosureForm}


def _may_record(user, court) -> bool:
    return user.is_superuser or (not user.is_read_only and user.court_id == court.pk
                                 and user.role in services.RECORDERS)


def _records_context(request, scope, tab: str, forms: dict) -> dict:
    q = request.GET.get("q", "").strip()
    models = {"petitions": Petition, "reviews": ConductReview, "disclosures": Disclosure}
    rows = models[tab].objects.filter(court_id__in=scope.court_ids).select_related("case")
    if q:
        rows = rows.filter(case__case_number__contains=q)
    if tab == "petitions" and request.GET.get("open"):
        rows = rows.filter(closed_on__isnull=True)
    page = Paginator(rows.order_by("-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    may_record = _may_record(request.user, scope.court)
    if tab == "petitions" and may_record:
        for petition in page.object_list:
            if petition.closed_on is None:
                petition.close_form = PetitionCloseForm(prefix=f"close-{petition.pk}")
    return {"scope": scope, "tab": tab, "tabs": [(k, label) for k, (label, _c) in imports.KINDS.items()],
            "page": page, "q": q, "may_record": may_record, "form": forms.get("record") or RECORD_FORMS[tab](),
            "import_form": forms.get("import") or ImportForm(initial={"kind": tab}),
            "columns": imports.KINDS[tab][1], "court_query": _query({"court": scope.court.pk})}


@login_required
@require_http_methods(["GET", "POST"])
def records(request: HttpRequest) -> HttpResponse:
    data = _filters(request)
    scope = _scope(request, data)
    tab = request.GET.get("tab") if request.GET.get("tab") in RECORD_FORMS else "petitions"
    forms, status = {}, 200
    if request.method == "POST":
        if not _may_record(request.user, scope.court):
            raise PermissionDenied("上级法院监督角色或无登记权限的角色只能查看")
        form = RECORD_FORMS[tab](request.POST)
        if form.is_valid():
            values = {k: v for k, v in form.cleaned_data.items() if k != "case_number" and v not in (None, "")}

            def call():
                case = case_for(scope.court.pk, form.cleaned_data["case_number"])
                if tab == "petitions":
                    return services.petition_register(actor=request.user, case=case, **values)
                if tab == "reviews":
                    return services.review_record(actor=request.user, case=case, **values)
                return services.disclosure_record(actor=request.user, case=case, **values)

            done, status = run_service(form, call)
            if done is not None:
                messages.success(request, f"已登记：{done.case.case_number}")
                return redirect(reverse("indicators:records") + "?" + _query({"court": scope.court.pk, "tab": tab}))
        else:
            status = 422
        forms["record"] = form
    return render(request, "indicators/records.html", _records_context(request, scope, tab, forms), status=status)


@login_required
@require_POST
def records_import(request: HttpRequest) -> HttpResponse:
    data = _filters(request)
    scope = _scope(request, data)
    if not _may_record(request.user, scope.court):
        raise PermissionDenied("上级法院监督角色或无登记权限的角色只能查看")
    form = ImportForm(request.POST, request.FILES)
    tab = request.POST.get("kind") if request.POST.get("kind") in RECORD_FORMS else "petitions"
    status = 422
    if form.is_valid():
        upload = form.cleaned_data["file"]
        done, status = run_service(form, lambda: imports.records_import(
            actor=request.user, kind=form.cleaned_data["kind"], file_name=upload.name, content=upload.read()))
        if done is not None:
            messages.success(request, f"导入 {done.rows} 行：新登记 {done.created} 条，已登记过 {done.already} 条")
            return redirect(reverse("indicators:records") + "?" + _query({"court": scope.court.pk, "tab": tab}))
    context = _records_context(request, scope, tab, {"import": form})
    return render(request, "indicators/records.html", context, status=status)


@login_required
@require_POST
def petition_close(request: HttpRequest, pk: int) -> HttpResponse:
    petition = Petition.objects.filter(pk=pk).select_related("case").first()
    visible = selectors.visible_court_ids(request.user)
    if petition is None or (visible is not None and petition.court_id not in visible):
        raise Http404("信访记录不存在")
    form = PetitionCloseForm(request.POST, prefix=f"close-{pk}")
    back = reverse("indicators:records") + "?" + _query({"court": petition.court_id, "tab": "petitions"})
    if form.is_valid():
        try:
            services.petition_close(actor=request.user, petition=petition, closed_on=form.cleaned_data["closed_on"],
                                    outcome=form.cleaned_data["outcome"])
            messages.success(request, f"信访已办结：{petition.case.case_number}")
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        problems = "；".join(f"{form.fields[f].label}：{' '.join(e)}" for f, e in form.errors.items() if f in form.fields)
        messages.error(request, f"未能办结：{problems or '请填写办结日期与办理结果'}")
    return redirect(back)


@login_required
@require_GET
def record_template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in imports.KINDS:
        raise Http404("未知记录类别")
    response = HttpResponse(imports.template_csv(kind), content_type="text/csv; charset=utf-8")
    name = f"{imports.KINDS[kind][0]}导入模板.csv"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


# ---------------------------------------------------------------- the big screen's panel


@login_required
@require_GET
def screen_panel(request: HttpRequest) -> HttpResponse:
    """The panel alone, for the big screen to refresh it in place."""
    from .templatetags.indicator_tags import screen_panel_data

    data = _filters(request)
    scope = _scope(request, data)
    return render(request, "indicators/_screen_panel_body.html", {"panel": screen_panel_data(scope.court, request.user)})
