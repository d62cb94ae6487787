"""The deadline engine: `supervise(as_of)` recomputes every deadline, warning, escalation and lock.

Set-based, so that a province's million open cases take seconds, not hours:
1. one aggregate pass over cases and their flow nodes gives each case's facts (sv_facts);
2. the calendar is consulted once per distinct (rule version, start date, paused days, extension,
   court policy) and remembered in `DueDate`;
3. one INSERT … SELECT turns each case's facts into one row per rule (joined to the rules, sv_rule,
   in key order) beside the remembered dates and the stored deadline, keeping only what differs
   (sv_diff); one UPDATE and one INSERT apply it. On the first run nothing is stored, so the same
   rows go straight into the deadline table (on PostgreSQL with the indexes built after);
4. escalations are recorded in one INSERT … SELECT; new locks — few per night — go into each case's
   execution log in Python (the hash chain).
A second run with the same as_of finds nothing to change. The same code runs for one case whenever
a service changes it (`supervise_cases`). The measure and disposal facts are built in
`property_facts`, the calendar memo in `memo`.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from zhixing.bulk import insert_rows
from zhixing.cases.choices import CaseStatus, LogAction
from zhixing.cases.log import LogEvent, log_append_many
from zhixing.cases.models import EnforcementCase

from . import policies
from .memo import fill_memo, key_sql, memo_for_run
from .models import (
    CaseLock,
    Deadline,
    DeadlineStatus,
    EscalationEvent,
    Extension,
    SupervisionRun,
    Suspension,
)
from .property_facts import build_disposal, build_measures
from .rules import RULES, RULES_BY_CODE, DeadlineRule, Kind
from .sql import analyze, as_date, col, drop_temp, sql_date, sql_list

CASES = EnforcementCase._meta.db_table
NODES = "cases_noderecord"
DEADLINES = Deadline._meta.db_table
LOCKS = CaseLock._meta.db_table


@dataclass
class RunResult:
    as_of: dt.date
    cases: int = 0
    deadlines: int = 0
    warnings: int = 0
    escalations: int = 0
    locks: int = 0
    seconds: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)  # seconds per step, for `supervise -v 2` and benchmarks

    def lap(self, step: str, since: float) -> float:
        now = time.perf_counter()
        self.steps[step] = round(self.steps.get(step, 0.0) + now - since, 2)
        return now

    @property
    def summary(self) -> str:
        return (
            f"督办完成（基准日 {self.as_of}，{self.cases} 件）：期限变更 {self.deadlines}，预警变更 {self.warnings}，"
            f"升级督办 {self.escalations}，新锁定 {self.locks}（用时 {self.seconds:.1f} 秒）"
        )


def today() -> dt.date:
    return timezone.localdate()



JIT_MIN_CASES = 200_000


def _scope_size(cursor) -> int:
    cursor.execute(f"SELECT COUNT(*) FROM {CASES} WHERE status IN ('{CaseStatus.OPEN}', '{CaseStatus.CLOSED}')")
    return cursor.fetchone()[0]


# ---------------------------------------------------------------- step 1: facts


def _needed(rule: DeadlineRule) -> set[str]:
    """Which of smin/smax/mmin/mmax/mcnt the rule's kind reads."""
    if rule.kind == Kind.FILING:
        if not rule.met_by:
            return set()
        return {"mmax", "mcnt"} if rule.met_after_count > 1 else {"mmin"}
    if rule.kind == Kind.DISPOSAL:
        return {"mmin", "mmax"} if rule.met_by else set()
    return {Kind.NODE: {"smin", "mmin"}, Kind.LAST_NODE: {"smax", "mmin"}, Kind.PAIRED: {"smin", "smax", "mmax"},
            Kind.CLOSING: set(), Kind.MEASURE: set()}[rule.kind]


def _aggregate_sql(what: str, codes: tuple[str, ...]) -> str:
    fn = {"smin": "MIN", "mmin": "MIN", "smax": "MAX", "mmax": "MAX", "mcnt": "COUNT"}[what]
    value = "1" if what == "mcnt" else "n.occurred_on"
    return f"{fn}(CASE WHEN n.node_code IN ({sql_list(codes)}) THEN {value} END)"


def _aggregates() -> tuple[list[tuple[str, str]], dict[str, str]]:
    """The distinct aggregates over a case's nodes that the rules read — each computed once however
    many rules read it (three measure rules share one 'first disposal') — and {rule column: aggregate column}."""
    columns: dict[str, str] = {}
    names: dict[str, str] = {}
    for rule in RULES:
        for what in sorted(_needed(rule)):
            codes = rule.start_nodes if what.startswith("s") else rule.met_by
            sql = _aggregate_sql(what, codes)
            if sql not in columns:
                columns[sql] = f"a{len(columns)}"
            names[col(rule, what)] = columns[sql]
    return [(name, sql) for sql, name in columns.items()], names


