"""Per-case facts from control measures and the disposal tables, for the deadline engine's first
step: sv_measure (measure periods: renewal and expiry) and sv_disposal (reference price and sale
start, per asset held for sale)."""

from __future__ import annotations

from django.db import connection

from .rules import RULES, Facet, Kind
from .sql import analyze, drop_temp, sql_list


def measure_classes() -> list[str]:
    return sorted({rule.period_class for rule in RULES if rule.kind == Kind.MEASURE})


def build_measures(cursor, case_ids: list[int] | None) -> None:
    """sv_measure: per case with control measures, for each period class the start of the oldest
    running measure, else the start and end of the last one that ended (released or lapsed).
    Queued measures (轮候) have not started; deductions have no period."""
    from zhixing.property.models import ControlMeasure, MeasureStatus

    table = ControlMeasure._meta.db_table
    running, ended = MeasureStatus.ACTIVE, (MeasureStatus.RELEASED, MeasureStatus.LAPSED)
    columns = []
    for code in measure_classes():
        columns += [
            f"MIN(CASE WHEN period_class = '{code}' AND status = '{running}' THEN started_on END) AS running_{code}",
            f"MAX(CASE WHEN period_class = '{code}' AND status IN ('{ended[0]}', '{ended[1]}') THEN started_on END) AS last_{code}",
            f"MAX(CASE WHEN period_class = '{code}' AND status IN ('{ended[0]}', '{ended[1]}') THEN ended_on END) AS ended_{code}",
        ]
    if case_ids is None:
        where, params = "", []
    else:
        where, params = f"AND case_id IN ({', '.join(['%s'] * len(case_ids))})", list(case_ids)
    drop_temp(cursor, "sv_measure")
    cursor.execute(
        f"""CREATE TEMP TABLE sv_measure AS SELECT case_id, {', '.join(columns)} FROM {table}
            WHERE period_class <> '' AND status <> '{MeasureStatus.QUEUED}' {where} GROUP BY case_id""",
        params,
    )
    cursor.execute("CREATE UNIQUE INDEX sv_measure_case ON sv_measure (case_id)")
    analyze(cursor, "sv_measure")


# Kind.DISPOSAL, per asset the case holds for sale (a row d of build_disposal) and facet: (it waits,
# from which day while it waits, from which day its first instance ran, what answered it, its clock is
# stopped). Grouped per case: the oldest waiting start runs; when none waits, the first start of all
# with the latest answer (met) — or, while a clock is stopped, paused.
DISPOSAL_FACETS: dict[str, tuple[str, str, str, str, str]] = {
    # 30 days from the case's first seizure of the asset, as disposal.reference.start_due counts them;
    # answered by the first rung of any method (a failed one was a start too), or by no longer holding
    # the asset (released, lapsed): nothing is left to price.
    Facet.REFERENCE_PRICE: (
        "d.held = 1 AND d.priced_on IS NULL", "d.first_on", "d.first_on",
        "COALESCE(d.priced_on, CASE WHEN d.held = 0 THEN d.ended_on END)", "0 = 1",
    ),
    # 10 days from the day the price is fixed (fixed_on, see build_disposal); answered by the first
    # round announced in a plan not withdrawn, or by no longer holding the asset. Stopped while no fixed
    # price stands after one did: an objection pending, or the price being fixed again after it.
    Facet.SALE_START: (
        "d.held = 1 AND d.fixed_on IS NOT NULL AND d.announced_on IS NULL", "d.fixed_on", "d.first_fixed_on",
        "CASE WHEN d.first_fixed_on IS NOT NULL THEN COALESCE(d.announced_on, CASE WHEN d.held = 0 THEN d.ended_on END) END",
        "d.held = 1 AND d.first_fixed_on IS NOT NULL AND d.fixed_on IS NULL AND d.announced_on IS NULL",
    ),
}


def cash_period_classes() -> tuple[str, ...]:
    """The period classes of cash assets (deposits): frozen to be deducted, never priced. Read off the
    measure rather than joining every measure to its asset; exact while no other asset kind shares
    them (asserted by zhixing/disposal/tests/test_supervision.py)."""
    from zhixing.property.rules import ASSET_KINDS

    return tuple(sorted({kind.period_class for kind in ASSET_KINDS.values() if kind.cash}))


