"""Reads of cases. Visibility by user is applied here, once, so pages and API cannot disagree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import Count, Q, QuerySet, Sum

from zhixing.accounts.choices import Role
from zhixing.accounts.models import User
from zhixing.courts.models import Court

from .exceptions import NotFound
from .models import DataAccessLog, EnforcementCase, Party


def visible_court_ids(user: User) -> list[int] | None:
    """Courts whose cases `user` may see; None means every court (superuser).

    Staff see their own court; a higher court's supervisor also sees the courts below it (read-only)."""
    if user.is_superuser:
        return None
    if not user.court_id:
        return []
    if user.role == Role.SUPERVISOR:
        return user.court.descendant_ids()
    return [user.court_id]


def cases_visible_to(user: User) -> QuerySet[EnforcementCase]:
    court_ids = visible_court_ids(user)
    cases = EnforcementCase.objects.all()
    return cases if court_ids is None else cases.filter(court_id__in=court_ids)


def case_get_for_user(*, user: User, pk: int) -> EnforcementCase:
    """The case, or NotFound — also for another court's case, so its existence is not revealed."""
    try:
        return cases_visible_to(user).select_related("court", "handler", "team", "basis", "registered_by").get(pk=pk)
    except EnforcementCase.DoesNotExist as exc:
        raise NotFound("案件不存在") from exc


def case_get_by_number_for_user(*, user: User, case_number: str) -> EnforcementCase:
    try:
        return cases_visible_to(user).get(case_number=case_number)
    except EnforcementCase.DoesNotExist as exc:
        raise NotFound("案件不存在") from exc


def looks_like_identity_number(text: str) -> bool:
    return len(text) == 18 and text[:6].isalnum()


@dataclass
class CaseFilter:
    """The worklist's filters; every field optional."""

    mine: bool = False
    status: str = ""
    stage: str = ""
    track: str = ""
    team_id: int | None = None
    handler_id: int | None = None
    court_id: int | None = None
    filed_from: dt.date | None = None
    filed_to: dt.date | None = None
    amount_min_fen: int | None = None
    amount_max_fen: int | None = None
    party: str = ""  # a party's name (contains) or exact ID number / credit code
    case_number: str = ""


_LOOK_UP = object()


def cases_for_worklist(*, user: User, filters: CaseFilter, court_ids=_LOOK_UP) -> QuerySet[EnforcementCase]:
    """The worklist's cases in worklist order. `court_ids`: visible_court_ids(user), when the
    caller already has them, so that they are looked up once."""
    court_ids = visible_court_ids(user) if court_ids is _LOOK_UP else court_ids
    cases = EnforcementCase.objects.all() if court_ids is None else EnforcementCase.objects.filter(court_id__in=court_ids)
    if filters.mine:
        cases = cases.filter(handler=user)
    for name in ("status", "stage", "track"):
        if value := getattr(filters, name):
            cases = cases.filter(**{name: value})
    if filters.team_id:
        cases = cases.filter(team_id=filters.team_id)
    if filters.handler_id:
        cases = cases.filter(handler_id=filters.handler_id)
    if filters.court_id:
        cases = cases.filter(court_id=filters.court_id)
    if filters.filed_from:
        cases = cases.filter(filed_on__gte=filters.filed_from)
    if filters.filed_to:
        cases = cases.filter(filed_on__lte=filters.filed_to)
    if filters.amount_min_fen is not None:
        cases = cases.filter(claim_amount_fen__gte=filters.amount_min_fen)
    if filters.amount_max_fen is not None:
        cases = cases.filter(claim_amount_fen__lte=filters.amount_max_fen)
    if filters.case_number:
        cases = cases.filter(case_number__contains=filters.case_number.strip())
    if party := filters.party.strip():
        if looks_like_identity_number(party):
            number = party.upper()
            matching = Party.objects.filter(Q(id_number=number) | Q(credit_code=number))
        else:
            matching = Party.objects.filter(name__contains=party)
        if court_ids is not None:
            matching = matching.filter(court_id__in=court_ids)
        cases = cases.filter(pk__in=_matching_case_ids(matching))
        DataAccessLog.objects.create(user=user, court_id=user.court_id, kind="party_search", query=party[:200])
    return cases.select_related("court", "handler", "team").order_by(*WORKLIST_ORDER)


# The worklist's order; index case_court_filed (court, -filed_on, -id) serves it within one court.
WORKLIST_ORDER = ("-filed_on", "-id")
# Above this many courts one UNION ALL gets unwieldy (SQLite allows 500 terms): sort instead.
MAX_COURTS_MERGED = 200


def worklist_page(
    *, user: User, filters: CaseFilter, number: int | str | None, page_size: int, clamp: bool = True
) -> Page:
    """One page of the worklist, for the page and the API alike.

    At most one COUNT (none when the first page is not full) and one read of the page. Across
    several courts (a higher court's supervisor) the page is read by walking each court's index in
    order and merging, rather than sorting every visible case. `clamp`: a page past the end shows
    the last page (pages) or is empty (API)."""
    visible = visible_court_ids(user)
    cases = cases_for_worklist(user=user, filters=filters, court_ids=visible)
    court_ids = _merge_court_ids(visible, filters)
    paginator = Paginator(cases, page_size)
    try:
        number = max(1, int(number or 1))
    except ValueError:
        number = 1
    if number == 1:
        rows = _page_rows(cases, court_ids, offset=0, limit=page_size)
        if len(rows) < page_size:
            paginator.count = len(rows)  # sets the cached property: no COUNT query
        return Page(rows, 1, paginator)
    if clamp:
        number = min(number, paginator.num_pages)
    offset = (number - 1) * page_size
    return Page(_page_rows(cases, court_ids, offset=offset, limit=page_size), number, paginator)