def _start_met(rule: DeadlineRule, names: dict[str, str]) -> tuple[str, str]:
    """SQL for (start date, met date) in terms of the aggregate row g."""
    def agg(what: str) -> str:
        return f"g.{names.get(col(rule, what), 'missing')}"

    smin, smax, mmin, mmax = agg("smin"), agg("smax"), agg("mmin"), agg("mmax")
    if rule.kind == Kind.FILING:
        start = "g.filed_on"
        met_parts = []
        if rule.met_by:
            if rule.met_after_count == 2:
                # exactly two: the later is the second; three or more: found in a second pass
                cnt = agg("mcnt")
                met_parts.append(f"CASE WHEN {cnt} = 2 THEN {mmax} END")
            else:
                met_parts.append(mmin)
        if rule.met_by_closing:
            met_parts.append("g.closed_on")
        met = met_parts[0] if len(met_parts) == 1 else f"COALESCE({', '.join(met_parts)})"
        return start, met
    if rule.kind == Kind.NODE:
        # Already controlled before the find was recorded counts as controlled on the day of the find.
        return smin, f"CASE WHEN {mmin} IS NULL THEN NULL WHEN {mmin} < {smin} THEN {smin} ELSE {mmin} END"
    if rule.kind == Kind.LAST_NODE:
        return smax, f"CASE WHEN {mmin} IS NULL OR {smax} IS NULL THEN NULL WHEN {mmin} < {smax} THEN {smax} ELSE {mmin} END"
    if rule.kind == Kind.PAIRED:
        # Answered up to the latest trigger: met on the latest answer. Otherwise the oldest trigger
        # after the latest answer runs (found in a second pass when there were earlier answers).
        start = f"CASE WHEN {mmax} IS NULL OR {mmax} >= {smax} THEN {smin} END"
        met = f"CASE WHEN {mmax} IS NOT NULL AND {mmax} >= {smax} THEN {mmax} END"
        return start, met
    if rule.kind == Kind.CLOSING:
        return "g.closed_on", "g.archived_on"
    if rule.kind == Kind.MEASURE:
        running, last, ended = (f"ms.{what}_{rule.period_class}" for what in ("running", "last", "ended"))
        return f"COALESCE({running}, {last})", f"CASE WHEN {running} IS NULL THEN {ended} END"
    if rule.kind == Kind.DISPOSAL:
        # The oldest waiting asset runs; when none waits, met on the latest answer — unless an asset's
        # clock is stopped (its price under objection), which pauses the deadline instead (_rule_terms).
        wait, first, answer, stopped = (f"ds.{what}_{rule.facet}" for what in ("wait", "first", "answer", "stopped"))
        start, met = f"COALESCE({wait}, {first})", f"CASE WHEN {wait} IS NULL AND {stopped} = 0 THEN {answer} END"
        if rule.met_by:
            # A case whose disposal was recorded only as flow nodes — no reference price for any asset it
            # holds, e.g. one migrated from the national system — is answered by the first such node on
            # or after the start: the first of all when none came before (a second pass in _build_facts
            # looks for the rest, whose nodes straddle the start).
            met = f"COALESCE({met}, CASE WHEN ds.recorded = 0 AND {mmin} >= {start} THEN {mmin} END)"
        return start, met
    raise ValueError(rule.kind)


