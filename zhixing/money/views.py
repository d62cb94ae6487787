"""Pages of case money (案款): the desk by role, a case's money, an order, the lists and the court's
settings. Each action view authorises, parses with a form, calls one service and answers: on success
a redirect back to the page it came from (htmx: HX-Redirect, so the page reloads with the message and
the new figures), on failure the form with its errors and the service's status (htmx swaps it in
place; without htmx the form alone on a page)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhixing.cases import selectors as case_selectors
from zhixing.cases.choices import CaseStatus
from zhixing.cases.exceptions import NotFound
from zhixing.cases.models import EnforcementCase
from zhixing.cases.pages import visible_case
from zhixing.cases.templatetags.money import yuan_plain
from zhixing.documents.formatting import amount_capital, amount_digits
from zhixing.pages import is_htmx, run_service

from . import ledger, selectors, services, services_deferrals, services_settings
from .choices import OrderStatus, ReceiptStatus
from .forms import (
    AssignForm,
    CancelForm,
    CaseListFilter,
    DecideForm,
    DeferralEndForm,
    DeferralForm,
    FeeForm,
    JournalFilter,
    OrderForm,
    OrderListFilter,
    PayForm,
    ReceiptForm,
    RemitForm,
    ReturnForm,
    ReverseForm,
    SettingsForm,
    StepFormSet,
    UnidentifiedFilter,
)
from .models import PayoutDeferral, Receipt
from .rules import AFTER_DEFERRAL, DEFERRAL_CITATION, SEPARATION_CITATION, UNIDENTIFIED_ASSIGN

PAGE_SIZE = 30
LEDGER_PAGE_SIZE = 50
DESK_ROWS = 10  # rows of each list on the desk; the list pages have the rest
READ_ONLY = "上级法院监督角色只能查看，不能办理"


def _found(call: Callable):
    try:
        return call()
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _writer(request: HttpRequest) -> None:
    if request.user.is_read_only:
        raise PermissionDenied(READ_ONLY)


def yuan_both(fen: int) -> str:
    """12,345.67元（人民币壹万贰仟叁佰肆拾伍元陆角柒分） — where a payout amount is confirmed."""
    return f"{amount_digits(fen)}（{amount_capital(fen)}）"


# ---------------------------------------------------------------- acting


def _back(request: HttpRequest, default: str) -> str:
    url = request.POST.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return url
    return default


def _act(request: HttpRequest, form, call: Callable[[dict], object], *, default_url: str,
         message: Callable[[object], str], title: str) -> HttpResponse:
    """Validate, call the service; back to the page on success, the form with its errors otherwise."""
    status = 422
    if form.is_valid():
        done, status = run_service(form, lambda: call(form.cleaned_data))
        if done is not None:
            messages.success(request, message(done))
            url = _back(request, default_url)
            if is_htmx(request):  # a full reload: the message, the new balances and log entries
                return HttpResponse(headers={"HX-Redirect": url})
            return redirect(url)
    context = {"form": form, "next": request.POST.get("next", ""), "title": title, "back": _back(request, default_url)}
    if is_htmx(request):
        return render(request, "money/_action.html", context, status=status)
    return render(request, "money/action.html", context, status=status)


# ---------------------------------------------------------------- row forms shared by pages


def _unidentified_forms(user, rows) -> None:
    for receipt in rows:
        if receipt.status == ReceiptStatus.UNIDENTIFIED and selectors.may_record(user, receipt.court_id):
            receipt.assign_form = AssignForm(prefix=f"assign-{receipt.pk}", court_id=receipt.court_id,
                                             action=reverse("money:receipt_assign", args=[receipt.pk]),
                                             dom_id=f"assign-{receipt.pk}")
            receipt.return_form = ReturnForm(prefix=f"return-{receipt.pk}",
                                             action=reverse("money:receipt_return", args=[receipt.pk]),
                                             dom_id=f"return-{receipt.pk}")


def _pay_form(order) -> PayForm:
    return PayForm(prefix=f"pay-{order.pk}", action=reverse("money:order_pay", args=[order.pk]), dom_id=f"pay-{order.pk}",
                   intro=f"支付 {yuan_both(order.amount_fen)} 至 {order.payee_name or '（非现金清偿）'}"
                         f"{' ' + order.payee_account if order.payee_account else ''}")


def _order_forms(user, order) -> None:
    """The order's steps and the actions `user` may take on it, each with its form."""
    order.steps = selectors.order_steps(order)
    order.actions = selectors.order_actions(user, order)
    order.amount_text = yuan_both(order.amount_fen)
    # why not: told to those who approve (the steps table already says whose turn it is)
    order.refusal_shown = order.actions["decide_refusal"] if selectors.is_approver(user) else None
    order.payee_account = selectors.shown_account(user, order.payee_account)
    if order.actions["decide"]:
        step = order.steps[order.next_step]
        order.decide_form = DecideForm(prefix=f"decide-{order.pk}", action=reverse("money:order_decide", args=[order.pk]),
                                       dom_id=f"decide-{order.pk}",
                                       intro=f"第{step['number']}步（{step['role_label']}）：{order.get_kind_display()} {order.amount_text}")
    if order.actions["cancel"]:
        order.cancel_form = CancelForm(prefix=f"cancel-{order.pk}", action=reverse("money:order_cancel", args=[order.pk]),
                                       dom_id=f"cancel-{order.pk}")
    if order.actions["pay"]:
        order.pay_form = _pay_form(order)


