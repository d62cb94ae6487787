"""Reads of bundles and related cases. Visibility by user is applied here, once, so the pages and the
API cannot disagree: a user sees a bundle only if every one of its cases is in a court they may see
(cases.selectors.visible_court_ids) — a court's own bundles, and for a higher court's supervisor the
cross-court bundles of an intermediate court whose courts they all see."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, QuerySet, Sum

from zhixing.accounts.models import User
from zhixing.cases.choices import CaseStatus, PartyKind, PartyRole
from zhixing.cases.exceptions import NotFound
from zhixing.cases.models import EnforcementCase, Party
from zhixing.cases.selectors import looks_like_identity_number, visible_court_ids
from zhixing.courts.choices import CourtLevel
from zhixing.courts.models import Court
from zhixing.property.models import CaseAsset

from .choices import HandoverState, RelationKind
from .models import Bundle, BundleCase, BundleHandover, RelateRun

# ---------------------------------------------------------------- visibility


def _visibility(user: User) -> Q | None:
    """The bundles `user` may see, as a filter; None: every bundle (superuser)."""
    court_ids = visible_court_ids(user)
    if court_ids is None:
        return None
    visible = set(court_ids)
    regions = [pk for pk in Court.objects.filter(pk__in=visible, level=CourtLevel.INTERMEDIATE).values_list("pk", flat=True)]
    hidden_below = set(Court.objects.filter(parent_id__in=regions).exclude(pk__in=visible).values_list("parent_id", flat=True))
    whole_regions = [pk for pk in regions if pk not in hidden_below]
    return Q(cross_court=False, scope_court_id__in=court_ids) | Q(cross_court=True, scope_court_id__in=whole_regions)


def bundles_visible_to(user: User, *, active: bool = True) -> QuerySet[Bundle]:
    bundles = Bundle.objects.all()
    if active:
        bundles = bundles.filter(dissolved_at__isnull=True)
    where = _visibility(user)
    return bundles if where is None else bundles.filter(where)


def bundle_get_for_user(*, user: User, pk: int) -> Bundle:
    """The bundle (dissolved ones too: their hand-over history stays readable), or NotFound."""
    try:
        return bundles_visible_to(user, active=False).select_related("scope_court", "last_handover__team",
                                                                      "last_handover__handler").get(pk=pk)
    except Bundle.DoesNotExist as exc:
        raise NotFound("关联案件组不存在") from exc


def bundle_case_ids(bundle: Bundle) -> list[int]:
    """The case ids of a bundle, as of the last detection run (for netting and other batch work)."""
    return list(BundleCase.objects.filter(bundle_id=bundle.pk).order_by("case_id").values_list("case_id", flat=True))


# ---------------------------------------------------------------- the worklist


@dataclass
class BundleFilter:
    """The worklist's filters; every field optional."""

    kind: str = ""
    scope: str = ""  # "court": one court's bundles; "cross": cross-court bundles
    court_id: int | None = None  # bundles with a case of this court
    team_id: int | None = None  # bundles with an open case handled by this team
    min_size: int | None = None
    handover: str = ""  # HandoverState
    q: str = ""  # a name (contains) or an exact ID number / credit code


def bundles_for_worklist(*, user: User, filters: BundleFilter) -> QuerySet[Bundle]:
    bundles = bundles_visible_to(user)
    if filters.kind:
        bundles = bundles.filter(kind=filters.kind)
    if filters.scope == "court":
        bundles = bundles.filter(cross_court=False)
    elif filters.scope == "cross":
        bundles = bundles.filter(cross_court=True)
    if filters.court_id:
        bundles = bundles.filter(Q(cross_court=False, scope_court_id=filters.court_id)
                                 | Q(cross_court=True, pk__in=BundleCase.objects.filter(court_id=filters.court_id)
                                     .values("bundle_id")))
    if filters.team_id:
        team_court = Court.objects.filter(teams__pk=filters.team_id).values_list("pk", flat=True).first()
        # The case's court first, so that the (court, team, status) index of cases serves the look-up.
        handled = BundleCase.objects.filter(court_id=team_court, case__court_id=team_court, case__team_id=filters.team_id,
                                            case__status=CaseStatus.OPEN)
        bundles = bundles.filter(pk__in=handled.values("bundle_id"))
    if filters.min_size:
        bundles = bundles.filter(case_count__gte=filters.min_size)
    if filters.handover == HandoverState.PENDING:
        bundles = bundles.filter(last_handover__isnull=True)
    elif filters.handover == HandoverState.HANDED:
        bundles = bundles.filter(last_handover__isnull=False)
    if q := filters.q.strip():
        bundles = bundles.filter(key=q.upper()) if looks_like_identity_number(q) else bundles.filter(label__contains=q)
    return bundles.select_related("scope_court", "last_handover__team").order_by("-case_count", "id")


