"""Pages of 抵销: the court's proposals (search, filter, pages), finding the cases among a set of parties
and drafting a proposal, one proposal with each party's position before and after, each case's set-off
and basis, the consents and the actions the user may take now, and the printable proposal (抵销方案).

Each action view authorises, parses with a form, calls one service and answers: a redirect to the
proposal on success, the proposal page with the form's errors (and the service's status) on failure."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhixing.cases import selectors as case_selectors
from zhixing.cases.exceptions import NotFound
from zhixing.pages import is_htmx, run_service

from . import compute, rules, selectors, services
from .choices import ProposalStatus
from .forms import (
    ApproveForm,
    ConfirmForm,
    ConsentForm,
    CounterClaimForm,
    CreateForm,
    DraftForm,
    FindForm,
    ListFilter,
    ReasonForm,
    case_number_lines,
    cases_by_number,
    split_lines,
)
from .models import NettingProposal

PAGE_SIZE = 30
READ_ONLY = "上级法院监督角色只能查看，不能办理"


def _found(call: Callable):
    try:
        return call()
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _visible(request: HttpRequest, pk: int, *, acting: bool = False) -> NettingProposal:
    if acting and request.user.is_read_only:
        raise PermissionDenied(READ_ONLY)
    return _found(lambda: selectors.proposal_get_for_user(user=request.user, pk=pk))


def proposal_url(proposal: NettingProposal) -> str:
    return reverse("netting:proposal", args=[proposal.pk])


# ---------------------------------------------------------------- lists and drafting


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    form = ListFilter(request.GET or None)
    filters = selectors.ProposalFilter()
    if form.is_valid():
        filters = selectors.ProposalFilter(status=form.cleaned_data["status"], q=form.cleaned_data["q"])
    page = Paginator(selectors.proposals_for_list(user=request.user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "netting/home.html", {"form": form, "page": page, "rules": rules,
                                                 "may_draft": selectors.may_draft(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    """Find the cases (from parties, linked parties, or case numbers), see what netting them would
    give, and draft the proposal."""
    if not selectors.may_draft(request.user):
        raise PermissionDenied("只有执行法官、法官助理可以拟定抵销方案")
    court_id = request.user.court_id
    find = FindForm(_start_from_case(request) or request.GET or None)
    cases, unknown, keys = [], [], set()
    if find.is_valid():
        keys = set(split_lines(find.cleaned_data["parties"]))
        if keys and find.cleaned_data["expand"]:
            keys = selectors.mutual_parties(court_id=court_id, seed=keys)
        cases = selectors.cases_among_parties(court_id=court_id, keys=keys)
        ids, unknown = cases_by_number(court_id, case_number_lines(find.cleaned_data["case_numbers"]))
        ids += _bundle_case_ids(request)
        known = {c.pk for c in cases}
        # Only this court's cases: a bundle may group the cases of several courts.
        cases += [c for c in case_selectors.cases_visible_to(request.user).filter(pk__in=ids, court_id=court_id)
                  .order_by("filed_on", "pk") if c.pk not in known]
    create = CreateForm(request.POST or None, cases=cases, prefix="create")
    status = 200
    if request.method == "POST":  # posted back to the same query: the same cases are offered
        status = 422
        if create.is_valid():
            d = create.cleaned_data
            proposal, status = run_service(create, lambda: services.proposal_create(
                actor=request.user, case_ids=d["case_ids"], multilateral=d["multilateral"], reason=d["reason"]))
            if proposal is not None:
                messages.success(request, f"已拟定{proposal.title}（草稿）")
                return redirect(proposal_url(proposal))
    preview = selectors.proposal_for_cases(user=request.user, case_ids=[c.pk for c in cases]) if cases else None
    return render(request, "netting/new.html", {"find": find, "create": create, "cases": cases, "unknown": unknown,
                                                "keys": sorted(keys), "preview": preview, "rules": rules},
                  status=status)


def _bundle_case_ids(request: HttpRequest) -> list[int]:
    """?bundle=<pk>: the cases of a bundle of related cases (the bundle page's link)."""
    pk = request.GET.get("bundle", "")
    if not pk.isdigit():
        return []
    from zhixing.bundles import selectors as bundles

    bundle = _found(lambda: bundles.bundle_get_for_user(user=request.user, pk=int(pk)))
    return bundles.bundle_case_ids(bundle)


def _start_from_case(request: HttpRequest) -> dict:
    """?case=<pk>: start from one case's parties and those linked to them (the case page's link)."""
    pk = request.GET.get("case")
    if not (pk and pk.isdigit()):
        return {}
    case = _found(lambda: case_selectors.case_get_for_user(user=request.user, pk=int(pk)))
    keys = [compute.party_key(p.id_number, p.credit_code) for p in case.parties.all()]
    return {"parties": "\n".join(k for k in keys if k), "expand": "on"}


# ---------------------------------------------------------------- one proposal


def _context(request: HttpRequest, proposal: NettingProposal, bound: dict | None = None) -> dict:
    bound = bound or {}
    user = request.user
    actions = selectors.actions_for(user, proposal)
    forms = {}
    parties = selectors.party_choices(proposal) if (actions.edit or actions.consent) else []
    if actions.edit:
        forms["draft"] = bound.get("draft") or DraftForm(proposal=proposal, parties=parties,
                                                          joint_lines=selectors.joint_lines(proposal), prefix="draft")
        forms["claim"] = bound.get("claim") or CounterClaimForm(parties=parties, prefix="claim")
        forms["submit"] = bound.get("submit") or ConfirmForm(prefix="submit")
    if actions.consent:
        forms["consent"] = bound.get("consent") or ConsentForm(parties=parties, prefix="consent")
    if actions.approve:
        forms["approve"] = bound.get("approve") or ApproveForm(prefix="approve")
    if actions.apply:
        forms["apply"] = bound.get("apply") or ConfirmForm(prefix="apply")
    for name in ("reverse", "amend", "withdraw"):
        if getattr(actions, name):
            forms[name] = bound.get(name) or ReasonForm(prefix=name)
    versions = NettingProposal.objects.filter(court_id=proposal.court_id, number=proposal.number).select_related(
        "created_by").order_by("-version")
    q = request.GET.get("q", "")[:100]
    positions = selectors.positions(proposal)
    return {
        "proposal": proposal, "actions": actions, "forms": forms, "rules": rules, "q": q,
        "lines": selectors.lines_page(proposal, selectors.LineFilter(q=q), request.GET.get("page")),
        "excluded": selectors.lines_page(proposal, selectors.LineFilter(q=q, nettable=False),
                                         request.GET.get("excluded_page")),
        "claims": list(proposal.counter_claims.all()),
        "positions": Paginator(positions, PAGE_SIZE * 3).get_page(request.GET.get("positions_page")),
        "residuals": selectors.residual_payments(proposal),
        "consents": selectors.consent_rows(proposal), "versions": versions,
        "closed_after_reversal": list(proposal.lines.filter(closed=True).order_by("position"))
        if proposal.status == ProposalStatus.REVERSED else [],
    }


def _page(request: HttpRequest, proposal: NettingProposal, bound: dict | None = None, status: int = 200) -> HttpResponse:
    return render(request, "netting/proposal.html", _context(request, proposal, bound), status=status)


@login_required
@require_GET
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _visible(request, pk))