def _journal_forms(user, journals) -> None:
    for journal in journals:
        if selectors.may_reverse(user, journal):
            journal.reverse_form = ReverseForm(prefix=f"reverse-{journal.pk}", dom_id=f"reverse-{journal.pk}",
                                               action=reverse("money:journal_reverse", args=[journal.pk]))


# ---------------------------------------------------------------- the desk


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """案款工作台: the finance desk's receipts, unidentified money and payments; the case team's money
    and orders; the approver's orders waiting for him."""
    user = request.user
    finance = selectors.is_finance(user) and not user.is_read_only
    orderer = selectors.is_orderer(user) and not user.is_read_only
    approver = selectors.is_approver(user) and not user.is_read_only
    context: dict = {"finance": finance, "orderer": orderer, "approver": approver, "assign_limit": UNIDENTIFIED_ASSIGN}
    if finance:
        context["figures"] = selectors.desk_figures(user)
        context["receipt_form"] = ReceiptForm(court_id=user.court_id, action=reverse("money:receipt_record"),
                                              dom_id="receipt-form")
        unidentified = selectors.mark_unidentified_rows(list(selectors.unidentified_for(user)[:DESK_ROWS]))
        _unidentified_forms(user, unidentified)
        context["unidentified"] = unidentified
        to_pay = list(selectors.orders_to_pay(user)[:DESK_ROWS])
        for order in to_pay:
            order.pay_form = _pay_form(order)
        context["to_pay"] = to_pay
        context["journals"] = list(selectors.journals_for(user)[:DESK_ROWS])
        _journal_forms(user, context["journals"])
        if user.court_id:
            context["fee_income_fen"] = services.fee_income_fen(user.court_id)
            context["remit_form"] = RemitForm(action=reverse("money:fee_remit"), dom_id="remit-form")
            context["remittances"] = selectors.remittances_for(user)[:DESK_ROWS]
    if approver:
        context["to_approve"] = list(selectors.orders_to_approve(user, selectors.orders_for(user))[:DESK_ROWS])
        deferrals = [d for d in selectors.deferrals_pending(user)[:DESK_ROWS]
                     if services_deferrals.deferral_refusal(user, d) is None]
        for deferral in deferrals:
            deferral.decide_form = _deferral_decide_form(deferral)
        context["deferrals_to_approve"] = deferrals
    holding = selectors.cases_holding_money(user, mine=orderer and not user.is_superuser)
    context["holding"] = selectors.mark_holding_rows(list(holding[:DESK_ROWS]))
    context["holding_mine"] = orderer and not user.is_superuser
    if orderer:
        context["my_orders"] = list(selectors.orders_for(user, mine=True)[:DESK_ROWS])
    return render(request, "money/home.html", context)


# ---------------------------------------------------------------- receipts


