"""Supervision pages: each role's home and inbox, the approvals, and the case actions (unlock, pause,
extension). Thin, like the case pages: authorise, parse with a form, call one service or selector,
render; a DomainError goes onto the form (with its status: a lock answers 423), NotFound is a 404."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from zhixing.accounts.choices import Role
from zhixing.accounts.models import User
from zhixing.cases.exceptions import NotFound
from zhixing.cases.models import EnforcementCase
from zhixing.cases.selectors import case_get_for_user
from zhixing.courts.choices import CourtLevel
from zhixing.courts.models import Court, Team
from zhixing.pages import is_htmx, run_service

from . import dashboard, selectors, services
from .api import (
    deadline_out,
    extension_for_user,
    inbox_rows,
    suspension_for_user,
    unlock_request_for_decision,
    version_label,
)
from .digest import worst_levels
from .forms import (
    DecisionForm,
    ExtensionRequestForm,
    InboxFilterForm,
    SuspensionEndForm,
    SuspensionStartForm,
    UnlockRequestForm,
)
from .models import CaseLock, Deadline, Extension, Level, Suspension, UnlockRequest

PAGE_SIZE = 50
HOME_ROWS = 50  # the home page's lists; the rest is one click away, in the inbox
COURT_ROLES = frozenset({Role.BUREAU_HEAD, Role.COMMAND_CENTRE, Role.PRESIDENT})
UNLOCK_REQUESTERS = services.HANDLING | services.COURT_APPROVERS | {Role.CLERK}
PAUSERS = services.HANDLING | services.COURT_APPROVERS
LEVEL_KEYS = {Level.YELLOW: "yellow", Level.ORANGE: "orange", Level.RED: "red"}




def _get(call: Callable[[], object]):
    try:
        return call()
    except NotFound as exc:
        raise Http404(exc.message) from exc


# ---------------------------------------------------------------- counts


def _empty_counts() -> dict:
    return {"yellow": 0, "orange": 0, "red": 0, "total": 0, "locked": 0}


def _worst_by(key_index: int | None, where: str, params) -> dict:
    """{court or team id: counts} (key_index 0 or 1), or {None: counts} for all together: each case
    counted once, at its worst warning (digest.worst_levels, as the daily digest counts)."""
    out: dict = defaultdict(_empty_counts)
    for row in worst_levels(where, params):
        counts = out[row[key_index] if key_index is not None else None]
        counts[LEVEL_KEYS[row[2]]] += row[3]
        counts["total"] += row[3]
    return out


def _case_counts(where: str, params) -> dict:
    return dict(_worst_by(None, where, params).get(None, _empty_counts()))


def _in(ids) -> str:
    return ", ".join(["%s"] * len(ids))


# ---------------------------------------------------------------- home: 首页（督办）


def _own_section(user: User, today) -> dict:
    rows = selectors.inbox(user, min_level=Level.ORANGE).filter(handler=user)[:HOME_ROWS]
    counts = _case_counts("AND handler_id = %s", [user.pk])
    counts["locked"] = CaseLock.objects.filter(released_on__isnull=True, case__handler=user).count()
    return {"counts": counts, "rows": [deadline_out(d, today, with_case=True) for d in rows]}


def _team_section(user: User, team_ids: list[int], today) -> dict:
    """A team lead: the team's orange and red warnings, by judge."""
    warned = Deadline.objects.warned().filter(team_id__in=team_ids, level__gte=Level.ORANGE)
    rows = warned.select_related("case", "handler", "team").order_by("handler_id", "-level", "due_on", "case_id")
    by_judge: dict = {}
    for d in rows[: HOME_ROWS * 4]:
        name = d.handler.display_name if d.handler_id else "未分案"
        by_judge.setdefault(name, []).append(deadline_out(d, today, with_case=True))
    counts = _case_counts(f"AND team_id IN ({_in(team_ids)})", team_ids)
    counts["locked"] = CaseLock.objects.filter(released_on__isnull=True, case__team_id__in=team_ids).count()
    return {
        "teams": list(Team.objects.filter(pk__in=team_ids).order_by("name")),
        "counts": counts,
        "by_judge": sorted(by_judge.items()),
    }


