"""Pages of disposal: the case's disposal page (one panel per asset: lookups, the reference-price ladder,
the plan and its rounds, listing packages), the property-centric asset page, and the court's lists
(plans, price tables, batch valuations, the lookup log). Each POST authorises, parses a form, calls one
service and answers: a redirect on success (htmx follows it), the form with its errors otherwise."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from zhixing.cases.exceptions import DomainError, NotFound
from zhixing.cases.pages import visible_case
from zhixing.documents.formatting import yuan_text
from zhixing.money.choices import ReceiptChannel, ReceiptStatus
from zhixing.money.models import Receipt
from zhixing.pages import is_htmx, run_service
from zhixing.property.models import CaseAsset
from zhixing.property.rules import ASSET_KINDS

from . import (
    auctions,
    court_settings,
    forms,
    inquiries,
    listing,
    price_tables,
    reference,
    selectors,
    valuation,
)
from .choices import Method, ObjectionOutcome, PlanStatus, PriceStatus, RoundStatus
from .models import AuctionRound, DisposalPlan, Objection, ReferencePrice, Valuation
from .rules import (
    AUCTION,
    BATCH_ROLES,
    DATA_SECURITY_CITATION,
    LADDER,
    REFERENCE,
    SETTINGS_ROLES,
    TABLE_ROLES,
    WENLING_FORMULA,
)

PAGE_SIZE = 50


def _page(request: HttpRequest, rows):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _owned(request: HttpRequest, model, pk: int, label: str):
    try:
        row = selectors.get_for_user(model, user=request.user, pk=pk, label=label)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if request.user.is_read_only:
        raise PermissionDenied("上级法院监督角色只能查看，不能办理")
    return row


# ---------------------------------------------------------------- the case page


def _attach_forms(user, case, panels, bound: dict) -> None:
    """Each panel, rung, objection and round gets the forms of the actions it allows now; a failed form
    (in `bound`, by its prefix) comes back with its errors."""
    today = timezone.localdate()
    receipts = list(Receipt.objects.filter(case=case, channel__in=(ReceiptChannel.AUCTION, ReceiptChannel.SALE),
                                           status__in=(ReceiptStatus.BOOKED, ReceiptStatus.ASSIGNED)))

    def make(key: str, cls, dated: tuple[str, ...] = (), **kwargs):
        if key in bound:
            return bound[key]
        return forms.today_initial(cls(prefix=key, **kwargs), *dated)

    for panel in panels:
        a = panel.asset.pk
        panel.forms = {}
        if panel.asset.kind == "real_estate":
            panel.forms["lookup_flat"] = make(f"lookup_flat-{a}", forms.FlatLookupForm)
        if panel.asset.kind == "vehicle":
            panel.forms["lookup_vehicle"] = make(f"lookup_vehicle-{a}", forms.VehicleLookupForm,
                                                 initial={"model": panel.asset.details.get("model", "")})
        busy = any(r.status == PriceStatus.IN_PROGRESS for r in panel.prices)
        objected = any(r.status == PriceStatus.OBJECTED for r in panel.prices)
        valid = any(r.status == PriceStatus.RESULT and r.valid_until and r.valid_until >= today for r in panel.prices)
        if panel.hold and not valid and not busy:
            if not objected:
                panel.forms["negotiation"] = make(f"negotiation-{a}", forms.NegotiationForm, ("on",))
                if panel.valuations:
                    panel.forms["directed"] = make(f"directed-{a}", forms.DirectedForm, valuations=panel.valuations)
                panel.forms["online"] = make(f"online-{a}", forms.OnlineForm)
            panel.forms["appraisal"] = make(f"appraisal-{a}", forms.AppraisalForm)
        for ref in panel.prices:
            r = ref.pk
            ref.forms = {}
            if ref.status == PriceStatus.IN_PROGRESS:
                ref.forms["fail"] = make(f"fail-{r}", forms.ReasonForm)
                if ref.method == Method.ONLINE:
                    ref.forms["conclude"] = forms.EmptyForm(prefix=f"conclude-{r}")
                if ref.method == Method.APPRAISAL:
                    ref.forms["report"] = make(f"report-{r}", forms.ReportForm, ("report_on",))
                    if ref.extensions < REFERENCE.appraisal_max_extensions:
                        ref.forms["extend"] = make(f"extend-{r}", forms.ExtendForm)
            if ref.status == PriceStatus.RESULT and ref.method != Method.NEGOTIATION:
                if not ref.served_on:
                    ref.forms["serve"] = make(f"serve-{r}", forms.ServeForm, ("served_on",))
                elif ref.objection_due and ref.objection_due >= today:
                    ref.forms["objection"] = make(f"objection-{r}", forms.ObjectionForm, ("raised_on",))
        for objection in panel.objections:
            if objection.outcome == ObjectionOutcome.PENDING:
                objection.form = make(f"decide-{objection.pk}", forms.DecideForm)
        plan = panel.plan
        if plan is None:
            if panel.hold:
                panel.forms["plan"] = make(f"plan-{a}", forms.PlanForm)
            continue
        plan.forms = {}
        if plan.status == PlanStatus.OPEN:
            try:
                auctions.next_round(plan)
                plan.forms["round"] = make(f"round-{plan.pk}", forms.RoundForm)
            except DomainError:
                pass  # no further round (one is open, or the sale failed): the table says why
            last = next((r for r in reversed(panel.rounds) if r.status != RoundStatus.WITHDRAWN), None)
            if last and last.status == RoundStatus.FAILED and last.kind == "auction":
                plan.forms["in_kind"] = make(f"in_kind-{plan.pk}", forms.InKindForm, ("on",), case=case)
            if not any(r.status == RoundStatus.ANNOUNCED for r in panel.rounds):
                plan.forms["withdraw"] = make(f"plan_withdraw-{plan.pk}", forms.ReasonForm)
        if plan.status in (PlanStatus.SOLD, PlanStatus.IN_KIND):
            plan.forms["handover"] = make(f"handover-{plan.pk}", forms.HandoverForm, ("on",))
        for rnd in panel.rounds:
            k = rnd.pk
            rnd.forms = {}
            if rnd.status in (RoundStatus.PLANNED, RoundStatus.ANNOUNCED):
                rnd.forms["package"] = forms.EmptyForm(prefix=f"package-{k}")
                rnd.forms["withdraw"] = make(f"round_withdraw-{k}", forms.ReasonForm)
            if rnd.status == RoundStatus.PLANNED:
                rnd.forms["announce"] = make(f"announce-{k}", forms.AnnounceForm,
                                             initial={"parties_notified_on": rnd.parties_notified_on})
            if rnd.status == RoundStatus.ANNOUNCED:
                rnd.forms["result"] = make(f"result-{k}", forms.ResultForm, ("closed_on",))
            if rnd.status == RoundStatus.SOLD and not rnd.receipt_id and receipts:
                rnd.forms["receipt"] = make(f"receipt-{k}", forms.ReceiptForm, receipts=receipts)


def case_context(user, case, bound: dict | None = None) -> dict:
    panels = selectors.case_panels(case)
    can_act = selectors.may_act(user, case.court_id) and case.is_open
    if can_act:
        _attach_forms(user, case, panels, bound or {})
    return {"case": case, "panels": panels, "can_act": can_act, "ladder": LADDER, "reference_rules": REFERENCE,
            "auction_rules": AUCTION, "formula": WENLING_FORMULA, "today": timezone.localdate()}


def render_case(request: HttpRequest, pk: int, *, bound: dict | None = None, status: int = 200) -> HttpResponse:
    case = visible_case(request, pk)
    return render(request, "disposal/case.html", case_context(request.user, case, bound), status=status)


@login_required
@require_GET
def case_page(request: HttpRequest, pk: int) -> HttpResponse:
    return render_case(request, pk)


def _done(request: HttpRequest, case, anchor: str, message: str) -> HttpResponse:
    messages.success(request, message)
    url = reverse("disposal:case", args=[case.pk]) + f"#{anchor}"
    if is_htmx(request):
        return HttpResponse(headers={"HX-Redirect": url})
    return redirect(url)


def _act(request: HttpRequest, case, key: str, form, anchor: str, call: Callable[[dict], object],
         message: Callable[[object], str]) -> HttpResponse:
    status = 422
    if form.is_valid():
        done, status = run_service(form, lambda: call(form.cleaned_data))
        if done is not None:
            return _done(request, case, anchor, message(done))
    return render_case(request, case.pk, bound={key: form}, status=status)


def _case_asset(case, asset_id: int):
    link = CaseAsset.objects.filter(case=case, asset_id=asset_id).select_related("asset").first()
    if link is None:
        raise Http404("该财产未在本案登记")
    return link.asset


@dataclass(frozen=True)
class AssetAction:
    form: Callable
    call: Callable  # (user, case, asset, data, form) -> result
    message: Callable[[object], str]


def _valuation_message(v) -> str:
    return f"询价完成：{yuan_text(v.value_fen)}（{v.table.label}）" if v.value_fen else f"无法估价：{v.message}（已记入询价台账）"


ASSET_ACTIONS: dict[str, AssetAction] = {
    "lookup_flat": AssetAction(forms.FlatLookupForm, lambda u, c, a, d, f: valuation.flat_lookup(
        actor=u, case=c, asset=a, estate=d["estate"], building=d["building"], floor=d["floor"],
        orientation=d["orientation"], area=d["area"]), _valuation_message),
    "lookup_vehicle": AssetAction(forms.VehicleLookupForm, lambda u, c, a, d, f: valuation.vehicle_lookup(
        actor=u, case=c, asset=a, year=d["year"], model=d["model"]), _valuation_message),
    "negotiation": AssetAction(forms.NegotiationForm, lambda u, c, a, d, f: reference.negotiation_record(
        actor=u, case=c, asset=a, applicant_figure_fen=d["applicant_figure"], respondent_figure_fen=d["respondent_figure"],
        agreed_price_fen=d["agreed_price"], on=d["on"], valid_until=d["valid_until"], note=d["note"]),
        lambda r: "已记录议价" + (f"：参考价 {yuan_text(r.price_fen)}" if r.price_fen else "：议价不成，可进入下一方式")),
    "directed": AssetAction(forms.DirectedForm, lambda u, c, a, d, f: reference.directed_inquiry_record(
        actor=u, case=c, valuation=_case_valuation(c, a, d["valuation"]), grounds=d["grounds"], ground_note=d["ground_note"],
        valid_until=d["valid_until"]), lambda r: f"定向询价：{r.get_status_display()}"),
    "online": AssetAction(forms.OnlineForm, lambda u, c, a, d, f: reference.online_inquiry_send(
        actor=u, case=c, asset=a, grounds=d["grounds"], ground_note=d["ground_note"], platforms=d["platforms"]),
        lambda r: f"已发出网络询价，平台应于 {r.reply_due:%Y-%m-%d} 前出具结果"),
    "appraisal": AssetAction(forms.AppraisalForm, lambda u, c, a, d, f: reference.appraisal_commission(
        actor=u, case=c, asset=a, institution=d["institution"], selection=d["selection"], grounds=d["grounds"],
        ground_note=d["ground_note"]), lambda r: f"已委托评估，报告期限 {r.appraisal_due:%Y-%m-%d}"),
    "plan": AssetAction(forms.PlanForm, lambda u, c, a, d, f: auctions.plan_create(actor=u, case=c, asset=a, **d),
                        lambda p: "已制定处置方案"),
}


def _case_valuation(case, asset, pk):
    v = Valuation.objects.filter(pk=pk, case=case, asset=asset).select_related("table", "asset").first()
    if v is None:
        raise Http404("询价记录不存在")
    return v


@login_required
@require_POST
def asset_action(request: HttpRequest, pk: int, asset_id: int, action: str) -> HttpResponse:
    spec = ASSET_ACTIONS.get(action)
    if spec is None:
        raise Http404("未知操作")
    case = visible_case(request, pk, acting=True)
    asset = _case_asset(case, asset_id)
    key = f"{action}-{asset.pk}"
    kwargs = {}
    if action == "directed":
        kwargs["valuations"] = selectors.recent_valuations(case, asset)
    form = spec.form(request.POST, prefix=key, **kwargs)
    return _act(request, case, key, form, f"asset-{asset.pk}",
                lambda d: spec.call(request.user, case, asset, d, form), spec.message)


# ---------------------------------------------------------------- rung, objection, plan and round actions


@dataclass(frozen=True)
class RowAction:
    model: type
    label: str
    form: Callable
    call: Callable  # (user, row, data) -> result
    message: Callable[[object], str]
    key: str = ""  # the form prefix's action name, when it differs


ROW_ACTIONS: dict[str, RowAction] = {
    "conclude": RowAction(ReferencePrice, "参考价", forms.EmptyForm, lambda u, r, d: reference.online_inquiry_conclude(
        actor=u, reference=r), lambda r: f"网络询价：{r.get_status_display()}"),
    "extend": RowAction(ReferencePrice, "参考价", forms.ExtendForm, lambda u, r, d: reference.appraisal_extend(
        actor=u, reference=r, days=d["days"], reason=d["reason"]), lambda r: f"评估期限延长至 {r.appraisal_due:%Y-%m-%d}"),
    "report": RowAction(ReferencePrice, "参考价", forms.ReportForm, lambda u, r, d: reference.appraisal_report(
        actor=u, reference=r, price_fen=d["price"], report_number=d["report_number"], report_on=d["report_on"],
        fee_fen=d["fee"], valid_until=d["valid_until"]), lambda r: f"已登记评估报告：参考价 {yuan_text(r.price_fen)}"),
    "fail": RowAction(ReferencePrice, "参考价", forms.ReasonForm, lambda u, r, d: reference.reference_fail(
        actor=u, reference=r, reason=d["reason"]), lambda r: "已记录不能或不成"),
    "serve": RowAction(ReferencePrice, "参考价", forms.ServeForm, lambda u, r, d: reference.reference_serve(
        actor=u, reference=r, served_on=d["served_on"]), lambda r: f"已送达，异议期至 {r.objection_due:%Y-%m-%d}"),
    "objection": RowAction(ReferencePrice, "参考价", forms.ObjectionForm, lambda u, r, d: reference.objection_record(
        actor=u, reference=r, **d), lambda o: "已登记异议" + (f"，应于 {o.appraisal_due:%Y-%m-%d} 前启动评估" if o.appraisal_due else "")),
    "decide": RowAction(Objection, "异议", forms.DecideForm, lambda u, o, d: reference.objection_decide(
        actor=u, objection=o, upheld=d["upheld"], note=d["note"]), lambda o: f"异议处理：{o.get_outcome_display()}"),
    "round": RowAction(DisposalPlan, "处置方案", forms.RoundForm, lambda u, p, d: auctions.round_create(
        actor=u, plan=p, starting_price_fen=d["starting_price"], deposit_fen=d["deposit"], increment_fen=d["increment"],
        announce_on=d["announce_on"], starts_at=d["starts_at"], ends_at=d["ends_at"],
        parties_notified_on=d["parties_notified_on"], note=d["note"]), lambda r: f"已安排{r.title}"),
    "in_kind": RowAction(DisposalPlan, "处置方案", forms.InKindForm, lambda u, p, d: auctions.transfer_in_kind(
        actor=u, plan=p, party=d["party"], on=d["on"], note=d["note"]),
        lambda p: f"以物抵债：抵债价 {yuan_text(p.in_kind_price_fen)}"),
    "handover": RowAction(DisposalPlan, "处置方案", forms.HandoverForm, lambda u, p, d: auctions.plan_handover(
        actor=u, plan=p, on=d["on"], note=d["note"]), lambda p: "已记录财产移交"),
    "plan_withdraw": RowAction(DisposalPlan, "处置方案", forms.ReasonForm, lambda u, p, d: auctions.plan_withdraw(
        actor=u, plan=p, reason=d["reason"]), lambda p: "已撤回处置方案"),
    "announce": RowAction(AuctionRound, "拍卖", forms.AnnounceForm, lambda u, r, d: auctions.round_announce(
        actor=u, round=r, parties_notified_on=d["parties_notified_on"]), lambda r: f"已登记{r.title}公告"),
    "result": RowAction(AuctionRound, "拍卖", forms.ResultForm, lambda u, r, d: auctions.round_result(
        actor=u, round=r, sold=d["sold"], closed_on=d["closed_on"], price_fen=d["price"], buyer_name=d["buyer_name"],
        buyer_identity=d["buyer_identity"], note=d["note"]),
        lambda r: f"{r.title}：{r.get_status_display()}" + (f"，成交价 {yuan_text(r.price_fen)}" if r.price_fen else "")),
    "round_withdraw": RowAction(AuctionRound, "拍卖", forms.ReasonForm, lambda u, r, d: auctions.round_withdraw(
        actor=u, round=r, reason=d["reason"]), lambda r: f"已撤回{r.title}"),
    "receipt": RowAction(AuctionRound, "拍卖", forms.ReceiptForm, lambda u, r, d: auctions.receipt_link(
        actor=u, round=r, receipt=Receipt.objects.get(pk=d["receipt"], case_id=r.case_id)), lambda r: "已关联价款到账记录"),
    "package": RowAction(AuctionRound, "拍卖", forms.EmptyForm, lambda u, r, d: listing.listing_package_generate(
        actor=u, round=r), lambda p: f"已生成挂拍材料第{p.version}版（{p.fields}项字段、{len(p.documents)}份文书，用时{p.milliseconds}毫秒）"),
}


def _anchor(row) -> str:
    asset_id = getattr(row, "asset_id", None)
    if asset_id is None and hasattr(row, "reference"):
        asset_id = row.reference.asset_id
    if asset_id is None and hasattr(row, "plan"):
        asset_id = row.plan.asset_id
    return f"asset-{asset_id}"


@login_required
@require_POST
def row_action(request: HttpRequest, action: str, pk: int) -> HttpResponse:
    spec = ROW_ACTIONS.get(action)
    if spec is None:
        raise Http404("未知操作")
    row = _owned(request, spec.model, pk, spec.label)
    key = f"{action}-{row.pk}"
    kwargs = {}
    if action == "in_kind":
        kwargs["case"] = row.case
    if action == "receipt":
        kwargs["receipts"] = Receipt.objects.filter(case_id=row.case_id, channel__in=(ReceiptChannel.AUCTION, ReceiptChannel.SALE))
    form = spec.form(request.POST, prefix=key, **kwargs)
    return _act(request, row.case, key, form, _anchor(row), lambda d: spec.call(request.user, row, d), spec.message)


@login_required
@require_GET
def package_download(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        package = listing.package_get_for_user(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    response = HttpResponse(bytes(package.file.content), content_type="application/zip")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(package.file_name)}"
    return response


# ---------------------------------------------------------------- the property-centric page


@login_required
@require_GET
def asset_page(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        asset, claims, valuations = selectors.asset_view(user=request.user, asset_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    kind = ASSET_KINDS.get(asset.kind)
    details = [(f.label, asset.details[f.name]) for f in (kind.fields if kind else ()) if asset.details.get(f.name)]
    return render(request, "disposal/asset.html", {"asset": asset, "details": details, "claims": claims,
                                                   "valuations": valuations})


# ---------------------------------------------------------------- the court's pages


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The court's disposal plans (filters, pages)."""
    filters = forms.PlanFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    plans = selectors.plans_for_user(user=request.user, status=data.get("status", ""), q=data.get("q", ""))
    page = _page(request, plans)
    upcoming = {r.plan_id: r for r in AuctionRound.objects.filter(plan__in=list(page.object_list),
                                                                  status__in=(RoundStatus.PLANNED, RoundStatus.ANNOUNCED))}
    for plan in page.object_list:
        plan.upcoming = upcoming.get(plan.pk)
    return render(request, "disposal/home.html", {"filters": filters, "page": page})