@login_required
@require_POST
def receipt_record(request: HttpRequest) -> HttpResponse:
    _writer(request)
    user = request.user
    form = ReceiptForm(request.POST, court_id=user.court_id, action=reverse("money:receipt_record"), dom_id="receipt-form")
    seen: dict = {}

    def call(d):
        court_id = d["case"].court_id if d["case"] else user.court_id
        if court_id is None:
            form.add_error("target", "请填写本院案号")
            return None
        reference = d["bank_reference"].strip()
        seen["retry"] = selectors.receipt_seen(court_id, reference)
        return services.receipt_record(
            actor=user, court_id=court_id, amount_fen=d["amount"], received_on=d["received_on"], channel=d["channel"],
            case=d["case"], sub_account_number=d["sub_account_number"], payer_name=d["payer_name"],
            payer_account=d["payer_account"], bank_reference=reference, note=d["note"])

    def message(receipt: Receipt) -> str:
        if seen.get("retry"):
            return f"银行流水号 {receipt.bank_reference} 已于此前登记，未重复入账"
        if receipt.case_id is None:
            return f"已登记不明款 {amount_digits(receipt.amount_fen)}，请于 {receipt.assign_due:%Y-%m-%d} 前认领或退回"
        return f"已登记到账 {amount_digits(receipt.amount_fen)}，入 {receipt.case.case_number} 案款账户"

    return _act(request, form, call, default_url=reverse("money:home"), message=message, title="到账登记")


def _for_action(request: HttpRequest, get: Callable, pk: int):
    """The visible row an action is about (`get`: a selector's *_get_for_user), for a writer only."""
    _writer(request)
    return _found(lambda: get(user=request.user, pk=pk))


@login_required
@require_POST
def receipt_assign(request: HttpRequest, pk: int) -> HttpResponse:
    receipt = _for_action(request, selectors.receipt_get_for_user, pk)
    form = AssignForm(request.POST, prefix=f"assign-{pk}", court_id=receipt.court_id, dom_id=f"assign-{pk}",
                      action=reverse("money:receipt_assign", args=[pk]))
    return _act(request, form, lambda d: services.receipt_assign(actor=request.user, receipt=receipt, case=form.case,
                                                                 reason=d["reason"]),
                default_url=reverse("money:unidentified"), title="认领不明款",
                message=lambda r: f"已将 {amount_digits(r.amount_fen)} 认领至 {r.case.case_number}")


@login_required
@require_POST
def receipt_return(request: HttpRequest, pk: int) -> HttpResponse:
    receipt = _for_action(request, selectors.receipt_get_for_user, pk)
    form = ReturnForm(request.POST, prefix=f"return-{pk}", dom_id=f"return-{pk}",
                      action=reverse("money:receipt_return", args=[pk]))
    return _act(request, form, lambda d: services.receipt_return(actor=request.user, receipt=receipt, reason=d["reason"],
                                                                 bank_reference=d["bank_reference"]),
                default_url=reverse("money:unidentified"), title="退回不明款",
                message=lambda r: f"已退回不明款 {amount_digits(r.amount_fen)}（{r.payer_name or '付款人'}）")


# ---------------------------------------------------------------- a case's money


def _case_context(request: HttpRequest, case: EnforcementCase) -> dict:
    user = request.user
    summary = selectors.account_summary(user, case)
    lines = selectors.page_of(selectors.case_lines(case), request.GET.get("page"), LEDGER_PAGE_SIZE)
    _journal_forms(user, [line.journal for line in lines])
    orders = selectors.case_orders(case)
    for order in orders:
        _order_forms(user, order)
    receipts = selectors.case_receipts(case)
    for receipt in receipts:
        receipt.payer_account = selectors.shown_account(user, receipt.payer_account)
    context = {"case": case, "summary": summary, "lines": lines, "orders": orders, "receipts": receipts,
               "bank": ledger.settings_for(case.court_id), "separation": SEPARATION_CITATION,

               "can_order": selectors.may_order(user, case) and case.status != CaseStatus.ARCHIVED}
    if context["can_order"]:
        context["order_form"] = OrderForm(case=case, action=reverse("money:order_create", args=[case.pk]), dom_id="order-form")
    fee = summary["fee"]
    if selectors.may_record(user, case.court_id) and (fee["outstanding_fen"] > 0 or fee["excess_fen"] > 0):
        context["fee_form"] = FeeForm(action=reverse("money:fee_settle", args=[case.pk]), dom_id="fee-form")
        if fee["excess_fen"] > 0:
            context["fee_form"].submit_label = "退回多收执行费"
    context["deferrals"] = deferrals = selectors.case_deferrals(case)
    context["deferral_citation"], context["after_deferral"] = DEFERRAL_CITATION, AFTER_DEFERRAL
    for deferral in deferrals:
        if services_deferrals.deferral_refusal(user, deferral) is None:
            deferral.decide_form = _deferral_decide_form(deferral)
        if deferral.status == "active" and selectors.may_end_deferral(user, deferral):
            deferral.end_form = DeferralEndForm(prefix=f"end-{deferral.pk}", dom_id=f"end-{deferral.pk}",
                                                action=reverse("money:deferral_end", args=[deferral.pk]))
    if (context["can_order"] and summary["balance_fen"] > 0
            and not any(d.status in ("pending", "active") for d in deferrals)):
        context["deferral_form"] = DeferralForm(action=reverse("money:deferral_request", args=[case.pk]),
                                                dom_id="deferral-form")
    return context