@login_required
@require_GET
def proposal_document(request: HttpRequest, pk: int) -> HttpResponse:
    """抵销方案, to print and serve: positions, each case's set-off and basis, residual payments,
    consents and the signatures."""
    proposal = _visible(request, pk)
    lines = list(proposal.lines.order_by("position"))  # the document is complete: every case, every party
    return render(request, "netting/document.html", {
        "proposal": proposal, "rules": rules, "today": timezone.localdate(),
        "nettable": [line for line in lines if not line.excluded_reason],
        "excluded": [line for line in lines if line.excluded_reason], "claims": list(proposal.counter_claims.all()),
        "positions": selectors.positions(proposal), "residuals": selectors.residual_payments(proposal),
        "consents": selectors.consent_rows(proposal)})


def _act(request: HttpRequest, proposal: NettingProposal, name: str, form, call: Callable[[dict], object],
         message: Callable[[object], str]) -> HttpResponse:
    """Validate, call the service; the proposal it led to on success, the page with the errors otherwise."""
    status = 422
    if form.is_valid():
        done, status = run_service(form, lambda: call(form.cleaned_data))
        if done is not None:
            messages.success(request, message(done))
            target = done if isinstance(done, NettingProposal) else getattr(done, "proposal", proposal)
            url = proposal_url(target)
            if is_htmx(request):
                return HttpResponse(headers={"HX-Redirect": url})
            return redirect(url)
    proposal = selectors.proposal_get_for_user(user=request.user, pk=proposal.pk)
    return _page(request, proposal, {name: form}, status)