def _build_facts(cursor, case_ids: list[int] | None, as_of: dt.date) -> int:
    """sv_facts: per case, each rule's start and met dates, its court's settings and its pauses."""
    _build_adjustments(cursor, case_ids, as_of)
    build_measures(cursor, case_ids)
    build_disposal(cursor, case_ids)
    aggregates, names = _aggregates()
    inner_cols = ",\n".join(f"{expr} AS {name}" for name, expr in aggregates)
    starts = []
    for rule in RULES:
        start, met = _start_met(rule, names)
        starts.append(f"{start} AS {col(rule, 'start')}, {met} AS {col(rule, 'met')}")
        if rule.kind == Kind.DISPOSAL:  # no asset waits and one's clock is stopped: the deadline is paused
            starts.append(f"CASE WHEN ds.wait_{rule.facet} IS NULL AND ds.stopped_{rule.facet} = 1 THEN 1 ELSE 0 END "
                          f"AS {col(rule, 'stopped')}")
    # Kept for the second pass: the latest trigger and answer of paired rules, the count of counted ones,
    # the first and last answering node of disposal rules.
    disposal_mmin = {col(rule, "mmin") for rule in RULES if rule.kind == Kind.DISPOSAL and rule.met_by}
    keep = sorted({f"g.{names[k]} AS {k}" for k in names if k.startswith(("smax_", "mmax_", "mcnt_")) or k in disposal_mmin})
    versions = ", ".join(f"s.v_{rule.code}" for rule in RULES)
    if case_ids is None:
        where, params = f"c.status IN ('{CaseStatus.OPEN}', '{CaseStatus.CLOSED}')", []
    else:
        where, params = f"c.id IN ({', '.join(['%s'] * len(case_ids))})", list(case_ids)
    # Only the nodes some rule reads (two in three): the rest would only be tested by every aggregate.
    # Filtered while walking each case's part of the covering (case, code, date) index — SQLite, told
    # by the unary +, does not seek each code in turn instead.
    codes = sorted({code for rule in RULES for code in (*rule.start_nodes, *rule.met_by)})
    read_codes = f"{'+' if connection.vendor == 'sqlite' else ''}n.node_code IN ({sql_list(codes)})"
    drop_temp(cursor, "sv_facts")
    cursor.execute(
        f"""
        CREATE TEMP TABLE sv_facts AS
        SELECT g.case_id, g.court_id, g.team_id, g.handler_id, g.status, g.filed_on, g.closed_on,
               {', '.join(starts)}, {', '.join(keep)}, s.policy_key, {versions},
               COALESCE(a.paused_days, 0) AS paused_days, COALESCE(a.paused_now, 0) AS paused_now,
               COALESCE(a.extension_months, 0) AS extension_months
        FROM (
            SELECT c.id AS case_id, c.court_id, c.team_id, c.handler_id, c.status, c.filed_on, c.closed_on,
                   c.archived_on, {inner_cols}
            FROM {CASES} c LEFT JOIN {NODES} n ON n.case_id = c.id AND {read_codes}
            WHERE {where}
            GROUP BY c.id  -- the other columns depend on the key (both databases accept that); grouping by
                           -- them too made SQLite walk the cases through a secondary index, row by row
        ) g
        JOIN sv_court s ON s.court_id = g.court_id
        LEFT JOIN sv_adjust a ON a.case_id = g.case_id
        LEFT JOIN sv_measure ms ON ms.case_id = g.case_id
        LEFT JOIN sv_disposal ds ON ds.case_id = g.case_id
        """,
        params,
    )
    # Second pass, only for the few cases that need it.
    for rule in RULES:
        start, met = col(rule, "start"), col(rule, "met")
        if rule.kind == Kind.DISPOSAL and rule.met_by:
            # A case answered by flow nodes (_start_met) with some before the start and some after.
            mmin, mmax = col(rule, "mmin"), col(rule, "mmax")
            cursor.execute(
                f"""UPDATE sv_facts SET {met} = (
                        SELECT MIN(n.occurred_on) FROM {NODES} n WHERE n.case_id = sv_facts.case_id
                        AND n.node_code IN ({sql_list(rule.met_by)}) AND n.occurred_on >= sv_facts.{start})
                    WHERE {met} IS NULL AND {start} IS NOT NULL AND {mmin} < {start} AND {mmax} >= {start}
                      AND case_id IN (SELECT case_id FROM sv_disposal WHERE recorded = 0)"""
            )
        if rule.kind == Kind.PAIRED:
            smax, mmax = col(rule, "smax"), col(rule, "mmax")
            cursor.execute(
                f"""UPDATE sv_facts SET {start} = (
                        SELECT MIN(n.occurred_on) FROM {NODES} n WHERE n.case_id = sv_facts.case_id
                        AND n.node_code IN ({sql_list(rule.start_nodes)}) AND n.occurred_on > sv_facts.{mmax})
                    WHERE {mmax} IS NOT NULL AND {smax} > {mmax}"""
            )
        if rule.met_after_count == 2:
            cnt = col(rule, "mcnt")
            cursor.execute(
                f"""UPDATE sv_facts SET {met} = (
                        SELECT n.occurred_on FROM {NODES} n WHERE n.case_id = sv_facts.case_id
                        AND n.node_code IN ({sql_list(rule.met_by)}) ORDER BY n.occurred_on, n.id LIMIT 1 OFFSET 1)
                    WHERE {cnt} > 2"""
            )
            if rule.met_by_closing:
                cursor.execute(f"UPDATE sv_facts SET {met} = closed_on WHERE {met} IS NULL AND closed_on IS NOT NULL")
    cursor.execute("CREATE UNIQUE INDEX sv_facts_case ON sv_facts (case_id)")
    analyze(cursor, "sv_facts")
    cursor.execute("SELECT COUNT(*) FROM sv_facts")
    return cursor.fetchone()[0]


# ---------------------------------------------------------------- step 1b: pauses, extensions, courts


def _paused(spans: list[tuple[dt.date, dt.date | None]], as_of: dt.date) -> tuple[int, bool]:
    """Days not counted so far (each day of a suspension up to as_of, overlaps once) and whether one runs now."""
    days: set[dt.date] = set()
    running = False
    for start, end in spans:
        stop = min(end or as_of, as_of)
        if start <= as_of and (end is None or end > as_of):
            running = True
        day = start
        while day < stop:
            days.add(day)
            day += dt.timedelta(days=1)
    return len(days), running