def _deferral_decide_form(deferral: PayoutDeferral) -> DecideForm:
    return DecideForm(prefix=f"defer-{deferral.pk}", action=reverse("money:deferral_decide", args=[deferral.pk]),
                      dom_id=f"defer-{deferral.pk}",
                      intro=f"{deferral.case.case_number} 暂缓发放（{deferral.get_reason_kind_display()}）：{deferral.reason}")


@login_required
@require_GET
def case_money(request: HttpRequest, pk: int) -> HttpResponse:
    case = visible_case(request, pk)
    case_selectors.log_case_view(user=request.user, case=case, kind="money_view")  # payers and payees, accounts
    return render(request, "money/case.html", _case_context(request, case))


@login_required
@require_POST
def fee_settle(request: HttpRequest, pk: int) -> HttpResponse:
    case = visible_case(request, pk, acting=True)
    form = FeeForm(request.POST, action=reverse("money:fee_settle", args=[pk]), dom_id="fee-form")
    return _act(request, form, lambda d: services.fee_settle(actor=request.user, case=case, reason=d["reason"]),
                default_url=reverse("money:case", args=[pk]), title="结算执行费",
                message=lambda journal: f"已结算执行申请费 {amount_digits(services.receipt_amount(journal))}")


@login_required
@require_POST
def order_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = visible_case(request, pk, acting=True)
    form = OrderForm(request.POST, case=case, action=reverse("money:order_create", args=[pk]), dom_id="order-form")
    return _act(request, form, lambda d: services.order_create(
        actor=request.user, case=case, amount_fen=d["amount"], reason=d["reason"], kind=d["kind"],
        payee_name=d["payee_name"], payee_account=d["payee_account"], payee_bank=d["payee_bank"],
        target_case=d["target_case"], non_cash=d["non_cash"], key=d["key"] or None),
        default_url=reverse("money:case", args=[pk]), title="申请付款",
        message=lambda o: f"已提交付款单{o.pk}：{o.get_kind_display()} {amount_digits(o.amount_fen)}，"
                          + ("待审批" if o.status == OrderStatus.PENDING else o.get_status_display()))


# ---------------------------------------------------------------- deferral, fee remittance


@login_required
@require_POST
def deferral_request(request: HttpRequest, pk: int) -> HttpResponse:
    case = visible_case(request, pk, acting=True)
    form = DeferralForm(request.POST, action=reverse("money:deferral_request", args=[pk]), dom_id="deferral-form")
    return _act(request, form, lambda d: services_deferrals.deferral_request(
        actor=request.user, case=case, reason_kind=d["reason_kind"], reason=d["reason"]),
        default_url=reverse("money:case", args=[pk]), title="申请暂缓发放",
        message=lambda d: f"已提交暂缓发放申请（{d.get_reason_kind_display()}），待执行局长或院领导审批")


@login_required
@require_POST
def deferral_decide(request: HttpRequest, pk: int) -> HttpResponse:
    deferral = _for_action(request, selectors.deferral_get_for_user, pk)
    form = DecideForm(request.POST, prefix=f"defer-{pk}", action=reverse("money:deferral_decide", args=[pk]),
                      dom_id=f"defer-{pk}")
    return _act(request, form, lambda d: services_deferrals.deferral_decide(
        actor=request.user, deferral=deferral, approve=d["decision"] == "approve", note=d["note"]),
        default_url=reverse("money:case", args=[deferral.case_id]), title="审批暂缓发放",
        message=lambda d: f"{d.case.case_number} 暂缓发放：{d.get_status_display()}")


@login_required
@require_POST
def deferral_end(request: HttpRequest, pk: int) -> HttpResponse:
    deferral = _for_action(request, selectors.deferral_get_for_user, pk)
    form = DeferralEndForm(request.POST, prefix=f"end-{pk}", action=reverse("money:deferral_end", args=[pk]),
                           dom_id=f"end-{pk}")
    return _act(request, form, lambda d: services_deferrals.deferral_end(
        actor=request.user, deferral=deferral, ended_on=d["ended_on"], note=d["note"]),
        default_url=reverse("money:case", args=[deferral.case_id]), title="登记暂缓事由消除",
        message=lambda d: f"暂缓发放事由已消除，请于 {d.resume_due:%Y-%m-%d} 前发放")