@dataclass
class Totals:
    """What a bundle's cases add up to now (live, not as of the detection run)."""

    cases: int = 0
    open: int = 0
    claim_fen: int = 0
    outstanding_fen: int = 0  # claim − performed, of the open cases
    teams: list[str] = field(default_factory=list)  # teams handling its open cases
    unassigned: int = 0  # open cases without a handler


def bundle_totals(bundle_ids: list[int]) -> dict[int, Totals]:
    """Totals of several bundles now, in two queries (a bundle's page; storing them after a hand-over)."""
    totals = {pk: Totals() for pk in bundle_ids}
    is_open = Q(case__status=CaseStatus.OPEN)
    rows = BundleCase.objects.filter(bundle_id__in=bundle_ids).values("bundle_id").annotate(
        cases=Count("case_id"), open=Count("case_id", filter=is_open), claim=Sum("case__claim_amount_fen"),
        open_claim=Sum("case__claim_amount_fen", filter=is_open),
        open_performed=Sum("case__performed_amount_fen", filter=is_open),
        unassigned=Count("case_id", filter=is_open & Q(case__handler__isnull=True)),
    ).order_by()
    for row in rows:
        t = totals[row["bundle_id"]]
        t.cases, t.open, t.claim_fen, t.unassigned = row["cases"], row["open"], row["claim"] or 0, row["unassigned"]
        t.outstanding_fen = (row["open_claim"] or 0) - (row["open_performed"] or 0)
    teams = (BundleCase.objects.filter(bundle_id__in=bundle_ids, case__status=CaseStatus.OPEN, case__team__isnull=False)
             .values_list("bundle_id", "case__team__name").distinct().order_by("bundle_id", "case__team__name"))
    for bundle_id, name in teams:
        totals[bundle_id].teams.append(name)
    return totals


def bundle_page(*, user: User, filters: BundleFilter, number, page_size: int, clamp: bool = True) -> Page:
    """One page of the worklist (its figures as stored by the last run or hand-over). A first page that
    is not full needs no COUNT."""
    paginator = Paginator(bundles_for_worklist(user=user, filters=filters), page_size)
    try:
        number = max(1, int(number or 1))
    except (TypeError, ValueError):
        number = 1
    if number == 1:
        rows = list(paginator.object_list[:page_size])
        if len(rows) < page_size:
            paginator.count = len(rows)  # sets the cached property: no COUNT query
        page = Page(rows, 1, paginator)
    else:
        if clamp:
            number = min(number, paginator.num_pages)
        offset = (number - 1) * page_size
        page = Page(list(paginator.object_list[offset:offset + page_size]), number, paginator)
    return page


def last_run(user: User) -> RelateRun | None:
    """The latest detection run that covered the user's court (a run of every court, or of that court)."""
    runs = RelateRun.objects.order_by("-started_at", "-id")
    if not user.is_superuser:
        runs = runs.filter(Q(court__isnull=True) | Q(court_id=user.court_id))
    return runs.first()


# ---------------------------------------------------------------- one bundle


def bundle_cases(bundle: Bundle) -> QuerySet[EnforcementCase]:
    """The bundle's cases (as of the last run; closed since then too), court by court, newest first."""
    ids = BundleCase.objects.filter(bundle_id=bundle.pk).values("case_id")
    return (EnforcementCase.objects.filter(pk__in=ids).select_related("court", "team", "handler")
            .annotate(outstanding_fen=F("claim_amount_fen") - F("performed_amount_fen"))
            .order_by("court__court_code", "-filed_on", "-id"))


def handovers(bundle: Bundle) -> list[BundleHandover]:
    return list(bundle.handovers.select_related("team", "handler", "actor", "court").order_by("-at", "-id"))


# ---------------------------------------------------------------- a case's related cases (live)

PANEL_LIMIT = 10  # cases listed per relation on the case page; the rest are counted


@dataclass
class Related:
    """Open cases related to one case in one way, visible to the user."""

    kind: str
    label: str  # whom or what they share
    cases: list[EnforcementCase]
    total: int

    @property
    def kind_label(self) -> str:
        return RelationKind(self.kind).label

    @property
    def more(self) -> int:
        return self.total - len(self.cases)


@dataclass
class RelatedPanel:
    exact: list[Related]
    possible: list[Related]
    bundles: list[Bundle]

    @property
    def empty(self) -> bool:
        return not (self.exact or self.possible or self.bundles)


def _court_ids(user: User) -> list[int]:
    # Every court for a superuser: the party indexes lead with the court.
    court_ids = visible_court_ids(user)
    return list(Court.objects.values_list("pk", flat=True)) if court_ids is None else court_ids