def _build_adjustments(cursor, case_ids: list[int] | None, as_of: dt.date) -> None:
    """sv_adjust(case_id, paused_days, paused_now, extension_months) for the few cases that have any."""
    spans: dict[int, list] = defaultdict(list)
    suspensions, extensions = Suspension.objects.filter(start_on__lte=as_of), Extension.objects.all()
    if case_ids is not None:
        suspensions, extensions = suspensions.filter(case_id__in=case_ids), extensions.filter(case_id__in=case_ids)
    rows = suspensions.values_list("case_id", "start_on", "end_on")
    for case_id, start, end in rows:
        spans[case_id].append((start, end))
    months: dict[int, int] = defaultdict(int)
    approved = extensions.filter(status=Extension.Status.APPROVED).values_list("case_id", "months")
    for case_id, extra in approved:
        months[case_id] += extra
    drop_temp(cursor, "sv_adjust")
    cursor.execute(
        "CREATE TEMP TABLE sv_adjust (case_id BIGINT PRIMARY KEY, paused_days INTEGER, paused_now INTEGER, extension_months INTEGER)"
    )
    rows = []
    for case_id in set(spans) | set(months):
        paused, running = _paused(spans.get(case_id, []), as_of)
        rows.append((case_id, paused, int(running), months.get(case_id, 0)))
    if rows:
        cursor.executemany("INSERT INTO sv_adjust VALUES (%s, %s, %s, %s)", rows)
    analyze(cursor, "sv_adjust")


def _build_courts(cursor, case_ids: list[int] | None) -> dict[str, policies.Policy]:
    """sv_court(court_id, policy_key, v_<rule> current version per rule) — for every court, or for a
    case-scoped run only the cases' courts — and returns the policies by key."""
    court_ids = None
    if case_ids is not None:
        court_ids = set(EnforcementCase.objects.filter(pk__in=case_ids).values_list("court_id", flat=True))
    current = policies.current_versions(court_ids)
    by_key: dict[str, policies.Policy] = {}
    rows = []
    for court_id, policy in policies.court_policies(court_ids).items():
        by_key[policy.key] = policy
        rows.append((court_id, policy.key, *[current[(court_id, rule.code)] for rule in RULES]))
    drop_temp(cursor, "sv_court")
    version_cols = ", ".join(f"v_{rule.code} BIGINT" for rule in RULES)
    cursor.execute(f"CREATE TEMP TABLE sv_court (court_id BIGINT PRIMARY KEY, policy_key VARCHAR(40), {version_cols})")
    marks = ", ".join(["%s"] * (2 + len(RULES)))
    if rows:
        cursor.executemany(f"INSERT INTO sv_court VALUES ({marks})", rows)
    analyze(cursor, "sv_court")
    return by_key


# ---------------------------------------------------------------- step 3: what differs


_DIFF_COLUMNS = (
    "deadline_id BIGINT, case_id BIGINT, court_id BIGINT, team_id BIGINT, handler_id BIGINT, rule_code VARCHAR(40), "
    "rule_version_id BIGINT, start_on DATE, due_on DATE, met_on DATE, status VARCHAR(10), paused_days INTEGER, "
    "extension_months INTEGER, level INTEGER, escalation INTEGER, red_since DATE, old_level INTEGER, "
    "old_escalation INTEGER, deadline_changed INTEGER, lockable INTEGER"
)


# The stored columns of a deadline, in the order the first run inserts them.
FIRST_RUN_COLUMNS = (
    "court_id", "case_id", "rule_code", "rule_version_id", "team_id", "handler_id", "start_on", "due_on", "met_on",
    "status", "paused_days", "extension_months", "level", "escalation", "red_since",
)
FIRST_RUN_COLUMNS_SQL = ("x.rule_version_id, x.team_id, x.handler_id, x.start_on, m.due_on, x.met_on, x.status, "
                         "x.paused_days, x.extension_months, {level} AS level")


def _rule_terms(rule: DeadlineRule) -> dict[str, str]:
    """The rule's SQL for each per-rule column of a deadline, in terms of the facts row f."""
    start, paused, months = key_sql(rule)
    met = f"f.{col(rule, 'met')}"
    void = "0 = 1" if rule.kind == Kind.CLOSING else f"f.status <> '{CaseStatus.OPEN}'"
    paused_now = "f.paused_now = 1" if rule.pausable else "0 = 1"
    if rule.kind == Kind.DISPOSAL:
        paused_now = f"f.{col(rule, 'stopped')} = 1"
    status = (
        f"CASE WHEN {met} IS NOT NULL THEN '{DeadlineStatus.MET}' WHEN {void} THEN '{DeadlineStatus.VOID}' "
        f"WHEN {paused_now} THEN '{DeadlineStatus.PAUSED}' ELSE '{DeadlineStatus.PENDING}' END"
    )
    return {"start_on": start, "met_on": met, "status": status, "paused_days": paused, "extension_months": months,
            "version": f"f.v_{rule.code}"}