@login_required
@require_POST
def fee_remit(request: HttpRequest) -> HttpResponse:
    _writer(request)
    user = request.user
    form = RemitForm(request.POST, action=reverse("money:fee_remit"), dom_id="remit-form")

    def call(d):
        if user.court_id is None:
            form.add_error(None, "系统管理员不属于任何法院，请由法院财务人员登记")
            return None
        return services.fee_remit(actor=user, court_id=user.court_id, amount_fen=d["amount"], remitted_on=d["remitted_on"],
                                  bank_reference=d["bank_reference"], note=d["note"])

    return _act(request, form, call, default_url=reverse("money:home"), title="执行费上缴",
                message=lambda r: f"已登记执行费上缴 {amount_digits(r.amount_fen)}（流水号 {r.bank_reference}）")


# ---------------------------------------------------------------- orders


@login_required
@require_GET
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = _found(lambda: selectors.order_get_for_user(user=request.user, pk=pk))
    case_selectors.log_case_view(user=request.user, case=order.case, kind="money_order_view")
    _order_forms(request.user, order)
    return render(request, "money/order.html", {
        "order": order, "case": order.case, "summary": selectors.account_summary(request.user, order.case),
        "amount_capital": amount_capital(order.amount_fen), "amount_digits": amount_digits(order.amount_fen),
        "separation": SEPARATION_CITATION,
    })


@login_required
@require_POST
def order_decide(request: HttpRequest, pk: int) -> HttpResponse:
    order = _for_action(request, selectors.order_get_for_user, pk)
    form = DecideForm(request.POST, prefix=f"decide-{pk}", action=reverse("money:order_decide", args=[pk]),
                      dom_id=f"decide-{pk}")
    return _act(request, form, lambda d: services.order_decide(actor=request.user, order=order,
                                                               approve=d["decision"] == "approve", note=d["note"]),
                default_url=reverse("money:order", args=[pk]), title=f"审批付款单{pk}",
                message=lambda o: f"付款单{o.pk}：{'已同意' if form.cleaned_data['decision'] == 'approve' else '不予批准'}，"
                                  f"现{o.get_status_display()}")


@login_required
@require_POST
def order_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    order = _for_action(request, selectors.order_get_for_user, pk)
    form = CancelForm(request.POST, prefix=f"cancel-{pk}", action=reverse("money:order_cancel", args=[pk]),
                      dom_id=f"cancel-{pk}")
    return _act(request, form, lambda d: services.order_cancel(actor=request.user, order=order, reason=d["reason"]),
                default_url=reverse("money:order", args=[pk]), title=f"撤回付款单{pk}",
                message=lambda o: f"已撤回付款单{o.pk}")


@login_required
@require_POST
def order_pay(request: HttpRequest, pk: int) -> HttpResponse:
    order = _for_action(request, selectors.order_get_for_user, pk)
    form = PayForm(request.POST, prefix=f"pay-{pk}", action=reverse("money:order_pay", args=[pk]), dom_id=f"pay-{pk}",
                   intro=_pay_form(order).intro)
    return _act(request, form, lambda d: services.order_pay(actor=request.user, order=order, paid_on=d["paid_on"],
                                                            bank_reference=d["bank_reference"]),
                default_url=reverse("money:order", args=[pk]), title=f"支付付款单{pk}",
                message=lambda o: f"付款单{o.pk}已支付 {yuan_both(o.amount_fen)}")


@login_required
@require_POST
def journal_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    journal = _for_action(request, selectors.journal_get_for_user, pk)
    form = ReverseForm(request.POST, prefix=f"reverse-{pk}", action=reverse("money:journal_reverse", args=[pk]),
                       dom_id=f"reverse-{pk}")
    default = reverse("money:case", args=[journal.case_id]) if journal.case_id else reverse("money:journals")
    return _act(request, form, lambda d: services.journal_reverse(actor=request.user, journal=journal, reason=d["reason"]),
                default_url=default, title=f"冲正凭证{pk}",
                message=lambda reversal: f"已冲正凭证{journal.pk}（冲正凭证{reversal.pk}）")


# ---------------------------------------------------------------- lists


def _list_page(request, rows, page_size: int = PAGE_SIZE):
    return selectors.page_of(rows, request.GET.get("page"), page_size)


