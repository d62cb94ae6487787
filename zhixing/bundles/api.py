"""/api/v1/bundles: 关联案件 and 捆绑执行 as JSON — the same selectors and services as the pages. Money is
integer fen. A bundle the caller may not see (a case of a court they do not see) answers 404."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from ninja import Query, Router, Schema
from ninja.responses import Status

from zhixing.accounts.models import User
from zhixing.cases import selectors as case_selectors
from zhixing.cases.exceptions import NotFound
from zhixing.cases.models import EnforcementCase
from zhixing.courts.models import Team

from . import rules, selectors, services
from .models import Bundle, BundleHandover

router = Router(tags=["关联案件与捆绑执行"])

MAX_PAGE_SIZE = 200


class BundleQuery(Schema):
    kind: str = ""
    scope: str = ""  # court | cross
    court_id: int | None = None
    team_id: int | None = None
    min_size: int | None = None
    handover: str = ""  # pending | handed
    q: str = ""
    page: int = 1
    page_size: int = 50


class CourtOut(Schema):
    id: int
    name: str
    court_code: str


class HandoverOut(Schema):
    id: int
    bundle_id: int
    at: dt.datetime
    actor: str
    court: str
    team_id: int
    team: str
    handler_id: int
    handler: str
    reason: str
    reassigned: list[int]
    unchanged: list[int]
    skipped: list[dict]
    message: str


class BundleOut(Schema):
    id: int
    kind: str
    kind_label: str
    key: str
    label: str
    scope_court: CourtOut
    cross_court: bool
    # As of the last detection run (or hand-over): the worklist's figures.
    case_count: int
    court_count: int
    claim_fen: int
    outstanding_fen: int
    unassigned: int
    teams: list[str]
    found_at: dt.datetime
    changed_at: dt.datetime
    dissolved_at: dt.datetime | None
    last_handover: HandoverOut | None


class BundleListOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[BundleOut]


class CaseOut(Schema):
    id: int
    case_number: str
    court: str
    filed_on: dt.date
    status: str
    claim_amount_fen: int
    performed_amount_fen: int
    applicant_names: str
    respondent_names: str
    team: str | None
    handler: str | None


class TotalsOut(Schema):
    """The bundle's cases now."""

    cases: int
    open_cases: int
    claim_fen: int
    outstanding_fen: int
    unassigned: int
    teams: list[str]


class BundleDetailOut(BundleOut):
    now: TotalsOut
    rule: str
    source: str
    cases: list[CaseOut]
    cases_page: int
    cases_pages: int
    handovers: list[HandoverOut]


class RelatedOut(Schema):
    kind: str
    kind_label: str
    label: str
    total: int
    cases: list[CaseOut]


class CaseRelatedOut(Schema):
    case_id: int
    exact: list[RelatedOut]
    possible: list[RelatedOut]  # name + birth date only: to be checked
    bundles: list[BundleOut]


class HandoverIn(Schema):
    team_id: int
    handler_id: int | None = None  # default: the team's leader
    reason: str


class RelateOut(Schema):
    summary: str
    created: int
    changed: int
    dissolved: int
    active: int
    seconds: float


def _masked(user: User, key: str) -> str:
    # Supervisors see identity numbers masked, as on the case page.
    return f"{key[:6]}********{key[-4:]}" if user.is_read_only and len(key) == 18 else key


def handover_out(h: BundleHandover) -> dict:
    return {"id": h.pk, "bundle_id": h.bundle_id, "at": h.at, "actor": h.actor.display_name, "court": h.court.name,
            "team_id": h.team_id, "team": h.team.name, "handler_id": h.handler_id, "handler": h.handler.display_name,
            "reason": h.reason, "reassigned": h.reassigned, "unchanged": h.unchanged, "skipped": h.skipped,
            "message": services.handover_message(h)}


def bundle_out(user: User, bundle: Bundle) -> dict:
    return {
        "id": bundle.pk, "kind": bundle.kind, "kind_label": bundle.get_kind_display(), "key": _masked(user, bundle.key),
        "label": bundle.label,
        "scope_court": {"id": bundle.scope_court_id, "name": bundle.scope_court.name,
                        "court_code": bundle.scope_court.court_code},
        "cross_court": bundle.cross_court, "case_count": bundle.case_count, "court_count": bundle.court_count,
        "claim_fen": bundle.claim_fen, "outstanding_fen": bundle.outstanding_fen, "unassigned": bundle.unassigned,
        "teams": bundle.teams.split("、") if bundle.teams else [], "found_at": bundle.found_at,
        "changed_at": bundle.changed_at, "dissolved_at": bundle.dissolved_at,
        "last_handover": handover_out(bundle.last_handover) if bundle.last_handover_id else None,
    }