def _court_section(user: User, today) -> dict:
    """Bureau head, command centre, president: the court by team, and the red list that is theirs."""
    court_id = user.court_id
    by_team = _worst_by(1, "AND court_id = %s", [court_id])
    locked = dict(
        CaseLock.objects.filter(court_id=court_id, released_on__isnull=True)
        .values_list("case__team_id").annotate(n=Count("id")).order_by()
    )
    teams = []
    for team in list(Team.objects.filter(court_id=court_id, active=True).order_by("name")) + [None]:
        key = team.pk if team else None
        counts = by_team.get(key, _empty_counts())
        counts["locked"] = locked.get(key, 0)
        if team is not None or counts["total"] or counts["locked"]:
            teams.append({"team": team, "counts": counts})
    total = _empty_counts()
    for row in teams:
        for key in total:
            total[key] += row["counts"][key]
    if user.role == Role.COMMAND_CENTRE:  # the command centre watches every red warning of its court
        red = Deadline.objects.warned().filter(court_id=court_id, level=Level.RED).select_related("case", "handler", "team")
        red = red.order_by("-escalation", "due_on", "case_id")
    else:
        red = selectors.inbox(user, min_level=Level.RED).exclude(handler=user)
    return {"teams": teams, "total": total, "red": [deadline_out(d, today, with_case=True) for d in red[:HOME_ROWS]]}


def _lower_courts_section(user: User) -> dict:
    """An intermediate or high court: each court below it, each case counted once at its worst warning."""
    court_ids = [pk for pk in user.court.descendant_ids() if pk != user.court_id]
    courts = list(Court.objects.filter(pk__in=court_ids).order_by("court_code"))
    counts = _worst_by(0, f"AND court_id IN ({_in(court_ids)})", court_ids) if court_ids else {}
    locked = dict(
        CaseLock.objects.filter(court_id__in=court_ids, released_on__isnull=True)
        .values_list("court_id").annotate(n=Count("id")).order_by()
    )
    rows = []
    for court in courts:
        row = dict(counts.get(court.pk, _empty_counts()))
        row["locked"] = locked.get(court.pk, 0)
        rows.append({"court": court, "counts": row})
    return {"rows": rows}


def _pending_extensions(user: User):
    rows = Extension.objects.filter(status=Extension.Status.REQUESTED).select_related("case", "requested_by")
    if not user.is_superuser:
        rows = rows.filter(court_id=user.court_id)
    return rows.order_by("requested_on", "pk")


def _decides_extensions(user: User) -> bool:
    return user.is_superuser or (bool(user.court_id) and user.role == Role.PRESIDENT)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """首页: a judge sees their own red and orange list; a team lead their team; the bureau head,
    command centre and president the court; a higher court the courts below it."""
    user = request.user
    today = timezone.localdate()
    # 五超 cases scroll on the home page as on the big screen (seed 001 case 1: 首页和大屏实时滚动展示).
    context: dict = {"today": today, "digest": selectors.latest_digest(user),
                     "wuchao_ticker": dashboard.home_wuchao_ticker(user)}
    team_ids = selectors.led_team_ids(user)
    if user.role in services.HANDLING or team_ids or user.is_superuser:
        context["own"] = _own_section(user, today)
    if team_ids:
        context["team"] = _team_section(user, team_ids, today)
    if user.court_id and user.role in COURT_ROLES:
        context["court"] = _court_section(user, today)
    if user.court_id and user.court.level in (CourtLevel.INTERMEDIATE, CourtLevel.HIGH):
        context["lower_courts"] = _lower_courts_section(user)
    if user.role in services.COURT_APPROVERS | services.UPPER_APPROVERS or user.is_superuser:
        unlocks = selectors.unlock_requests_for(user)
        context["unlocks"] = {"count": unlocks.count(), "rows": list(unlocks[:10])}
    if _decides_extensions(user):
        extensions = _pending_extensions(user)
        context["extensions"] = {"count": extensions.count(), "rows": list(extensions[:10])}
    return render(request, "supervision/home.html", context)


