"""Pages of 关联案件 and 捆绑执行: the bundle worklist, one bundle with its cases and its hand-over form,
the case page's related-cases panel, and the buttons (打包交办, 立即检测). Each view authorises, parses
with a form, calls one service or selector and renders — the same answers as the API."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from zhixing.accounts.models import User
from zhixing.cases.exceptions import NotFound
from zhixing.cases.models import EnforcementCase
from zhixing.pages import is_htmx, run_service

from . import rules, selectors, services
from .forms import BundleFilterForm, ConfirmForm, HandoverForm
from .models import Bundle

PAGE_SIZE = 50
CASES_PAGE_SIZE = 50


def _may(user: User, roles) -> bool:
    return not user.is_read_only and (user.is_superuser or user.role in roles)


def case_panel(user: User, case: EnforcementCase) -> selectors.RelatedPanel:
    """The case page's 关联案件 panel (cases/detail.html includes bundles/_case_panel.html)."""
    return selectors.case_related(user=user, case=case)


@login_required
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    form = BundleFilterForm(request.GET, user=request.user)
    page = selectors.bundle_page(user=request.user, filters=form.to_filter(), number=request.GET.get("page"),
                                 page_size=PAGE_SIZE)
    context = {"form": form, "page": page, "last_run": selectors.last_run(request.user),
               "may_relate": _may(request.user, rules.RELATE_ROLES) and request.user.court_id, "rules": rules.RELATIONS}
    if is_htmx(request):  # the filters changed: only the list is swapped
        return render(request, "bundles/_list.html", context)
    return render(request, "bundles/worklist.html", context)


def _bundle(request: HttpRequest, pk: int) -> Bundle:
    try:
        return selectors.bundle_get_for_user(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def render_bundle(request: HttpRequest, bundle: Bundle, *, form: HandoverForm | None = None, status: int = 200) -> HttpResponse:
    cases = Paginator(selectors.bundle_cases(bundle), CASES_PAGE_SIZE).get_page(request.GET.get("page"))
    may_hand_over = _may(request.user, rules.HANDOVER_ROLES) and bundle.is_active
    context = {
        "bundle": bundle, "cases": cases, "totals": selectors.bundle_totals([bundle.pk])[bundle.pk],
        "handovers": selectors.handovers(bundle), "relation": rules.RELATIONS[bundle.kind],
        "form": form or (HandoverForm(user=request.user) if may_hand_over else None),
        "own_court": request.user.court_id, "max_cases": rules.HANDOVER_MAX_CASES,
    }
    return render(request, "bundles/detail.html", context, status=status)


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_bundle(request, _bundle(request, pk))


@login_required
@require_POST
def handover(request: HttpRequest, pk: int) -> HttpResponse:
    if request.user.is_read_only:
        raise PermissionDenied("上级法院监督角色只能查看，不能办理")
    bundle = _bundle(request, pk)
    form = HandoverForm(request.POST, user=request.user)
    done, status = None, 422
    if form.is_valid():
        data = form.cleaned_data
        done, status = run_service(form, lambda: services.bundle_handover(
            actor=request.user, bundle=bundle, team=data["team"], handler=data["handler"], reason=data["reason"]))
    if done is None:
        if is_htmx(request):
            return render(request, "bundles/_handover_form.html", {"bundle": bundle, "form": form}, status=status)
        return render_bundle(request, bundle, form=form, status=status)
    messages.success(request, services.handover_message(done))
    url = reverse("bundles:detail", args=[bundle.pk])
    return HttpResponse(headers={"HX-Redirect": url}) if is_htmx(request) else redirect(url)


@login_required
@require_POST
def relate(request: HttpRequest) -> HttpResponse:
    form = ConfirmForm(request.POST)
    result, status = run_service(form, lambda: services.relate_court(actor=request.user))
    if result is None:
        messages.error(request, "；".join(form.non_field_errors()))
    else:
        messages.success(request, result.summary)
    return redirect("bundles:worklist")
