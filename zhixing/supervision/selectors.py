"""Reads of supervision state, with visibility applied once (as in cases.selectors)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from zhixing.accounts.choices import Role
from zhixing.accounts.models import User
from zhixing.cases.selectors import visible_court_ids
from zhixing.courts.models import Team

from .models import CaseLock, DailyDigest, Deadline, Escalation, Level, UnlockRequest
from .rules import RULES_BY_CODE


def deadlines_visible_to(user: User) -> QuerySet[Deadline]:
    """The warned deadlines of the courts `user` may see."""
    court_ids = visible_court_ids(user)
    rows = Deadline.objects.warned()
    return rows if court_ids is None else rows.filter(court_id__in=court_ids)


def led_team_ids(user: User) -> list[int]:
    return list(Team.objects.filter(leader=user).values_list("pk", flat=True))


def inbox_filter(user: User) -> Q:
    """The warnings that are `user`'s: as handler, and what has been escalated to them."""
    mine = Q(handler=user)
    teams = led_team_ids(user)
    if teams:
        mine |= Q(team_id__in=teams, escalation__gte=Escalation.TEAM_LEAD)
    if user.court_id and user.role == Role.BUREAU_HEAD:
        mine |= Q(court_id=user.court_id, escalation__gte=Escalation.DIVISION_HEAD)
    if user.court_id and user.role == Role.PRESIDENT:
        mine |= Q(court_id=user.court_id, escalation__gte=Escalation.PRESIDENT)
    return mine


def inbox(user: User, *, min_level: int = Level.YELLOW, rule_code: str = "") -> QuerySet[Deadline]:
    """每个人的预警收件箱, worst and oldest first."""
    rows = deadlines_visible_to(user).filter(inbox_filter(user), level__gte=min_level)
    if rule_code:
        rows = rows.filter(rule_code=rule_code)
    return rows.select_related("case", "handler", "team").order_by("-level", "due_on", "case_id")


def case_deadlines(case_id: int) -> list[Deadline]:
    """A case's deadlines in the order of the rule catalogue."""
    order = {code: i for i, code in enumerate(RULES_BY_CODE)}
    rows = list(Deadline.objects.filter(case_id=case_id).select_related("rule_version"))
    return sorted(rows, key=lambda d: order.get(d.rule_code, 99))


def case_locks(case_id: int) -> list[CaseLock]:
    return list(CaseLock.objects.filter(case_id=case_id).prefetch_related("requests").order_by("-sequence"))


def latest_digest(user: User) -> DailyDigest | None:
    return DailyDigest.objects.filter(user=user).first()


def unlock_requests_for(user: User) -> QuerySet[UnlockRequest]:
    """Pending unlock requests `user` may decide: their own court's first locks (leaders), and the
    second locks of the courts below (the intermediate court)."""
    from .services import COURT_APPROVERS, UPPER_APPROVERS

    pending = UnlockRequest.objects.filter(status=UnlockRequest.Status.PENDING).select_related("lock__case", "requested_by", "court")
    if user.is_superuser:
        return pending
    if not user.court_id:
        return pending.none()
    own = Q(approver_court_id=user.court_id, court_id=user.court_id) if user.role in COURT_APPROVERS else Q(pk__in=[])
    upper = Q(approver_court_id=user.court_id) & ~Q(court_id=user.court_id) if user.role in UPPER_APPROVERS else Q(pk__in=[])
    return pending.filter(own | upper).exclude(requested_by=user)