@login_required
@require_POST
def proposal_update(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _visible(request, pk, acting=True)
    form = DraftForm(request.POST, proposal=proposal, parties=selectors.party_choices(proposal),
                     joint_lines=selectors.joint_lines(proposal), prefix="draft")
    return _act(request, proposal, "draft", form, lambda d: services.proposal_update(
        actor=request.user, proposal=proposal, case_ids=d["case_numbers"], multilateral=d["multilateral"],
        refused_parties=d["refused"], joint_shares=form.joint_shares(), reason=d["reason"]),
        lambda p: "已重新计算草稿")


@login_required
@require_POST
def claim_add(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _visible(request, pk, acting=True)
    form = CounterClaimForm(request.POST, parties=selectors.party_choices(proposal), prefix="claim")
    return _act(request, proposal, "claim", form, lambda d: services.counter_claim_add(
        actor=request.user, proposal=proposal, creditor_key=d["creditor_key"], debtor_key=d["debtor_key"],
        amount_fen=d["amount"], due_on=d["due_on"], document_number=d["document_number"],
        issuing_authority=d["issuing_authority"], note=d["note"]),
        lambda c: f"已登记{c.creditor_name}对{c.debtor_name}的债权")


@login_required
@require_POST
def claim_remove(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _found(lambda: selectors.counter_claim_get_for_user(user=request.user, pk=pk))
    proposal = _visible(request, claim.proposal_id, acting=True)
    return _act(request, proposal, "claim_remove", ConfirmForm(request.POST), lambda d: services.counter_claim_remove(
        actor=request.user, claim=claim), lambda p: "已删除该抵销债权")


@login_required
@require_POST
def proposal_submit(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _visible(request, pk, acting=True)
    return _act(request, proposal, "submit", ConfirmForm(request.POST, prefix="submit"), lambda d: services.proposal_submit(
        actor=request.user, proposal=proposal), lambda p: f"{p.title}已送达，请登记当事人意见")


@login_required
@require_POST
def consent_record(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _visible(request, pk, acting=True)
    form = ConsentForm(request.POST, parties=selectors.party_choices(proposal), prefix="consent")
    return _act(request, proposal, "consent", form, lambda d: services.consent_record(
        actor=request.user, proposal=proposal, **d), lambda c: f"已登记{c.party_name}的同意")


@login_required
@require_POST
def proposal_approve(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _visible(request, pk, acting=True)
    form = ApproveForm(request.POST, prefix="approve")
    return _act(request, proposal, "approve", form, lambda d: services.proposal_approve(
        actor=request.user, proposal=proposal, note=d["note"]), lambda p: f"已批准{p.title}")


@login_required
@require_POST
def proposal_apply(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _visible(request, pk, acting=True)
    return _act(request, proposal, "apply", ConfirmForm(request.POST, prefix="apply"), lambda d: services.proposal_apply(
        actor=request.user, proposal=proposal), lambda p: f"{p.title}已执行：抵销已记入各案，全部履行的案件已结案")


@login_required
@require_POST
def proposal_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _visible(request, pk, acting=True)
    return _act(request, proposal, "reverse", ReasonForm(request.POST, prefix="reverse"), lambda d: services.proposal_reverse(
        actor=request.user, proposal=proposal, reason=d["reason"]), lambda p: f"{p.title}已撤销，各案抵销已冲正")


@login_required
@require_POST
def proposal_amend(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _visible(request, pk, acting=True)
    return _act(request, proposal, "amend", ReasonForm(request.POST, prefix="amend"), lambda d: services.proposal_amend(
        actor=request.user, proposal=proposal, reason=d["reason"]), lambda p: f"已生成第{p.version}版（草稿），原版本作废")


@login_required
@require_POST
def proposal_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _visible(request, pk, acting=True)
    return _act(request, proposal, "withdraw", ReasonForm(request.POST, prefix="withdraw"),
                lambda d: services.proposal_withdraw(actor=request.user, proposal=proposal, reason=d["reason"]),
                lambda p: f"已撤回{p.title}")