def build_disposal(cursor, case_ids: list[int] | None) -> None:
    """sv_disposal: per case holding property for sale — a seizure, detention or freeze of a non-cash
    asset that took effect (a queued one has not: 查封规定第26条) — each facet's wait_, first_, answer_
    and stopped_ (DISPOSAL_FACETS), in one grouped pass over those measures with the (small) disposal
    tables joined per asset."""
    from zhixing.disposal.choices import ObjectionOutcome, PlanStatus, PriceStatus
    from zhixing.disposal.models import AuctionRound, DisposalPlan, Objection, ReferencePrice
    from zhixing.disposal.reference import DISPOSABLE_HOLDS
    from zhixing.property.models import ControlMeasure, MeasureStatus

    measures = f"{ControlMeasure._meta.db_table} m"
    if case_ids is None:
        scope, params = "", []
        if connection.vendor == "sqlite":
            # Every measure is read: straight through the table, not row by row through the (case,
            # status) index SQLite would otherwise walk — the grouping sorts them anyway.
            measures += " NOT INDEXED"
    else:
        scope, params = f"AND m.case_id IN ({', '.join(['%s'] * len(case_ids))})", list(case_ids)
    columns = []
    for facet, (waits, wait_start, first_start, answer, stopped) in DISPOSAL_FACETS.items():
        columns += [
            f"MIN(CASE WHEN {waits} THEN {wait_start} END) AS wait_{facet}",
            f"MIN({first_start}) AS first_{facet}",
            f"MAX({answer}) AS answer_{facet}",
            f"MAX(CASE WHEN {stopped} THEN 1 ELSE 0 END) AS stopped_{facet}",
        ]
    drop_temp(cursor, "sv_disposal")
    # fixed_on — when a reference price is "确定" (法释〔2018〕15号第30条): the day its result is served on
    # the parties, not result_on. Only from then may they object (5 days from receipt, Art. 22), and no
    # round may use a result before it is served and that window has passed (disposal.reference
    # .standing_price); from result_on the 3 days the court has to serve it (Art. 19) would eat into
    # the 10. An agreed price is served the day it is agreed (negotiation_record). A dismissed
    # objection fixes it again on the day of the decision; one pending (OBJECTED) or upheld leaves no
    # standing result, so the asset's clock stops.
    # The disposal rows are joined to each measure row and only MIN/MAX read them: repeated rows
    # (several measures, rungs or rounds of one asset) change nothing, and the case ids are bound once.
    cursor.execute(
        f"""CREATE TEMP TABLE sv_disposal AS
            SELECT d.case_id, {', '.join(columns)},
                   MAX(CASE WHEN d.priced_on IS NOT NULL THEN 1 ELSE 0 END) AS recorded
            FROM (
                SELECT m.case_id, MIN(m.started_on) AS first_on, MAX(m.ended_on) AS ended_on,
                       MAX(CASE WHEN m.status = '{MeasureStatus.ACTIVE}' THEN 1 ELSE 0 END) AS held,
                       MIN(rp.started_on) AS priced_on, MIN(rp.served_on) AS first_fixed_on,
                       MAX(CASE WHEN rp.status = '{PriceStatus.RESULT}' AND rp.served_on IS NOT NULL
                                THEN COALESCE(o.decided_on, rp.served_on) END) AS fixed_on,
                       MIN(rd.announce_on) AS announced_on
                FROM {measures}
                LEFT JOIN {ReferencePrice._meta.db_table} rp ON rp.case_id = m.case_id AND rp.asset_id = m.asset_id
                LEFT JOIN {Objection._meta.db_table} o ON o.reference_id = rp.id
                     AND o.outcome = '{ObjectionOutcome.DISMISSED}'
                LEFT JOIN {DisposalPlan._meta.db_table} pl ON pl.case_id = m.case_id AND pl.asset_id = m.asset_id
                     AND pl.status <> '{PlanStatus.WITHDRAWN}'
                LEFT JOIN {AuctionRound._meta.db_table} rd ON rd.plan_id = pl.id AND rd.announced_at IS NOT NULL
                WHERE m.kind IN ({sql_list(DISPOSABLE_HOLDS)}) AND m.period_class NOT IN ({sql_list(cash_period_classes())}) {scope}
                GROUP BY m.case_id, m.asset_id
                HAVING MAX(CASE WHEN m.status <> '{MeasureStatus.QUEUED}' THEN 1 ELSE 0 END) = 1
            ) d
            GROUP BY d.case_id""",
        params,
    )
    cursor.execute("CREATE UNIQUE INDEX sv_disposal_case ON sv_disposal (case_id)")
    analyze(cursor, "sv_disposal")