def _by_rule(term: str) -> str:
    """One CASE over the rule row r choosing each rule's SQL for `term`."""
    branches = {}
    for i, rule in enumerate(RULES):
        branches.setdefault(_rule_terms(rule)[term], []).append(i)
    if len(branches) == 1:
        return next(iter(branches))
    arms = " ".join(f"WHEN r.i IN ({', '.join(map(str, ids))}) THEN {sql}" for sql, ids in branches.items())
    return f"CASE {arms} END"


def _build_rule_table(cursor) -> None:
    """sv_rule(rule_code, i): the rules in code order — joined to every case's facts it turns the
    wide facts row into one row per rule, already in the deadline table's key order."""
    drop_temp(cursor, "sv_rule")
    without_rowid = " WITHOUT ROWID" if connection.vendor == "sqlite" else ""  # scanned in key order
    cursor.execute(f"CREATE TEMP TABLE sv_rule (rule_code VARCHAR(40) PRIMARY KEY, i INTEGER){without_rowid}")
    cursor.executemany("INSERT INTO sv_rule VALUES (%s, %s)", [(rule.code, i) for i, rule in enumerate(RULES)])
    analyze(cursor, "sv_rule")


def _fence() -> str:
    """Keeps the database from merging a subquery into the query around it (SQLite's rule 8 of
    flattening, PostgreSQL's OFFSET 0), so that its CASE columns are computed once per row, not again
    at every place the outer query names them."""
    return "LIMIT -1" if connection.vendor == "sqlite" else "OFFSET 0"


def _rows(memo: str, *, first_run: bool = False) -> str:
    """SELECT of every deadline row as sv_diff holds them: each case's deadline per rule computed from
    its facts and the remembered dates, beside the stored one — in one pass over the facts, case by
    case and rule by rule. On a first run nothing is stored: every row is new, so the stored side is
    left out (named parameters: as_of)."""
    start = _by_rule("start_on")
    level = (
        "CASE WHEN x.status <> 'pending' THEN 0 WHEN %(as_of)s >= m.red_on THEN 3 "
        "WHEN %(as_of)s >= m.due_on THEN 2 WHEN %(as_of)s >= m.yellow_on THEN 1 ELSE 0 END"
    )
    escalation = (
        "CASE WHEN x.status <> 'pending' OR %(as_of)s < m.red_on THEN 0 WHEN %(as_of)s >= m.president_on THEN 3 "
        "WHEN %(as_of)s >= m.division_head_on THEN 2 WHEN %(as_of)s >= m.team_lead_on THEN 1 ELSE 0 END"
    )
    changed = (
        "CASE WHEN x.deadline_id IS NULL OR x.old_version IS DISTINCT FROM x.rule_version_id "
        "OR x.old_start IS DISTINCT FROM x.start_on OR x.old_due IS DISTINCT FROM m.due_on "
        "OR x.old_met IS DISTINCT FROM x.met_on OR x.old_status IS DISTINCT FROM x.status "
        "OR x.old_paused IS DISTINCT FROM x.paused_days OR x.old_months IS DISTINCT FROM x.extension_months "
        "THEN 1 ELSE 0 END"
    )
    lockable = (
        "CASE WHEN x.status = 'pending' AND m.lock_on IS NOT NULL AND %(as_of)s >= m.lock_on AND %(as_of)s >= m.red_on "
        f"AND NOT EXISTS (SELECT 1 FROM {LOCKS} l WHERE l.case_id = x.case_id "
        "AND (l.released_on IS NULL OR l.relock_not_before > %(as_of)s)) THEN 1 ELSE 0 END"
    )
    # CROSS JOIN: SQLite keeps the facts (in case order) outside and the rules (in code order) inside.
    if first_run:
        stored, source, version = "", "sv_facts f CROSS JOIN sv_rule r", _by_rule("version")
        outer = (f"x.court_id, x.case_id, x.rule_code, {FIRST_RUN_COLUMNS_SQL.format(level=level)}, "
                 f"{escalation} AS escalation, CASE WHEN ({level}) = 3 THEN m.red_on END AS red_since")
    else:
        stored = (", d.id AS deadline_id, d.rule_version_id AS old_version, d.start_on AS old_start, "
                  "d.due_on AS old_due, d.met_on AS old_met, d.status AS old_status, d.paused_days AS old_paused, "
                  "d.extension_months AS old_months, d.level AS old_level, d.escalation AS old_escalation, "
                  "d.team_id AS old_team, d.handler_id AS old_handler, d.red_since AS old_red_since")
        source = (f"sv_facts f CROSS JOIN sv_rule r "
                  f"LEFT JOIN {DEADLINES} d ON d.case_id = f.case_id AND d.rule_code = r.rule_code")
        version = f"COALESCE(d.rule_version_id, {_by_rule('version')})"
        outer = f"""x.deadline_id, x.case_id, x.court_id, x.team_id, x.handler_id, x.rule_code,
               x.rule_version_id, x.start_on, m.due_on, x.met_on, x.status, x.paused_days, x.extension_months,
               {level} AS level, {escalation} AS escalation,
               CASE WHEN ({level}) = 3 THEN m.red_on END AS red_since,
               x.old_level, x.old_escalation, {changed} AS deadline_changed, {lockable} AS lockable,
               x.old_team, x.old_handler, x.old_red_since"""
    return f"""
        SELECT {outer}
        FROM (
            SELECT f.case_id, f.court_id, f.team_id, f.handler_id, r.rule_code, {start} AS start_on,
                   {_by_rule('met_on')} AS met_on, {_by_rule('status')} AS status,
                   {_by_rule('paused_days')} AS paused_days, {_by_rule('extension_months')} AS extension_months,
                   f.policy_key, {version} AS rule_version_id{stored}
            FROM {source}
            WHERE {start} IS NOT NULL {_fence()}
        ) x
        CROSS JOIN {memo} m
        WHERE m.rule_version_id = x.rule_version_id AND m.policy_key = x.policy_key
          AND m.start_on = x.start_on AND m.paused_days = x.paused_days AND m.extension_months = x.extension_months
    """