def _court_or_403(request: HttpRequest):
    if request.user.court_id is None:
        raise PermissionDenied("只有法院工作人员可以办理")
    return request.user.court


def _prices_context(request: HttpRequest, bound: dict | None = None) -> dict:
    bound = bound or {}
    user = request.user
    court = user.court if user.court_id else None
    can_import = court is not None and not user.is_read_only and (user.is_superuser or user.role in TABLE_ROLES)
    can_settle = court is not None and (user.is_superuser or user.role in SETTINGS_ROLES)
    current = valuation.settings_for(court.pk) if court else None
    return {
        "tables": selectors.tables_for_court(court.pk) if court else [], "settings": current,
        "import_form": bound.get("import") or (forms.TableImportForm() if can_import else None),
        "settings_form": bound.get("settings") or (forms.SettingsForm(initial={
            "daily_lookup_limit": current.daily_lookup_limit, "daily_batch_limit": current.daily_batch_limit})
            if can_settle else None),
        "inquiry_form": bound.get("inquiry") or (forms.InquiryImportForm() if court and not user.is_read_only else None),
        "formula": WENLING_FORMULA, "security": DATA_SECURITY_CITATION,
    }


@login_required
@require_GET
def prices(request: HttpRequest) -> HttpResponse:
    return render(request, "disposal/prices.html", _prices_context(request))


