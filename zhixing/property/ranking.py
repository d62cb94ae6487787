"""现金可执行率 (C14): cash found ÷ outstanding claim per open case, and the easy-cases-first list.

One SQL statement over a court's open cases, so that 100,000 of them rank in well under two seconds:
cash per case is summed from the cash assets linked to it (the latest balance each agency reported),
the ratio is integer basis points (cash × 10000 ÷ outstanding), never a float."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from zhixing.accounts.models import User
from zhixing.cases.choices import CaseStatus
from zhixing.cases.models import EnforcementCase
from zhixing.courts.choices import TeamType
from zhixing.courts.models import Team

from .models import Asset, CaseAsset
from .rules import CASH_KINDS, FAST_TRACK_MIN_RATIO_BP


@dataclass
class RankedCase:
    case_id: int
    case_number: str
    respondent_names: str
    filed_on: object
    team_id: int | None
    team_name: str
    handler_name: str
    outstanding_fen: int
    cash_fen: int
    ratio_bp: int | None  # None: nothing outstanding

    @property
    def ratio_text(self) -> str:
        if self.ratio_bp is None:
            return "—"
        return f"{self.ratio_bp // 100}.{self.ratio_bp % 100:02d}%"

    @property
    def covers_claim(self) -> bool:
        return self.ratio_bp is not None and self.ratio_bp >= FAST_TRACK_MIN_RATIO_BP


def _cash_sql(court_ids: list[int]) -> tuple[str, list]:
    marks = ", ".join(["%s"] * len(CASH_KINDS))
    courts = ", ".join(["%s"] * len(court_ids))
    sql = f"""SELECT ca.case_id, SUM(a.value_fen) AS cash FROM {CaseAsset._meta.db_table} ca
              JOIN {Asset._meta.db_table} a ON a.id = ca.asset_id
              WHERE ca.court_id IN ({courts}) AND a.kind IN ({marks}) AND a.value_fen > 0
              GROUP BY ca.case_id"""
    return sql, [*court_ids, *CASH_KINDS]


def cash_ranking(*, court_ids: list[int], team_id: int | None = None, min_ratio_bp: int | None = None,
                 exclude_team_ids: list[int] | None = None, limit: int = 50,
                 offset: int = 0) -> tuple[int, list[RankedCase]]:
    """(how many open cases match, one page of them): highest ratio first, then the oldest filing.
    Cases with nothing outstanding come last."""
    if not court_ids:
        return 0, []
    cash_sql, params = _cash_sql(court_ids)
    cases = EnforcementCase._meta.db_table
    where = [f"c.court_id IN ({', '.join(['%s'] * len(court_ids))})", "c.status = %s"]
    where_params: list = [*court_ids, CaseStatus.OPEN]
    if team_id:
        where.append("c.team_id = %s")
        where_params.append(team_id)
    if exclude_team_ids:
        where.append(f"(c.team_id IS NULL OR c.team_id NOT IN ({', '.join(['%s'] * len(exclude_team_ids))}))")
        where_params.extend(exclude_team_ids)
    outstanding = "(c.claim_amount_fen - c.performed_amount_fen)"
    ratio = f"CASE WHEN {outstanding} > 0 THEN (COALESCE(x.cash, 0) * 10000) / {outstanding} END"
    if min_ratio_bp is not None:
        where.append(f"{ratio} >= %s")
        where_params.append(min_ratio_bp)
    base = f"""FROM {cases} c LEFT JOIN ({cash_sql}) x ON x.case_id = c.id WHERE {' AND '.join(where)}"""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) {base}", [*params, *where_params])
        total = cursor.fetchone()[0]
        cursor.execute(
            f"""SELECT c.id, c.case_number, c.respondent_names, c.filed_on, c.team_id, c.handler_id,
                       {outstanding}, COALESCE(x.cash, 0), {ratio} AS ratio_bp
                {base}
                ORDER BY CASE WHEN {outstanding} > 0 THEN 0 ELSE 1 END, ratio_bp DESC, c.filed_on, c.id
                LIMIT %s OFFSET %s""",
            [*params, *where_params, limit, offset],
        )
        rows = cursor.fetchall()
    teams = dict(Team.objects.filter(pk__in={r[4] for r in rows if r[4]}).values_list("pk", "name"))
    handlers = {u.pk: u.display_name for u in User.objects.filter(pk__in={r[5] for r in rows if r[5]})}
    return total, [
        RankedCase(case_id=r[0], case_number=r[1], respondent_names=r[2], filed_on=r[3], team_id=r[4],
                   team_name=teams.get(r[4], ""), handler_name=handlers.get(r[5], ""), outstanding_fen=int(r[6]),
                   cash_fen=int(r[7]), ratio_bp=None if r[8] is None else int(r[8]))
        for r in rows
    ]


def case_cash(case: EnforcementCase) -> RankedCase:
    """One case's figures, for its property page."""
    cash = sum(
        CaseAsset.objects.filter(case=case, asset__kind__in=CASH_KINDS, asset__value_fen__gt=0)
        .values_list("asset__value_fen", flat=True)
    )
    outstanding = case.claim_amount_fen - case.performed_amount_fen
    ratio = cash * 10000 // outstanding if outstanding > 0 else None
    return RankedCase(case_id=case.pk, case_number=case.case_number, respondent_names=case.respondent_names,
                      filed_on=case.filed_on, team_id=case.team_id, team_name=str(case.team or ""),
                      handler_name=case.handler.display_name if case.handler_id else "", outstanding_fen=outstanding,
                      cash_fen=cash, ratio_bp=ratio)


def fast_track_suggestions(court_id: int, *, limit: int = 20) -> tuple[list[Team], list[RankedCase]]:
    """Cash cases not yet with a fast-track team: (the court's fast-track teams, the cases to move)."""
    fast = list(Team.objects.filter(court_id=court_id, team_type=TeamType.FAST, active=True))
    _, rows = cash_ranking(court_ids=[court_id], min_ratio_bp=FAST_TRACK_MIN_RATIO_BP,
                               exclude_team_ids=[t.pk for t in fast], limit=limit)
    return fast, rows