def _build_diff(cursor, as_of, memo: str) -> None:
    drop_temp(cursor, "sv_diff")
    cursor.execute(
        f"CREATE TEMP TABLE sv_diff ({_DIFF_COLUMNS}, old_team BIGINT, old_handler BIGINT, old_red_since DATE)"
    )
    cursor.execute(
        f"""INSERT INTO sv_diff SELECT * FROM ({_rows(memo)}) y
            WHERE y.deadline_changed = 1 OR y.lockable = 1 OR y.old_level IS DISTINCT FROM y.level
               OR y.old_escalation IS DISTINCT FROM y.escalation OR y.old_team IS DISTINCT FROM y.team_id
               OR y.old_handler IS DISTINCT FROM y.handler_id OR y.old_red_since IS DISTINCT FROM y.red_since""",
        {"as_of": as_of},
    )
    analyze(cursor, "sv_diff")


def _first_run(cursor, case_ids) -> bool:
    """Nothing stored yet (a new installation): every deadline is new, so there is nothing to compare."""
    if case_ids is not None or not FIRST_RUN_PATH:
        return False
    cursor.execute(f"SELECT 1 FROM {DEADLINES} LIMIT 1")
    return cursor.fetchone() is None


FIRST_RUN_PATH = True  # tests switch it off to check that both paths store the same


def _postgres_indexes(model) -> list[tuple[str, str]]:
    """(drop, create) SQL of a table's indexes, for a bulk first load on PostgreSQL: building them
    once over millions of rows is cheaper than keeping them up to date row by row."""
    if connection.vendor != "postgresql":
        return []
    editor = connection.schema_editor()
    editor.deferred_sql = []  # not entered: only its SQL is wanted
    pairs = [(str(c.remove_sql(model, editor)), str(c.create_sql(model, editor))) for c in model._meta.constraints]
    pairs += [(str(i.remove_sql(model, editor)), str(i.create_sql(model, editor))) for i in model._meta.indexes]
    return pairs


def _load_first(cursor, as_of, memo: str, result: RunResult) -> tuple[int, int, int]:
    """Every deadline of every case at once, straight from facts and dates, in key order."""
    columns = ", ".join(FIRST_RUN_COLUMNS)
    indexes = _postgres_indexes(Deadline)
    lap = time.perf_counter()
    for drop, _create in indexes:
        cursor.execute(drop)
    # The rows come in key order (_rows), so SQLite appends to the unique (case, rule) index.
    cursor.execute(f"INSERT INTO {DEADLINES} ({columns}) SELECT {columns} FROM ({_rows(memo, first_run=True)}) y",
                   {"as_of": as_of})
    stored = cursor.rowcount
    lap = result.lap("insert", lap)
    for _drop, create in indexes:
        cursor.execute(create)
    analyze(cursor, DEADLINES)
    result.lap("indexes", lap)
    # Counted without a pass over millions of rows: the warned ones from the partial indexes (level > 0),
    # the escalated ones by the run when it records them (_record_escalations).
    cursor.execute(f"SELECT COUNT(*) FROM {DEADLINES} WHERE level > 0")
    return stored, int(cursor.fetchone()[0]), 0