def case_out(case: EnforcementCase) -> dict:
    return {"id": case.pk, "case_number": case.case_number, "court": case.court.name, "filed_on": case.filed_on,
            "status": case.status, "claim_amount_fen": case.claim_amount_fen,
            "performed_amount_fen": case.performed_amount_fen, "applicant_names": case.applicant_names,
            "respondent_names": case.respondent_names, "team": case.team.name if case.team_id else None,
            "handler": case.handler.display_name if case.handler_id else None}


def _with_handover(bundles: list[Bundle]) -> list[Bundle]:
    """Load the last hand-overs' people in one query (the list's select_related stops at the team)."""
    ids = [b.last_handover_id for b in bundles if b.last_handover_id]
    if ids:
        found = {h.pk: h for h in BundleHandover.objects.filter(pk__in=ids).select_related("team", "handler", "actor", "court")}
        for bundle in bundles:
            if bundle.last_handover_id:
                bundle.last_handover = found[bundle.last_handover_id]
    return bundles


@router.get("", response=BundleListOut, summary="关联案件组列表（捆绑执行工作台）")
def list_bundles(request, q: Query[BundleQuery]):
    filters = selectors.BundleFilter(**q.dict(exclude={"page", "page_size"}))
    page_size = max(1, min(q.page_size, MAX_PAGE_SIZE))
    page = selectors.bundle_page(user=request.user, filters=filters, number=q.page, page_size=page_size, clamp=False)
    bundles = _with_handover(list(page.object_list))
    return {"count": page.paginator.count, "page": page.number, "page_size": page_size,
            "results": [bundle_out(request.user, b) for b in bundles]}


@router.get("/cases/{int:case_id}/related", response=CaseRelatedOut, summary="案件的关联案件（即时计算）")
def case_related(request, case_id: int):
    case = case_selectors.case_get_for_user(user=request.user, pk=case_id)
    panel = selectors.case_related(user=request.user, case=case)

    def related(r: selectors.Related) -> dict:
        return {"kind": r.kind, "kind_label": r.kind_label, "label": r.label, "total": r.total,
                "cases": [case_out(c) for c in r.cases]}

    bundles = _with_handover(panel.bundles)
    return {"case_id": case.pk, "exact": [related(r) for r in panel.exact], "possible": [related(r) for r in panel.possible],
            "bundles": [bundle_out(request.user, b) for b in bundles]}


@router.post("/relate", response=RelateOut, summary="立即检测本院的关联案件（执行局长、指挥中心）")
def relate(request):
    result = services.relate_court(actor=request.user)
    return {"summary": result.summary, "created": result.created, "changed": result.changed,
            "dissolved": result.dissolved, "active": result.active, "seconds": round(result.seconds, 2)}


@router.get("/{int:bundle_id}", response=BundleDetailOut, summary="关联案件组（含案件与交办记录）")
def get_bundle(request, bundle_id: int, page: int = 1, page_size: int = 200):
    bundle = selectors.bundle_get_for_user(user=request.user, pk=bundle_id)
    _with_handover([bundle])
    paginator = Paginator(selectors.bundle_cases(bundle), max(1, min(page_size, 1000)))
    cases = paginator.get_page(page)
    relation = rules.RELATIONS[bundle.kind]
    now = selectors.bundle_totals([bundle.pk])[bundle.pk]
    return {
        **bundle_out(request.user, bundle),
        "now": {"cases": now.cases, "open_cases": now.open, "claim_fen": now.claim_fen, "outstanding_fen": now.outstanding_fen,
                "unassigned": now.unassigned, "teams": now.teams},
        "rule": relation.rule, "source": relation.source, "cases": [case_out(c) for c in cases],
        "cases_page": cases.number, "cases_pages": paginator.num_pages,
        "handovers": [handover_out(h) for h in selectors.handovers(bundle)],
    }


@router.post("/{int:bundle_id}/handover", response={201: HandoverOut}, summary="打包交办：本院在办案件整组改派给一个团队")
def hand_over(request, bundle_id: int, payload: HandoverIn):
    bundle = selectors.bundle_get_for_user(user=request.user, pk=bundle_id)
    team = Team.objects.filter(pk=payload.team_id).select_related("court").first()
    if team is None:
        raise NotFound("团队不存在")
    handler = None
    if payload.handler_id is not None:
        handler = User.objects.filter(pk=payload.handler_id).first()
        if handler is None:
            raise NotFound("承办人不存在")
    done = services.bundle_handover(actor=request.user, bundle=bundle, team=team, handler=handler, reason=payload.reason)
    done = BundleHandover.objects.select_related("team", "handler", "actor", "court").get(pk=done.pk)
    return Status(201, handover_out(done))
