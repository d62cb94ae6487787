"""关联案件检测: `relate(court=None)` finds every group of related open cases and stores it as a Bundle.

Set-based, so that a province's million open cases take seconds:
1. one pass over the parties (and the assets found) of the open cases writes each one's identity key
   (bd_item): the ID number or credit code, upper-cased; for a natural-person respondent without
   either, name|birth date ("possible"); for an asset, its record id;
2. keys seen at least twice are kept (bd_rel) — almost every key occurs once, so what follows is small;
3. GROUP BY (court, kind, key) gives the groups of one court, GROUP BY (intermediate court, kind, key)
   those spanning several courts under one intermediate court; mutual groups (甲 applies against 乙,
   乙 against 甲) are the connected components of such parties, found in Python from the few cases
   whose applicant and respondent both play both roles;
4. the result is compared with the stored bundles of the scopes run and only the difference is
   written, in one transaction: new bundles, changed members, dissolved bundles (never deleted, so
   their hand-over history stays). A second run finds nothing to change.

Scopes: each court ("within": its own cases) and each intermediate court ("cross": its own and its
basic courts' cases, kept only where at least two courts are involved). `relate(court=X)` refreshes
the scopes of X and of the courts below it; the cross scope of X's intermediate court is refreshed by
a run of that court (or of all courts).
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from zhixing.cases.choices import CaseStatus, PartyKind, PartyRole
from zhixing.cases.models import EnforcementCase, Party
from zhixing.courts.choices import CourtLevel
from zhixing.courts.models import Court, Team
from zhixing.property.models import Asset, CaseAsset

from . import rules
from .choices import RelationKind
from .models import Bundle, BundleCase, RelateRun

CASES = EnforcementCase._meta.db_table
PARTIES = Party._meta.db_table
CASE_ASSETS = CaseAsset._meta.db_table
ASSETS = Asset._meta.db_table
TEAMS = Team._meta.db_table
BUNDLES = Bundle._meta.db_table
MEMBERS = BundleCase._meta.db_table
TEMP_TABLES = ("bd_court", "bd_scope", "bd_item", "bd_key", "bd_rel", "bd_label", "bd_new", "bd_mlabel", "bd_group",
               "bd_member", "bd_gone", "bd_added", "bd_touched", "bd_teams", "bd_totals")
JIT_MIN_CASES = 200_000

SR, SA, POSSIBLE, ASSET, MUTUAL = (RelationKind.SAME_RESPONDENT.value, RelationKind.SAME_APPLICANT.value,
                                   RelationKind.SAME_RESPONDENT_POSSIBLE.value, RelationKind.SAME_ASSET.value,
                                   RelationKind.MUTUAL.value)


@dataclass
class RunResult:
    scope: str = "全部法院"
    courts: int = 0
    open_cases: int = 0
    created: int = 0
    changed: int = 0
    dissolved: int = 0
    active: int = 0
    seconds: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)  # seconds per step (`relate -v 2`, the benchmark)

    def lap(self, step: str, since: float) -> float:
        now = time.perf_counter()
        self.steps[step] = round(self.steps.get(step, 0.0) + now - since, 2)
        return now

    @property
    def changes(self) -> int:
        return self.created + self.changed + self.dissolved

    @property
    def summary(self) -> str:
        return (
            f"关联案件检测完成（{self.scope}，{self.courts} 个法院，在办 {self.open_cases} 件）：新增关联组 {self.created}，"
            f"变动 {self.changed}，解散 {self.dissolved}；现有关联组 {self.active}（用时 {self.seconds:.1f} 秒）"
        )


# ---------------------------------------------------------------- scopes


def _scopes(court: Court | None) -> tuple[dict[int, int | None], list[int], list[int]]:
    """({court id: its intermediate court's id if that cross scope is refreshed, else None},
    the within scopes refreshed, the cross scopes refreshed)."""
    courts = {c.pk: c for c in Court.objects.only("pk", "level", "parent_id")}
    if court is None:
        run = set(courts)
    else:
        run = set(court.descendant_ids())
    cross = sorted(pk for pk in run if courts[pk].level == CourtLevel.INTERMEDIATE)
    region_of: dict[int, int | None] = {}
    for pk in sorted(run):
        c = courts[pk]
        if c.level == CourtLevel.INTERMEDIATE:
            region_of[pk] = pk
        elif c.parent_id in cross:
            region_of[pk] = c.parent_id
        else:
            region_of[pk] = None  # a high court's own cases, or a basic court run on its own
    return region_of, sorted(run), cross


# ---------------------------------------------------------------- SQL helpers


def _drop_temp(cursor) -> None:
    for name in TEMP_TABLES:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")


def _analyze(cursor, *names: str) -> None:
    # PostgreSQL never auto-analyzes temporary tables; without statistics it guesses join plans badly.
    if connection.vendor == "postgresql":
        for name in names:
            cursor.execute(f"ANALYZE {name}")


def _build_courts(cursor, region_of: dict[int, int | None], within: list[int], cross: list[int]) -> None:
    cursor.execute("CREATE TEMP TABLE bd_court (court_id BIGINT PRIMARY KEY, region_id BIGINT)")
    cursor.executemany("INSERT INTO bd_court (court_id, region_id) VALUES (%s, %s)", list(region_of.items()))
    cursor.execute("CREATE TEMP TABLE bd_scope (scope_id BIGINT, cross_court BOOLEAN, PRIMARY KEY (scope_id, cross_court))")
    cursor.executemany("INSERT INTO bd_scope (scope_id, cross_court) VALUES (%s, %s)",
                       [(pk, False) for pk in within] + [(pk, True) for pk in cross])
    _analyze(cursor, "bd_court", "bd_scope")


def _build_items(cursor) -> None:
    """bd_item: one row per keyed party or asset of an open case of the run's courts."""
    cursor.execute(f"""
        CREATE TEMP TABLE bd_item AS
        SELECT p.case_id, p.court_id, c.region_id,
               CASE WHEN p.id_number <> '' OR p.credit_code <> ''
                    THEN (CASE WHEN p.role = '{PartyRole.RESPONDENT}' THEN '{SR}' ELSE '{SA}' END)
                    ELSE '{POSSIBLE}' END AS kind,
               CASE WHEN p.id_number <> '' OR p.credit_code <> '' THEN UPPER(p.id_number || p.credit_code)
                    ELSE p.name || '|' || CAST(p.birth_on AS VARCHAR(10)) END AS key,
               p.name
        FROM {PARTIES} p
        JOIN bd_court c ON c.court_id = p.court_id
        JOIN {CASES} e ON e.id = p.case_id
        WHERE e.status = '{CaseStatus.OPEN}'
          AND ((p.role IN ('{PartyRole.APPLICANT}', '{PartyRole.RESPONDENT}') AND (p.id_number <> '' OR p.credit_code <> ''))
               OR (p.role = '{PartyRole.RESPONDENT}' AND p.kind = '{PartyKind.NATURAL_PERSON}' AND p.id_number = ''
                   AND p.birth_on IS NOT NULL))
        UNION ALL
        SELECT a.case_id, a.court_id, c.region_id, '{ASSET}', CAST(a.asset_id AS VARCHAR(20)), NULL
        FROM {CASE_ASSETS} a
        JOIN bd_court c ON c.court_id = a.court_id
        JOIN {CASES} e ON e.id = a.case_id
        WHERE e.status = '{CaseStatus.OPEN}'
    """)


def _build_related(cursor) -> None:
    """bd_rel: the items whose key occurs at least twice (a party in two cases, or as applicant in one
    case and respondent in another), one row per case, kind and key, with a name; bd_label: a name per
    kind and key."""
    cursor.execute("CREATE TEMP TABLE bd_key AS SELECT key FROM bd_item GROUP BY key HAVING COUNT(*) >= 2")
    _analyze(cursor, "bd_key")
    cursor.execute("""
        CREATE TEMP TABLE bd_rel AS
        SELECT i.case_id, i.court_id, i.region_id, i.kind, i.key, MIN(i.name) AS name
        FROM bd_item i JOIN bd_key k ON k.key = i.key
        GROUP BY i.case_id, i.court_id, i.region_id, i.kind, i.key
    """)
    cursor.execute("DROP TABLE bd_item")
    cursor.execute("CREATE TEMP TABLE bd_label AS SELECT kind, key, MIN(name) AS name FROM bd_rel GROUP BY kind, key")
    _analyze(cursor, "bd_rel", "bd_label")


def _build_groups(cursor) -> None:
    """bd_new: (scope, cross, kind, key, case, court) of every group but the mutual ones."""
    min_cases, min_courts = rules.MIN_CASES, rules.MIN_COURTS_CROSS
    cursor.execute(
        "CREATE TEMP TABLE bd_new (scope_id BIGINT, cross_court BOOLEAN, kind VARCHAR(30), key VARCHAR(200), "
        "case_id BIGINT, court_id BIGINT)"
    )
    cursor.execute(f"""
        INSERT INTO bd_new (scope_id, cross_court, kind, key, case_id, court_id)
        SELECT r.court_id, FALSE, r.kind, r.key, r.case_id, r.court_id
        FROM bd_rel r
        JOIN (SELECT court_id, kind, key FROM bd_rel GROUP BY court_id, kind, key
              HAVING COUNT(DISTINCT case_id) >= {min_cases}) g
          ON g.court_id = r.court_id AND g.kind = r.kind AND g.key = r.key
    """)
    cursor.execute(f"""
        INSERT INTO bd_new (scope_id, cross_court, kind, key, case_id, court_id)
        SELECT r.region_id, TRUE, r.kind, r.key, r.case_id, r.court_id
        FROM bd_rel r
        JOIN (SELECT region_id, kind, key FROM bd_rel WHERE region_id IS NOT NULL GROUP BY region_id, kind, key
              HAVING COUNT(DISTINCT court_id) >= {min_courts}) g
          ON g.region_id = r.region_id AND g.kind = r.kind AND g.key = r.key
    """)


def _mutual_rows(cursor) -> tuple[list[tuple], dict[tuple, str]]:
    """Rows of bd_new for the mutual groups, and each group's label. Only parties that are applicant
    in one open case and respondent in another can be part of one: few, so the components are found
    in Python."""
    cursor.execute(f"""
        SELECT r.case_id, r.court_id, r.region_id, r.kind, r.key, l.name
        FROM bd_rel r
        JOIN (SELECT key FROM bd_rel WHERE kind IN ('{SR}', '{SA}') GROUP BY key HAVING MIN(kind) <> MAX(kind)) d
          ON d.key = r.key
        JOIN bd_label l ON l.kind = r.kind AND l.key = r.key
        WHERE r.kind IN ('{SR}', '{SA}')
    """)
    cases: dict[int, tuple[int, int | None, list[str], list[str]]] = {}
    names: dict[str, str] = {}
    for case_id, court_id, region_id, kind, key, name in cursor.fetchall():
        entry = cases.setdefault(case_id, (court_id, region_id, [], []))
        (entry[2] if kind == SA else entry[3]).append(key)
        names[key] = min(name, names.get(key, name))
    # Directed pairs (applicant → respondent) per scope, with the cases that carry them.
    directed: dict[tuple[int, bool], dict[tuple[str, str], list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    for case_id, (court_id, region_id, applicants, respondents) in cases.items():
        for x in applicants:
            for y in respondents:
                if x != y:
                    directed[(court_id, False)][(x, y)].append((case_id, court_id))
                    if region_id is not None:
                        directed[(region_id, True)][(x, y)].append((case_id, court_id))
    rows, labels = [], {}
    for (scope_id, cross), pairs in directed.items():
        for key, (parties, members) in _mutual_components(pairs).items():
            if len({c for c, _ in members}) < rules.MIN_CASES:
                continue
            if cross and len({court for _, court in members}) < rules.MIN_COURTS_CROSS:
                continue
            rows.extend((scope_id, cross, MUTUAL, key, case_id, court_id) for case_id, court_id in sorted(members))
            labels[(scope_id, cross, key)] = _mutual_label(parties, names)
    return rows, labels


def _mutual_components(pairs: dict[tuple[str, str], list[tuple[int, int]]]) -> dict[str, tuple[set[str], set[tuple[int, int]]]]:
    """{smallest party key of a component: (its parties, its cases)} over the parties linked by
    mutual pairs (x → y and y → x both present); a component's cases are those of its mutual pairs,
    in both directions."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    mutual = [(x, y) for (x, y) in pairs if (y, x) in pairs]
    for x, y in mutual:
        rx, ry = find(x), find(y)
        if rx != ry:
            parent[max(rx, ry)] = min(rx, ry)  # the root is the smallest key: the group's stable key
    components: dict[str, tuple[set[str], set[tuple[int, int]]]] = {}
    for x, y in mutual:
        parties, members = components.setdefault(find(x), (set(), set()))
        parties.update((x, y))
        members.update(pairs[(x, y)])
    return components


def _mutual_label(keys: set[str], names: dict[str, str]) -> str:
    shown = sorted({names.get(k, k) for k in keys})
    text = "、".join(shown[:3]) + (f"等{len(shown)}方" if len(shown) > 3 else "")
    return f"{text}互为申请人、被执行人"[:200]


def _build_summary(cursor, mutual_labels: dict[tuple, str]) -> None:
    """bd_group: one row per group found, with its label, counts and (once known) its bundle id. The rows
    of bd_new are distinct per group and case (bd_rel is distinct; the mutual rows come from sets)."""
    cursor.execute(
        "CREATE TEMP TABLE bd_group (scope_id BIGINT, cross_court BOOLEAN, kind VARCHAR(30), key VARCHAR(200), "
        "label VARCHAR(200), case_count INTEGER, court_count INTEGER, bundle_id BIGINT)"
    )
    cursor.execute("""
        INSERT INTO bd_group (scope_id, cross_court, kind, key, label, case_count, court_count)
        SELECT n.scope_id, n.cross_court, n.kind, n.key,
               COALESCE(MIN(l.name), n.key), COUNT(*), COUNT(DISTINCT n.court_id)
        FROM bd_new n
        LEFT JOIN bd_label l ON l.kind = n.kind AND l.key = n.key
        GROUP BY n.scope_id, n.cross_court, n.kind, n.key
    """)
    # An asset group is named by the asset (its key is the asset record's id).
    cursor.execute(f"UPDATE bd_group SET label = COALESCE((SELECT s.description FROM {ASSETS} s "
                   f"WHERE s.id = CAST(bd_group.key AS BIGINT)), key) WHERE kind = '{ASSET}'")
    if mutual_labels:
        cursor.execute("CREATE TEMP TABLE bd_mlabel (scope_id BIGINT, cross_court BOOLEAN, key VARCHAR(200), "
                       "label VARCHAR(200), PRIMARY KEY (scope_id, cross_court, key))")
        cursor.executemany("INSERT INTO bd_mlabel (scope_id, cross_court, key, label) VALUES (%s, %s, %s, %s)",
                           [(scope_id, cross, key, label) for (scope_id, cross, key), label in mutual_labels.items()])
        _analyze(cursor, "bd_mlabel")
        cursor.execute(f"""
            UPDATE bd_group SET label = (SELECT m.label FROM bd_mlabel m WHERE m.scope_id = bd_group.scope_id
                                         AND m.cross_court = bd_group.cross_court AND m.key = bd_group.key)
            WHERE kind = '{MUTUAL}'
        """)
    _analyze(cursor, "bd_group")


# ---------------------------------------------------------------- applying the difference


def _apply(cursor, now) -> tuple[int, int, int]:
    """Writes the difference between bd_group/bd_new and the stored bundles of the scopes run.
    Returns (created or revived, changed, dissolved)."""
    at = connection.ops.adapt_datetimefield_value(now)
    if connection.vendor == "postgresql":
        # After a first run's hundreds of thousands of members autovacuum may not have counted them yet:
        # without statistics the comparison below is planned as if the table were empty.
        cursor.execute(f"ANALYZE {MEMBERS}")
    match = (f"SELECT b.id FROM {BUNDLES} b WHERE b.scope_court_id = bd_group.scope_id AND b.cross_court = bd_group.cross_court "
             "AND b.kind = bd_group.kind AND b.key = bd_group.key")
    cursor.execute(f"UPDATE bd_group SET bundle_id = ({match})")
    cursor.execute(f"""
        INSERT INTO {BUNDLES} (scope_court_id, cross_court, kind, key, label, case_count, court_count, found_at, changed_at,
                               claim_fen, outstanding_fen, unassigned, teams)
        SELECT scope_id, cross_court, kind, key, label, case_count, court_count, %s, %s, 0, 0, 0, ''
        FROM bd_group WHERE bundle_id IS NULL
        ORDER BY scope_id, cross_court, kind, key
    """, [at, at])
    created = cursor.rowcount
    if created:
        cursor.execute(f"UPDATE bd_group SET bundle_id = ({match}) WHERE bundle_id IS NULL")
    cursor.execute(f"UPDATE {BUNDLES} SET dissolved_at = NULL, changed_at = %s "
                   f"WHERE dissolved_at IS NOT NULL AND id IN (SELECT bundle_id FROM bd_group)", [at])
    created += cursor.rowcount  # a group found again after it had dissolved keeps its bundle and history

    cursor.execute("CREATE TEMP TABLE bd_member AS SELECT DISTINCT g.bundle_id, n.case_id, n.court_id FROM bd_new n "
                   "JOIN bd_group g ON g.scope_id = n.scope_id AND g.cross_court = n.cross_court AND g.kind = n.kind "
                   "AND g.key = n.key")
    cursor.execute("CREATE UNIQUE INDEX bd_member_key ON bd_member (bundle_id, case_id)")
    _analyze(cursor, "bd_member")
    in_scope = (f"SELECT b.id FROM {BUNDLES} b JOIN bd_scope s ON s.scope_id = b.scope_court_id "
                "AND s.cross_court = b.cross_court WHERE b.dissolved_at IS NULL")
    cursor.execute(f"""
        CREATE TEMP TABLE bd_gone AS
        SELECT m.id, m.bundle_id FROM {MEMBERS} m
        WHERE m.bundle_id IN ({in_scope})
          AND NOT EXISTS (SELECT 1 FROM bd_member n WHERE n.bundle_id = m.bundle_id AND n.case_id = m.case_id)
    """)
    cursor.execute(f"""
        CREATE TEMP TABLE bd_added AS
        SELECT n.bundle_id, n.case_id, n.court_id FROM bd_member n
        WHERE NOT EXISTS (SELECT 1 FROM {MEMBERS} m WHERE m.bundle_id = n.bundle_id AND m.case_id = n.case_id)
    """)
    cursor.execute(f"DELETE FROM {MEMBERS} WHERE id IN (SELECT id FROM bd_gone)")
    cursor.execute(f"INSERT INTO {MEMBERS} (bundle_id, case_id, court_id) "
                   "SELECT bundle_id, case_id, court_id FROM bd_added ORDER BY bundle_id, case_id")

    # Dissolved: stored and active in a scope run, but not found now. Their members went with bd_gone.
    cursor.execute(f"""
        UPDATE {BUNDLES} SET dissolved_at = %s, changed_at = %s, case_count = 0, court_count = 0, claim_fen = 0,
                             outstanding_fen = 0, unassigned = 0, teams = ''
        WHERE id IN ({in_scope}) AND id NOT IN (SELECT bundle_id FROM bd_group)
    """, [at, at])
    dissolved = cursor.rowcount

    # Changed: members gained or lost, or the label moved (a party's name corrected), since the last run.
    cursor.execute("CREATE TEMP TABLE bd_touched AS SELECT bundle_id FROM bd_gone UNION SELECT bundle_id FROM bd_added")
    cursor.execute(f"""
        UPDATE {BUNDLES} SET label = g.label, case_count = g.case_count, court_count = g.court_count, changed_at = %s
        FROM bd_group g
        WHERE {BUNDLES}.id = g.bundle_id AND {BUNDLES}.changed_at <> %s
          AND ({BUNDLES}.label <> g.label OR {BUNDLES}.case_count <> g.case_count OR {BUNDLES}.court_count <> g.court_count
               OR {BUNDLES}.id IN (SELECT bundle_id FROM bd_touched))
    """, [at, at])
    changed = cursor.rowcount
    # The bundles created or revived in this run were written with this run's time: bring their counts in
    # step too (a revived one had 0), without counting them as changed.
    cursor.execute(f"""
        UPDATE {BUNDLES} SET label = g.label, case_count = g.case_count, court_count = g.court_count
        FROM bd_group g
        WHERE {BUNDLES}.id = g.bundle_id AND {BUNDLES}.changed_at = %s
          AND ({BUNDLES}.label <> g.label OR {BUNDLES}.case_count <> g.case_count OR {BUNDLES}.court_count <> g.court_count)
    """, [at])
    return created, changed, dissolved


def _store_totals(cursor) -> None:
    """The worklist's figures of every bundle found (bd_member): total claim, outstanding, unassigned
    cases and the teams handling them — written only where they differ. Not counted as changes: the
    relation did not change."""
    teams = "STRING_AGG(name, '、' ORDER BY name)" if connection.vendor == "postgresql" else "GROUP_CONCAT(name, '、')"
    cursor.execute(f"""
        CREATE TEMP TABLE bd_teams AS
        SELECT bundle_id, SUBSTR({teams}, 1, 300) AS teams
        FROM (SELECT DISTINCT m.bundle_id, t.name FROM bd_member m
              JOIN {CASES} c ON c.id = m.case_id JOIN {TEAMS} t ON t.id = c.team_id
              ORDER BY m.bundle_id, t.name) named
        GROUP BY bundle_id
    """)
    cursor.execute("CREATE UNIQUE INDEX bd_teams_key ON bd_teams (bundle_id)")
    cursor.execute(f"""
        CREATE TEMP TABLE bd_totals AS
        SELECT m.bundle_id, SUM(c.claim_amount_fen) AS claim_fen,
               SUM(c.claim_amount_fen - c.performed_amount_fen) AS outstanding_fen,
               SUM(CASE WHEN c.handler_id IS NULL THEN 1 ELSE 0 END) AS unassigned,
               COALESCE(MIN(t.teams), '') AS teams
        FROM bd_member m JOIN {CASES} c ON c.id = m.case_id LEFT JOIN bd_teams t ON t.bundle_id = m.bundle_id
        GROUP BY m.bundle_id
    """)
    _analyze(cursor, "bd_totals")
    cursor.execute(f"""
        UPDATE {BUNDLES} SET claim_fen = t.claim_fen, outstanding_fen = t.outstanding_fen, unassigned = t.unassigned,
                             teams = t.teams
        FROM bd_totals t
        WHERE {BUNDLES}.id = t.bundle_id
          AND ({BUNDLES}.claim_fen <> t.claim_fen OR {BUNDLES}.outstanding_fen <> t.outstanding_fen
               OR {BUNDLES}.unassigned <> t.unassigned OR {BUNDLES}.teams <> t.teams)
    """)


# ---------------------------------------------------------------- the run


def relate(*, court: Court | None = None, actor=None, now=None) -> RunResult:
    """Detect related open cases (catalogue C19; rules.RELATIONS) in the scopes of `court` (all courts
    when None) and store them as bundles. Idempotent: a second run changes nothing."""
    started = time.perf_counter()
    now = now or timezone.now()
    result = RunResult(scope=court.name if court else "全部法院")
    region_of, within, cross = _scopes(court)
    result.courts = len(within)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Two runs at once would both insert the same new bundles: the second waits for the first.
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('zhixing.bundles.relate'))")
            # Aggregates over millions of keys: in memory rather than spilled to disk (this transaction only).
            cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(f"SELECT COUNT(*) FROM {CASES} WHERE status = %s AND court_id IN ({', '.join(['%s'] * len(within))})",
                       [CaseStatus.OPEN, *within])
        result.open_cases = cursor.fetchone()[0]
        if connection.vendor == "postgresql" and result.open_cases < JIT_MIN_CASES:
            cursor.execute("SET LOCAL jit = off")  # small runs: compiling would cost more than it saves
        _drop_temp(cursor)
        lap = started
        _build_courts(cursor, region_of, within, cross)
        _build_items(cursor)
        lap = result.lap("items", lap)
        _build_related(cursor)
        lap = result.lap("related", lap)
        _build_groups(cursor)
        lap = result.lap("groups", lap)
        mutual, mutual_labels = _mutual_rows(cursor)
        if mutual:
            cursor.executemany("INSERT INTO bd_new (scope_id, cross_court, kind, key, case_id, court_id) "
                               "VALUES (%s, %s, %s, %s, %s, %s)", mutual)
        _analyze(cursor, "bd_new")
        lap = result.lap("mutual", lap)
        _build_summary(cursor, mutual_labels)
        lap = result.lap("summary", lap)
        result.created, result.changed, result.dissolved = _apply(cursor, now)
        lap = result.lap("apply", lap)
        _store_totals(cursor)
        lap = result.lap("totals", lap)
        cursor.execute(f"SELECT COUNT(*) FROM {BUNDLES} b JOIN bd_scope s ON s.scope_id = b.scope_court_id "
                       "AND s.cross_court = b.cross_court WHERE b.dissolved_at IS NULL")
        result.active = cursor.fetchone()[0]
        _drop_temp(cursor)
        result.seconds = time.perf_counter() - started
        RelateRun.objects.create(
            court=court, started_at=now, seconds=round(result.seconds, 2), open_cases=result.open_cases,
            created=result.created, changed=result.changed, dissolved=result.dissolved, active=result.active, actor=actor,
        )
        lap = result.lap("record", lap)
    result.lap("commit", lap)
    result.seconds = time.perf_counter() - started
    return result