def _apply_diff(cursor) -> tuple[int, int, int]:
    cursor.execute(
        "SELECT COALESCE(SUM(deadline_changed), 0), "
        "COALESCE(SUM(CASE WHEN old_level IS DISTINCT FROM level AND (old_level IS NOT NULL OR level > 0) THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN escalation > COALESCE(old_escalation, 0) THEN 1 ELSE 0 END), 0) FROM sv_diff"
    )
    deadlines, warnings, escalations = (int(v) for v in cursor.fetchone())
    columns = (
        "rule_version_id", "team_id", "handler_id", "start_on", "due_on", "met_on", "status", "paused_days",
        "extension_months", "level", "escalation", "red_since",
    )
    sets = ", ".join(f"{c} = s.{c}" for c in columns)
    cursor.execute(f"UPDATE {DEADLINES} SET {sets} FROM sv_diff s WHERE {DEADLINES}.id = s.deadline_id")
    insert_cols = ("court_id", "case_id", "rule_code", *columns)
    cursor.execute(
        f"INSERT INTO {DEADLINES} ({', '.join(insert_cols)}) "
        # In key order: the first run inserts millions, and appending to the unique (case, rule)
        # index is far cheaper than thirteen sweeps across it, one per rule.
        f"SELECT {', '.join(insert_cols)} FROM sv_diff WHERE deadline_id IS NULL ORDER BY case_id, rule_code"
    )
    return deadlines, warnings, escalations


# ---------------------------------------------------------------- step 4: the execution log


def _record_escalations(cursor, as_of: dt.date, at: dt.datetime, *, first_run: bool = False) -> int:
    """One row per deadline that reached a higher person today, in one INSERT … SELECT (on a first
    run, every escalated deadline just stored). Returns how many."""
    # (Not sorted on a first run: SQLite stored the deadlines in case order already, and PostgreSQL
    # builds the escalation indexes after the load when there were none before.)
    source = (f"{DEADLINES} WHERE escalation > 0" if first_run
              else "sv_diff WHERE escalation > COALESCE(old_escalation, 0) ORDER BY case_id")
    indexes = []
    if first_run and not EscalationEvent.objects.exists():  # a new installation's backlog: indexed after
        indexes = _postgres_indexes(EscalationEvent)
    for drop, _create in indexes:
        cursor.execute(drop)
    cursor.execute(
        f"""INSERT INTO {EscalationEvent._meta.db_table} (court_id, case_id, rule_code, escalation, due_on, as_of, at)
            SELECT court_id, case_id, rule_code, escalation, due_on, %s, %s FROM {source}""",
        [sql_date(as_of), connection.ops.adapt_datetimefield_value(at)],
    )
    recorded = cursor.rowcount
    for _drop, create in indexes:
        cursor.execute(create)
    return recorded


def _lockable(cursor, as_of, memo: str, policy_by_key: dict[str, policies.Policy], *,
              first_run: bool = False) -> list[tuple]:
    """(case, court, rule, due) of the red deadlines past the court's lock day on cases not locked."""
    if not first_run:
        cursor.execute("SELECT case_id, court_id, rule_code, due_on FROM sv_diff WHERE lockable = 1 ORDER BY case_id, rule_code")
        return cursor.fetchall()
    # Only the rules some court locks for: the other red deadlines need no date looked up.
    codes = [rule.code for rule in RULES if any(policy.locks(rule.code) for policy in policy_by_key.values())]
    if not codes:
        return []
    cursor.execute(
        f"""SELECT d.case_id, d.court_id, d.rule_code, d.due_on FROM {DEADLINES} d
            JOIN sv_facts f ON f.case_id = d.case_id
            JOIN {memo} m ON m.rule_version_id = d.rule_version_id AND m.policy_key = f.policy_key
                 AND m.start_on = d.start_on AND m.paused_days = d.paused_days AND m.extension_months = d.extension_months
            WHERE d.level > 0 AND d.level = 3 AND d.rule_code IN ({sql_list(codes)})
              AND m.lock_on IS NOT NULL AND %(as_of)s >= m.lock_on
              AND NOT EXISTS (SELECT 1 FROM {LOCKS} l WHERE l.case_id = d.case_id
                              AND (l.released_on IS NULL OR l.relock_not_before > %(as_of)s))
            ORDER BY d.case_id, d.rule_code""",
        {"as_of": as_of},
    )
    return cursor.fetchall()


def _new_locks(rows: list[tuple], as_of: dt.date, events) -> int:
    by_case: dict[int, list] = defaultdict(list)
    courts: dict[int, int] = {}
    for case_id, court_id, rule_code, due_on in rows:
        by_case[case_id].append((rule_code, as_date(due_on)))
        courts[case_id] = court_id
    if not by_case:
        return 0
    previous: dict[int, int] = defaultdict(int)
    for case_id in CaseLock.objects.filter(case_id__in=list(by_case)).values_list("case_id", flat=True):
        previous[case_id] += 1
    locks = []
    for case_id, overdue in by_case.items():
        sequence = previous[case_id] + 1
        text = "；".join(f"{RULES_BY_CODE[code].name}（{due} 届满）" for code, due in overdue)
        remedies = "、".join(dict.fromkeys(RULES_BY_CODE[code].remedy for code, _ in overdue))
        reason = f"红色预警超过锁定期限：{text}。可办理：{remedies}"
        locks.append((courts[case_id], case_id, sequence, ",".join(code for code, _ in overdue), reason[:500], as_of))
        who = "上一级法院" if sequence >= 2 else "本院执行局长或院长"
        events[case_id].append(LogEvent(
            LogAction.LOCK,
            f"程序锁死（第{sequence}次）：{text}；解锁须经{who}审批",
            {"sequence": sequence, "rules": [code for code, _ in overdue]},
        ))
    # Plain rows (zhixing.bulk): a first night may lock tens of thousands of cases.
    return insert_rows(CaseLock, ("court_id", "case_id", "sequence", "rule_codes", "reason", "locked_on"), locks)