def _merge_court_ids(visible: list[int] | None, filters: CaseFilter) -> list[int]:
    """The courts whose index walks are merged; one court (or none) means a plain sorted read.

    A party or case-number search matches a few cases: sorting those is cheap, while a merge
    would run the search once per court."""
    if filters.court_id or filters.party.strip() or filters.case_number.strip():
        return []
    return list(Court.objects.values_list("pk", flat=True)) if visible is None else visible


def _page_rows(cases: QuerySet, court_ids: list[int], *, offset: int, limit: int) -> list[EnforcementCase]:
    if len(court_ids) <= 1 or len(court_ids) > MAX_COURTS_MERGED:
        return list(cases[offset : offset + limit])
    ids = _page_ids_merged(cases, court_ids, offset=offset, limit=limit)
    by_id = {case.pk: case for case in cases.filter(pk__in=ids).order_by()}
    return [by_id[pk] for pk in ids if pk in by_id]


def _page_ids_merged(cases: QuerySet, court_ids: list[int], *, offset: int, limit: int) -> list[int]:
    """Ids of rows offset…offset+limit in worklist order: the first offset+limit of each court (an
    ordered index walk each), merged by one UNION ALL that sorts only those few rows."""
    window = offset + limit
    parts, params = [], []
    for court_id in court_ids:
        per_court = cases.filter(court_id=court_id).order_by(*WORKLIST_ORDER).values_list("filed_on", "id")[:window]
        sql, court_params = per_court.query.sql_with_params()
        parts.append(f"SELECT * FROM ({sql}) AS court_{int(court_id)}")
        params.extend(court_params)
    sql = " UNION ALL ".join(parts) + " ORDER BY 1 DESC, 2 DESC LIMIT %s OFFSET %s"
    with connections[cases.db].cursor() as cursor:
        cursor.execute(sql, [*params, limit, offset])
        return [row[1] for row in cursor.fetchall()]


# A party search resolved to at most this many case ids is passed as a list; a broader one stays a
# sub-query (SQLite allows 32,766 parameters).
MAX_PARTY_MATCHES_LISTED = 5000


def _matching_case_ids(matching: QuerySet[Party]):
    """The cases of the matching parties. A name search (LIKE '%…%') scans every party of the visible
    courts: run it once, not again for the COUNT and for the page."""
    # order_by(): Party's default ordering would join the cases table into the DISTINCT.
    ids = list(matching.order_by().values_list("case_id", flat=True).distinct()[: MAX_PARTY_MATCHES_LISTED + 1])
    return ids if len(ids) <= MAX_PARTY_MATCHES_LISTED else matching.values("case_id")


def log_case_view(*, user: User, case: EnforcementCase, kind: str = "case_view") -> None:
    """Viewing a case shows its parties' personal data: record who looked (个人信息查询留痕)."""
    DataAccessLog.objects.create(user=user, court_id=case.court_id, case=case, kind=kind)


def case_detail(*, user: User, pk: int) -> dict:
    case = case_get_for_user(user=user, pk=pk)
    log_case_view(user=user, case=case)
    return {
        "case": case,
        "parties": list(case.parties.all()),
        "claims": list(case.claims.all()),
        "nodes": list(case.node_records.select_related("recorded_by").order_by("-recorded_at", "-id")),
        "log": list(case.log_entries.order_by("-seq")),
    }


def court_overview(*, user: User) -> list[dict]:
    """Per visible court: open cases by stage, closed by type, and money figures."""
    court_ids = visible_court_ids(user)
    courts = Court.objects.all() if court_ids is None else Court.objects.filter(pk__in=court_ids)
    cases = cases_visible_to(user)
    by_court = {
        row["court_id"]: row
        for row in cases.values("court_id").annotate(
            total=Count("id"),
            open=Count("id", filter=Q(status="open")),
            closed=Count("id", filter=~Q(status="open")),
            claim_fen=Sum("claim_amount_fen"),
            performed_fen=Sum("performed_amount_fen"),
        )
    }
    stages = {}
    for row in cases.filter(status="open").values("court_id", "stage").annotate(n=Count("id")):
        stages.setdefault(row["court_id"], {})[row["stage"]] = row["n"]
    closings = {}
    for row in cases.exclude(status="open").values("court_id", "closing_type").annotate(n=Count("id")):
        closings.setdefault(row["court_id"], {})[row["closing_type"]] = row["n"]
    result = []
    for court in courts.order_by("court_code"):
        totals = by_court.get(court.pk, {})
        result.append(
            {
                "court": court,
                "total": totals.get("total", 0),
                "open": totals.get("open", 0),
                "closed": totals.get("closed", 0),
                "claim_fen": totals.get("claim_fen") or 0,
                "performed_fen": totals.get("performed_fen") or 0,
                "stages": stages.get(court.pk, {}),
                "closings": closings.get(court.pk, {}),
            }
        )
    return result
