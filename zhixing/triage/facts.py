"""The facts the triage rules look at, read from the database for many cases at once: one grouped
query per kind of fact for each chunk of cases, never a query per case (re-triaging a court's
100,000 open cases is six queries per 2,000 cases)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Q, Sum

from zhixing.cases.choices import PartyRole
from zhixing.cases.inputs import CaseInput
from zhixing.cases.models import EnforcementCase, NodeRecord, Party
from zhixing.property.models import CaseAsset

from .choices import SPECIAL_SUBJECTS, Tag
from .models import CaseTag
from .rules import CASH_ASSET_KINDS, DISPOSAL_ASSET_KINDS, DISPOSAL_NODES, Facts

CHUNK = 2000


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def facts_for_cases(case_ids: Iterable[int]) -> dict[int, Facts]:
    """{case_id: Facts} for the given cases (missing ids are left out)."""
    ids = sorted(set(case_ids))
    result: dict[int, Facts] = {}
    for chunk in _chunks(ids):
        cases = EnforcementCase.objects.filter(pk__in=chunk).order_by().values_list(
            "pk", "case_type", "claim_amount_fen", "performed_amount_fen")
        tags = CaseTag.objects.filter(case_id__in=chunk, removed_at__isnull=True).order_by().values_list("case_id", "tag")
        result.update(_facts(list(cases), list(tags)))
    return result


def facts_for_case(case: EnforcementCase, tags: Iterable[CaseTag]) -> Facts:
    """One case whose row and tags the caller has already read (the case page): three queries."""
    row = (case.pk, case.case_type, case.claim_amount_fen, case.performed_amount_fen)
    return _facts([row], [(case.pk, t.tag) for t in tags if t.removed_at is None])[case.pk]


def _facts(cases: list[tuple], tag_rows: Iterable[tuple[int, str]]) -> dict[int, Facts]:
    # order_by(): the models' default orderings would join the cases table into every grouped query.
    ids = [row[0] for row in cases]
    parties: dict[int, dict[str, int]] = defaultdict(dict)
    for case_id, role, n in (Party.objects.filter(case_id__in=ids).order_by().values_list("case_id", "role")
                             .annotate(n=Count("id"))):
        parties[case_id][role] = n
    cash: dict[int, int] = defaultdict(int)
    disposal: dict[int, int] = defaultdict(int)
    assets = (CaseAsset.objects.filter(case_id__in=ids, asset__kind__in=(*CASH_ASSET_KINDS, *DISPOSAL_ASSET_KINDS))
              .order_by().values_list("case_id", "asset__kind")
              .annotate(n=Count("id"), s=Sum("asset__value_fen", filter=Q(asset__value_fen__gt=0))))
    for case_id, kind, n, total in assets:
        if kind in CASH_ASSET_KINDS:
            cash[case_id] += int(total or 0)
        else:
            disposal[case_id] += n
    started = set(NodeRecord.objects.filter(case_id__in=ids, node_code__in=DISPOSAL_NODES).order_by()
                  .values_list("case_id", flat=True).distinct())
    tags: dict[int, set[str]] = defaultdict(set)
    for case_id, tag in tag_rows:
        tags[case_id].add(tag)
    return {
        pk: Facts(
            case_type=case_type,
            claim_amount_fen=claim,
            performed_amount_fen=performed,
            party_count=sum(parties[pk].values()),
            respondent_count=parties[pk].get(PartyRole.RESPONDENT, 0),
            cash_fen=cash[pk],
            disposal_assets=disposal[pk],
            disposal_started=pk in started,
            respondent_missing=Tag.RESPONDENT_MISSING in tags[pk],
            subjects=frozenset(tags[pk] & set(SPECIAL_SUBJECTS)),
        )
        for pk, case_type, claim, performed in cases
    }


def facts_at_registration(case: EnforcementCase, data: CaseInput) -> Facts:
    """A case being registered: everything is in `data`; nothing has been found or tagged yet."""
    return Facts(
        case_type=case.case_type,
        claim_amount_fen=case.claim_amount_fen,
        performed_amount_fen=case.performed_amount_fen,
        party_count=len(data.parties),
        respondent_count=sum(1 for p in data.parties if p.role == PartyRole.RESPONDENT),
    )