def _identity_filter(parties: list[Party]) -> Q:
    ids = {p.id_number for p in parties if p.id_number}
    codes = {p.credit_code for p in parties if p.credit_code}
    # Stored upper-case by registration; legacy rows may carry a lower-case x (the detection upper-cases).
    ids |= {n.lower() for n in ids if n.endswith("X")}
    where = Q(pk__in=[])
    if ids:
        where |= Q(id_number__in=sorted(ids))
    if codes:
        where |= Q(credit_code__in=sorted(codes))
    return where


# Matches resolved to at most this many case ids are passed as a list (a precise plan, few parameters);
# more (a bank's thousands of cases) stay a sub-query: matches are then dense, and walking the cases by date
# finds the newest few at once.
MAX_IDS_LISTED = 200


def _open_cases(case: EnforcementCase, matching: QuerySet) -> tuple[list[EnforcementCase], int]:
    """The open cases among `matching` (a query of case ids) but `case`: the newest PANEL_LIMIT and how many.
    The ids are read first, from the party (or asset) index: the planner then never walks every case
    by date looking for the few that match."""
    ids = list(matching.order_by().values_list("case_id", flat=True).distinct()[:MAX_IDS_LISTED + 1])
    ids = ids if len(ids) <= MAX_IDS_LISTED else matching.values("case_id")
    cases = (EnforcementCase.objects.filter(pk__in=ids, status=CaseStatus.OPEN).exclude(pk=case.pk)
             .select_related("court", "team", "handler").order_by("-filed_on", "-id"))
    shown = list(cases[:PANEL_LIMIT + 1])
    if len(shown) <= PANEL_LIMIT:
        return shown, len(shown)
    return shown[:PANEL_LIMIT], cases.count()


def case_related(*, user: User, case: EnforcementCase) -> RelatedPanel:
    """关联案件 of one case, computed now from indexed look-ups (so a party changed today shows at
    once): the same respondent or applicant (by ID number or credit code), the same asset, mutual
    claims, and — apart — "possible" matches by name and birth date. Plus the stored bundles it is in."""
    court_ids = _court_ids(user)
    parties = list(Party.objects.filter(case_id=case.pk).order_by("position"))
    exact: list[Related] = []
    possible: list[Related] = []
    for role, kind in ((PartyRole.RESPONDENT, RelationKind.SAME_RESPONDENT), (PartyRole.APPLICANT, RelationKind.SAME_APPLICANT)):
        for party in [p for p in parties if p.role == role and p.identity_number]:
            same = Party.objects.filter(_identity_filter([party]), court_id__in=court_ids, role=role)
            cases, total = _open_cases(case, same)
            if total:
                exact.append(Related(kind, party.name, cases, total))
    for party in parties:
        if party.role == PartyRole.RESPONDENT and party.kind == PartyKind.NATURAL_PERSON and not party.id_number \
                and party.birth_on:
            same = Party.objects.filter(court_id__in=court_ids, name=party.name, birth_on=party.birth_on, id_number="",
                                        role=PartyRole.RESPONDENT, kind=PartyKind.NATURAL_PERSON)
            cases, total = _open_cases(case, same)
            if total:
                possible.append(Related(RelationKind.SAME_RESPONDENT_POSSIBLE, f"{party.name}（{party.birth_on:%Y-%m-%d}）",
                                        cases, total))
    links = list(CaseAsset.objects.filter(case_id=case.pk).select_related("asset"))
    for link in links:
        same = CaseAsset.objects.filter(asset_id=link.asset_id, court_id__in=court_ids)
        cases, total = _open_cases(case, same)
        if total:
            exact.append(Related(RelationKind.SAME_ASSET, link.asset.description, cases, total))
    applicants = [p for p in parties if p.role == PartyRole.APPLICANT and p.identity_number]
    respondents = [p for p in parties if p.role == PartyRole.RESPONDENT and p.identity_number]
    if applicants and respondents:
        # The other way round: one of our respondents applies against one of our applicants.
        against_us = Party.objects.filter(_identity_filter(applicants), court_id__in=court_ids, role=PartyRole.RESPONDENT)
        by_them = Party.objects.filter(_identity_filter(respondents), court_id__in=court_ids, role=PartyRole.APPLICANT,
                                       case_id__in=against_us.values("case_id"))
        cases, total = _open_cases(case, by_them)
        if total:
            names = "、".join(p.name for p in respondents)
            exact.append(Related(RelationKind.MUTUAL, f"{names}申请执行本案申请人", cases, total))
    return RelatedPanel(exact=exact, possible=possible, bundles=case_bundles(user=user, case=case))


def case_bundles(*, user: User, case: EnforcementCase) -> list[Bundle]:
    """The stored (active) bundles the case is in, that the user may see."""
    ids = BundleCase.objects.filter(case_id=case.pk).values("bundle_id")
    return list(bundles_visible_to(user).filter(pk__in=ids).select_related("scope_court", "last_handover__team")
                .order_by("kind", "-case_count"))