def _court_act(request: HttpRequest, key: str, form, call, message, url: str) -> HttpResponse:
    status = 422
    if form.is_valid():
        done, status = run_service(form, lambda: call(form.cleaned_data))
        if done is not None:
            messages.success(request, message(done))
            return redirect(url)
    return render(request, "disposal/prices.html", _prices_context(request, {key: form}), status=status)


@login_required
@require_POST
def price_import(request: HttpRequest) -> HttpResponse:
    court = _court_or_403(request)
    form = forms.TableImportForm(request.POST, request.FILES)
    return _court_act(request, "import", form, lambda d: price_tables.price_table_import(
        actor=request.user, court=court, kind=d["kind"], file_name=d["file"].name, content=d["file"].read(),
        effective_from=d["effective_from"], source=d["source"], note=d["note"]),
        lambda result: (f"已导入{result[0].label}（{result[0].rows}行）" if result[1] else f"该文件已导入为{result[0].label}"),
        reverse("disposal:prices"))


@login_required
@require_POST
def settings_update(request: HttpRequest) -> HttpResponse:
    court = _court_or_403(request)
    form = forms.SettingsForm(request.POST)
    return _court_act(request, "settings", form, lambda d: court_settings.settings_update(
        actor=request.user, court=court, **d), lambda s: "已保存询价次数上限", reverse("disposal:prices"))