# ---------------------------------------------------------------- the run


def _run(case_ids: list[int] | None, as_of: dt.date, reason: str, at: dt.datetime | None = None) -> RunResult:
    started = time.perf_counter()
    result = RunResult(as_of=as_of)
    policies.ensure_rule_versions()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql" and (case_ids is not None or _scope_size(cursor) < JIT_MIN_CASES):
            # Few cases: PostgreSQL's JIT would spend a second or more compiling each wide query.
            cursor.execute("SET LOCAL jit = off")
        policy_by_key = _build_courts(cursor, case_ids)
        _build_rule_table(cursor)
        result.cases = _build_facts(cursor, case_ids, as_of)
        lap = result.lap("facts", started)
        if result.cases:
            fill_memo(cursor, policy_by_key)
            memo = memo_for_run(cursor, case_ids)
            lap = result.lap("calendar", lap)
            first_run = _first_run(cursor, case_ids)
            if first_run:
                result.deadlines, result.warnings, result.escalations = _load_first(cursor, sql_date(as_of), memo, result)
                lap = time.perf_counter()
            else:
                _build_diff(cursor, sql_date(as_of), memo)
                lap = result.lap("diff", lap)
                result.deadlines, result.warnings, result.escalations = _apply_diff(cursor)
                lap = result.lap("apply", lap)
            now = at or timezone.now()
            recorded = _record_escalations(cursor, as_of, now, first_run=first_run)
            if first_run:  # every escalated deadline was just recorded, one row each
                result.escalations = recorded
            lap = result.lap("escalations", lap)
            lockable = _lockable(cursor, sql_date(as_of), memo, policy_by_key, first_run=first_run)
            if connection.vendor == "postgresql":
                # What follows are many small queries (the new locks' log tails): compiling each one
                # would cost more than running it.
                cursor.execute("SET LOCAL jit = off")
            events: dict[int, list] = defaultdict(list)
            result.locks = _new_locks(lockable, as_of, events)
            log_append_many(events, actor=None, at=now, reason=reason)
            lap = result.lap("locks", lap)
        drop_temp(cursor, "sv_diff", "sv_facts", "sv_adjust", "sv_court", "sv_measure", "sv_disposal", "sv_rule",
                   "sv_memo")
        lap = time.perf_counter()
    result.lap("commit", lap)
    result.seconds = time.perf_counter() - started
    return result


def supervise(*, as_of: dt.date | None = None, reason: str = "每日督办", at: dt.datetime | None = None) -> RunResult:
    """`zhixing supervise`: every open case and every closed one not yet archived. `at` stamps what
    the run records (default: now); the demo passes a time derived from the date."""
    as_of = as_of or today()
    started_at = timezone.now()
    result = _run(None, as_of, reason, at)
    from .digest import write_summaries

    lap = time.perf_counter()
    write_summaries(as_of)
    result.lap("summaries", lap)
    result.seconds = (timezone.now() - started_at).total_seconds()
    SupervisionRun.objects.create(
        as_of=as_of, started_at=at or started_at, seconds=result.seconds, scope="all",
        deadlines_changed=result.deadlines, warnings_changed=result.warnings, escalations=result.escalations,
        locks=result.locks, summary=result.summary,
    )
    return result


def supervise_cases(case_ids, *, as_of: dt.date | None = None, reason: str = "案件变更后重算") -> RunResult:
    """The same computation for the cases a service has just changed (inside its transaction)."""
    ids = sorted({int(pk) for pk in case_ids})
    if not ids:
        return RunResult(as_of=as_of or today())
    return _run(ids, as_of or today(), reason)


# After a holiday edit in the admin: a court-sized database is recomputed at once; a province's
# waits for the nightly run (a full run takes most of a minute there, too long for a page request).
CALENDAR_CHANGE_IMMEDIATE_MAX_CASES = 20_000


def supervise_after_calendar_change(reason: str) -> str:
    """The calendar changed (holidays loaded or edited): move the supervision deadlines now if the
    database is small enough, after the change commits. Returns what the user should be told."""
    open_cases = EnforcementCase.objects.filter(status=CaseStatus.OPEN).count()
    if open_cases > CALENDAR_CHANGE_IMMEDIATE_MAX_CASES:
        return "督办期限将在下一次每日督办（zhixing supervise）时按新的节假日安排重算。"
    transaction.on_commit(lambda: supervise(reason=reason))
    return "督办期限已按新的节假日安排重算。"