# ---------------------------------------------------------------- inbox: 我的预警


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    form = InboxFilterForm(request.GET)
    today = timezone.localdate()
    rows = inbox_rows(request.user, **form.filters(), today=today)  # a filter that does not parse is left out
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "rows": [deadline_out(d, today, with_case=True) for d in page.object_list],
        "today": today,
    }
    return render(request, "supervision/inbox.html", context)


# ---------------------------------------------------------------- the case page's supervision panel


def case_panel(user: User, case: EnforcementCase, bound: dict) -> dict:
    """What the case page shows of supervision: every deadline with its warning and rule version, the
    lock and its unlock requests, pauses and extensions, and the forms this user may use now (a bound
    form, with its errors, replaces its empty twin)."""
    today = timezone.localdate()
    deadlines = []
    for d in selectors.case_deadlines(case.pk):
        row = deadline_out(d, today, with_version=True)
        row["version_label"] = version_label(d)
        deadlines.append(row)
    locks = selectors.case_locks(case.pk)
    lock = next((row for row in locks if row.is_active), None)
    pending_unlock = None
    if lock is not None:
        pending_unlock = next((r for r in lock.requests.all() if r.status == UnlockRequest.Status.PENDING), None)
    suspensions = list(Suspension.objects.filter(case=case).select_related("recorded_by").order_by("start_on", "pk"))
    running = next((s for s in suspensions if s.end_on is None), None)
    extensions = list(
        Extension.objects.filter(case=case).select_related("requested_by", "decided_by").order_by("requested_on", "pk")
    )
    pending_extension = next((e for e in extensions if e.status == Extension.Status.REQUESTED), None)

    staff = not user.is_read_only and (user.is_superuser or user.court_id == case.court_id)

    def role_in(roles) -> bool:
        return user.is_superuser or user.role in roles

    def allowed(action: str) -> bool:
        return lock is None or services.lock_allows(lock, action)

    forms: dict = {}
    if staff and lock is not None and pending_unlock is None and role_in(UNLOCK_REQUESTERS):
        forms["unlock"] = bound.get("unlock") or UnlockRequestForm()
    if pending_unlock is not None and services.can_decide(user, pending_unlock):
        forms["unlock_decision"] = bound.get("unlock_decision") or DecisionForm(auto_id="id_unlock_%s")
    if staff and case.is_open and role_in(PAUSERS):
        if running is not None:
            forms["resume"] = bound.get("resume") or SuspensionEndForm()
        elif allowed("suspension") or "suspension" in bound:
            forms["suspension"] = bound.get("suspension") or SuspensionStartForm(initial={"start_on": today})
    if staff and case.is_open and role_in(services.HANDLING) and pending_extension is None:
        if allowed("extension_requested") or "extension" in bound:
            forms["extension"] = bound.get("extension") or ExtensionRequestForm()
    if pending_extension is not None and (user.is_superuser or (user.court_id == case.court_id and user.role == Role.PRESIDENT)):
        forms["extension_decision"] = bound.get("extension_decision") or DecisionForm(auto_id="id_extension_%s")
    return {
        "deadlines": deadlines,
        "locks": locks,
        "lock": lock,
        "pending_unlock": pending_unlock,
        "suspensions": suspensions,
        "running_suspension": running,
        "extensions": extensions,
        "pending_extension": pending_extension,
        "forms": forms,
    }


def _case_action_failed(request: HttpRequest, case: EnforcementCase, name: str, form, status: int, **extra) -> HttpResponse:
    if is_htmx(request):  # swap just the form, with its errors
        context = {"case": case, "form": form, **extra}
        return render(request, f"supervision/_case_{name}.html", context, status=status)
    from zhixing.cases.views import render_detail

    return render_detail(request, case.pk, bound={name: form}, status=status)