@login_required
@require_GET
def cases_list(request: HttpRequest) -> HttpResponse:
    """在账案件: case accounts holding money, the most urgent payout deadline first."""
    filters = CaseListFilter(request.GET)
    f = filters.values()
    rows = selectors.cases_holding_money(request.user, mine=bool(f["mine"]), overdue=bool(f["overdue"]), q=f["q"] or "")
    page = _list_page(request, rows)
    selectors.mark_holding_rows(page.object_list)
    return render(request, "money/cases.html", {"filters": filters, "page": page})


@login_required
@require_GET
def orders_list(request: HttpRequest) -> HttpResponse:
    filters = OrderListFilter(request.GET)
    f = filters.values()
    rows = selectors.orders_for(request.user, status=f["status"] or "", kind=f["kind"] or "", q=f["q"] or "",
                                mine=bool(f["mine"]), to_approve=bool(f["to_approve"]))
    return render(request, "money/orders.html", {"filters": filters, "page": _list_page(request, rows)})


@login_required
@require_GET
def unidentified_list(request: HttpRequest) -> HttpResponse:
    filters = UnidentifiedFilter(request.GET)
    f = filters.values()
    status = f["status"] or ReceiptStatus.UNIDENTIFIED
    rows = selectors.unidentified_for(request.user, status="" if status == "all" else status, overdue=bool(f["overdue"]),
                                      q=f["q"] or "")
    page = _list_page(request, rows)
    selectors.mark_unidentified_rows(page.object_list)
    _unidentified_forms(request.user, page.object_list)
    return render(request, "money/unidentified.html", {"filters": filters, "page": page, "assign_limit": UNIDENTIFIED_ASSIGN})


@login_required
@require_GET
def journals_list(request: HttpRequest) -> HttpResponse:
    filters = JournalFilter(request.GET)
    f = filters.values()
    rows = selectors.journals_for(request.user, kind=f["kind"] or "", q=f["q"] or "", date_from=f["date_from"],
                                  date_to=f["date_to"])
    page = _list_page(request, rows)
    _journal_forms(request.user, page.object_list)
    return render(request, "money/journals.html", {"filters": filters, "page": page})


# ---------------------------------------------------------------- settings


def _settings_court(request: HttpRequest):
    """The user's court; a system administrator's ?court= (anyone else's is ignored)."""
    user, asked = request.user, request.GET.get("court", "")
    if user.court_id is None and not (user.is_superuser and asked):
        raise PermissionDenied("只有法院工作人员可以查看本院案款设置")
    court_id = (int(asked) if asked.isdigit() else -1) if user.is_superuser and asked else None
    return _found(lambda: selectors.settings_court(user, court_id))


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    """案款设置: the enforcement account, the sub-account prefix and the approval chain, editable by the
    bureau head, the president and the system administrator; every change kept in the history."""
    court = _settings_court(request)
    row = ledger.settings_for(court.pk)
    can_edit = services_settings.may_edit(request.user, court.pk)
    chain = services_settings.effective_chain(row)
    initial = {"bank_name": row.bank_name, "account_name": row.account_name, "account_number": row.account_number,
               "sub_account_prefix": row.sub_account_prefix}
    steps_initial = [{"role": s["role"], "min_amount": yuan_plain(int(s.get("min_fen", 0)))} for s in chain]
    form, steps, status = SettingsForm(initial=initial), StepFormSet(initial=steps_initial, prefix="steps"), 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("只有本院执行局长、院长或系统管理员可以修改案款设置")
        form, steps, status = SettingsForm(request.POST), StepFormSet(request.POST, prefix="steps"), 422
        if form.is_valid() and steps.is_valid():
            chain_in = [s for s in (f.step() for f in steps.forms) if s]
            d = form.cleaned_data
            done, status = run_service(form, lambda: services_settings.money_settings_update(
                actor=request.user, court=court, bank_name=d["bank_name"], account_name=d["account_name"],
                account_number=d["account_number"], sub_account_prefix=d["sub_account_prefix"], approval_chain=chain_in))
            if done is not None:
                messages.success(request, "已保存案款设置；新的审批流程适用于此后提交的付款申请")
                return redirect(request.get_full_path())
    return render(request, "money/settings.html", {
        "court": court, "row": row, "form": form, "steps": steps, "can_edit": can_edit,
        "chain_text": services_settings.chain_text(chain), "is_default": not row.approval_chain,
        "history": services_settings.money_settings_history(court.pk),
    }, status=status)