@login_required
@require_POST
def inquiry_import(request: HttpRequest) -> HttpResponse:
    court = _court_or_403(request)
    form = forms.InquiryImportForm(request.POST, request.FILES)
    return _court_act(request, "inquiry", form, lambda d: inquiries.inquiry_replies_import(
        actor=request.user, court=court, file_name=d["file"].name, content=d["file"].read()),
        lambda result: f"已导入网络询价结果{result[0].rows}行" if result[1] else "该文件已导入过，未重复导入",
        reverse("disposal:prices"))


@login_required
@require_GET
def batches(request: HttpRequest) -> HttpResponse:
    user = request.user
    can_run = user.court_id is not None and not user.is_read_only and (user.is_superuser or user.role in BATCH_ROLES)
    return render(request, "disposal/batches.html", {"page": _page(request, selectors.batches_for_user(user)),
                                                      "can_run": can_run, "formula": WENLING_FORMULA})


@login_required
@require_POST
def batch_run(request: HttpRequest) -> HttpResponse:
    court = _court_or_403(request)
    form = forms.EmptyForm(request.POST)
    form.is_valid()
    batch, status = run_service(form, lambda: valuation.valuation_batch(actor=request.user, court=court))
    if batch is None:
        context = {"page": _page(request, selectors.batches_for_user(request.user)), "can_run": True,
                   "formula": WENLING_FORMULA, "run_form": form}
        return render(request, "disposal/batches.html", context, status=status)
    messages.success(request, f"批量估价完成：{batch.flats}套房产，已估价{batch.valued}套，用时{batch.seconds}秒")
    return redirect("disposal:batch", pk=batch.pk)


@login_required
@require_GET
def batch_page(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        batch = selectors.batch_get_for_user(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    rows = selectors.lookups_for_user(user=request.user, batch_id=batch.pk, outcome=request.GET.get("outcome", ""))
    return render(request, "disposal/batch.html", {"batch": batch, "page": _page(request, rows)})


@login_required
@require_GET
def lookups(request: HttpRequest) -> HttpResponse:
    filters = forms.LookupFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    rows = selectors.lookups_for_user(user=request.user, on_from=data.get("on_from"), on_to=data.get("on_to"),
                                      outcome=data.get("outcome", ""), case_number=data.get("case_number", ""))
    return render(request, "disposal/lookups.html", {"filters": filters, "page": _page(request, rows),
                                                      "security": DATA_SECURITY_CITATION})