def _done(request: HttpRequest, url: str, message: str) -> HttpResponse:
    messages.success(request, message)
    if is_htmx(request):  # htmx follows with a full page load, which shows the message
        return HttpResponse(headers={"HX-Redirect": url})
    return redirect(url)


def _case_for_action(request: HttpRequest, pk: int) -> EnforcementCase:
    return _get(lambda: case_get_for_user(user=request.user, pk=pk))


def _case_url(case_id: int) -> str:
    return reverse("cases:detail", args=[case_id])


@login_required
@require_POST
def unlock_request(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_for_action(request, pk)
    form = UnlockRequestForm(request.POST)
    if not form.is_valid():
        return _case_action_failed(request, case, "unlock", form, 422)
    row, status = run_service(form, lambda: services.unlock_request(actor=request.user, case=case,
                                                             reason=form.cleaned_data["reason"]))
    if row is None:
        return _case_action_failed(request, case, "unlock", form, status)
    return _done(request, _case_url(case.pk), f"已提交解锁申请，报{row.approver_court.name}审批")


@login_required
@require_POST
def suspension_start(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_for_action(request, pk)
    form = SuspensionStartForm(request.POST)
    if not form.is_valid():
        return _case_action_failed(request, case, "suspension", form, 422)
    data = form.cleaned_data
    row, status = run_service(form, lambda: services.suspension_start(
        actor=request.user, case=case, kind=data["kind"], start_on=data["start_on"], reason=data["reason"]))
    if row is None:
        return _case_action_failed(request, case, "suspension", form, status)
    return _done(request, _case_url(case.pk), f"已记录{row.get_kind_display()}，自 {row.start_on} 起不计入执行期限")


@login_required
@require_POST
def suspension_end(request: HttpRequest, pk: int) -> HttpResponse:
    suspension = _get(lambda: suspension_for_user(request.user, pk))
    case = suspension.case
    form = SuspensionEndForm(request.POST)
    if not form.is_valid():
        return _case_action_failed(request, case, "resume", form, 422, suspension=suspension)
    data = form.cleaned_data
    row, status = run_service(form, lambda: services.suspension_end(
        actor=request.user, suspension=suspension, end_on=data["end_on"], reason=data["reason"]))
    if row is None:
        return _case_action_failed(request, case, "resume", form, status, suspension=suspension)
    return _done(request, _case_url(case.pk), f"{row.get_kind_display()}已于 {row.end_on} 结束，恢复计算执行期限")


@login_required
@require_POST
def extension_request(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_for_action(request, pk)
    form = ExtensionRequestForm(request.POST)
    if not form.is_valid():
        return _case_action_failed(request, case, "extension", form, 422)
    row, status = run_service(form, lambda: services.extension_request(
        actor=request.user, case=case, reason=form.cleaned_data["reason"]))
    if row is None:
        return _case_action_failed(request, case, "extension", form, status)
    return _done(request, _case_url(case.pk), f"已申请延长执行期限{row.months}个月，报院长审批")


# ---------------------------------------------------------------- approvals: 解锁审批, 延长审批


def _from_case_page(request: HttpRequest) -> bool:
    return request.POST.get("from") == "case"


@login_required
@require_GET
def unlocks(request: HttpRequest) -> HttpResponse:
    return _render_unlocks(request)


def _with_failed(rows: list, failed: tuple | None, auto_id: str) -> list[tuple]:
    """(row, form) for each row; a refused decision keeps its row on the page, with the reason,
    even when the row is not one the user may decide."""
    forms = {failed[0].pk: failed[1]} if failed else {}
    out = [(row, forms.get(row.pk) or DecisionForm(auto_id=auto_id.format(row.pk))) for row in rows]
    if failed and failed[0].pk not in {row.pk for row in rows}:
        out.insert(0, failed)
    return out


def _render_unlocks(request: HttpRequest, *, failed: tuple | None = None, status: int = 200) -> HttpResponse:
    pending = list(selectors.unlock_requests_for(request.user).select_related("approver_court"))
    rows = _with_failed(pending, failed, "id_unlock{}_%s")
    decided = (
        UnlockRequest.objects.filter(decided_by=request.user).select_related("lock__case", "requested_by")
        .order_by("-decided_at")[:20]
    )
    return render(request, "supervision/unlocks.html", {"rows": rows, "decided": decided}, status=status)


@login_required
@require_POST
def unlock_decide(request: HttpRequest, pk: int) -> HttpResponse:
    row = _get(lambda: unlock_request_for_decision(request.user, pk))
    form = DecisionForm(request.POST, auto_id=f"id_unlock{row.pk}_%s")
    done, status = (None, 422) if not form.is_valid() else run_service(form, lambda: services.unlock_decide(
        actor=request.user, request=row, approve=form.approve, note=form.cleaned_data["note"]))
    case = row.lock.case
    if done is None:
        if is_htmx(request):
            context = {"case": case, "form": form, "unlock": row, "from_case": _from_case_page(request)}
            return render(request, "supervision/unlock_decision.html", context, status=status)
        if _from_case_page(request):
            from zhixing.cases.views import render_detail

            return render_detail(request, case.pk, bound={"unlock_decision": form}, status=status)
        return _render_unlocks(request, failed=(row, form), status=status)
    verdict = "批准解锁" if done.status == UnlockRequest.Status.APPROVED else "驳回解锁申请"
    url = _case_url(case.pk) if _from_case_page(request) else reverse("supervision:unlocks")
    return _done(request, url, f"{case.case_number}：已{verdict}")


@login_required
@require_GET
def extensions(request: HttpRequest) -> HttpResponse:
    return _render_extensions(request)


def _render_extensions(request: HttpRequest, *, failed: tuple | None = None, status: int = 200) -> HttpResponse:
    pending = list(_pending_extensions(request.user)) if _decides_extensions(request.user) else []
    rows = _with_failed(pending, failed, "id_extension{}_%s")
    context = {"rows": rows, "decides": _decides_extensions(request.user)}
    return render(request, "supervision/extensions.html", context, status=status)


@login_required
@require_POST
def extension_decide(request: HttpRequest, pk: int) -> HttpResponse:
    row = _get(lambda: extension_for_user(request.user, pk))
    form = DecisionForm(request.POST, auto_id=f"id_extension{row.pk}_%s")
    done, status = (None, 422) if not form.is_valid() else run_service(form, lambda: services.extension_decide(
        actor=request.user, extension=row, approve=form.approve, note=form.cleaned_data["note"]))
    case = row.case
    if done is None:
        if is_htmx(request):
            context = {"case": case, "form": form, "extension": row, "from_case": _from_case_page(request)}
            return render(request, "supervision/extension_decision.html", context, status=status)
        if _from_case_page(request):
            from zhixing.cases.views import render_detail

            return render_detail(request, case.pk, bound={"extension_decision": form}, status=status)
        return _render_extensions(request, failed=(row, form), status=status)
    verdict = "批准延长执行期限" if done.status == Extension.Status.APPROVED else "不批准延长执行期限"
    url = _case_url(case.pk) if _from_case_page(request) else reverse("supervision:extensions")
    return _done(request, url, f"{case.case_number}：{verdict}")


urlpatterns = [
    path("", home, name="home"),
    path("inbox/", inbox, name="inbox"),
    path("unlocks/", unlocks, name="unlocks"),
    path("unlocks/<int:pk>/decision/", unlock_decide, name="unlock_decide"),
    path("extensions/", extensions, name="extensions"),
    path("extensions/<int:pk>/decision/", extension_decide, name="extension_decide"),
    path("cases/<int:pk>/unlock-requests/", unlock_request, name="unlock_request"),
    path("cases/<int:pk>/suspensions/", suspension_start, name="suspension_start"),
    path("suspensions/<int:pk>/end/", suspension_end, name="suspension_end"),
    path("cases/<int:pk>/extensions/", extension_request, name="extension_request"),
]
