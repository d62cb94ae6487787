"""`make bench` (indicators): every quality indicator over a million cases, and the indicator pages
read from the snapshots.

    .venv/bin/python benchmarks/indicators.py [--database sqlite|postgres] [--cases 1000000] [--seed 1] [--requests 20]

The data: the demo province (zhixing.demo.province: 9 courts, their teams and staff) and `--cases`
enforcement cases written straight into the tables with the demo's mix of closing types and their
durations (zhixing.demo.cases.CLOSING_WEIGHTS, CLOSING_DAYS), filed over four years, with flow nodes
(property found, control measures, consumption restrictions), supervision's statutory-period
deadlines, petitions (3% of cases), review outcomes (1%) and disclosures (half the closed cases).
The SQLite database is built once in benchmarks/var/indicators-<n>-seed<s>/ and each run measures a
fresh copy; PostgreSQL is built in a throwaway cluster each run.

Figures (seconds, then milliseconds): every indicator of every court, team and handler for the running
year, quarter and month (`engine.tally`: the aggregate queries; goal ≤ 10 s each); one period's
snapshot written; the first nightly run (two years of months, quarters and years); then the pages
from the snapshots, as the demo court's bureau head and the intermediate court's supervisor
(p50/p95 over `--requests` requests; goal p95 ≤ 1,000 ms) and a drill-down list (live).
Results: stdout and benchmarks/results/indicators-<database>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import platform
import random
import shutil
import sqlite3
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from run import RESULTS, VAR, database_version, percentile, setup_django  # noqa: E402

GOAL_TALLY_SECONDS = 10
GOAL_PAGE_MS = 1000
CHUNK = 20_000
YEARS = 4


# ---------------------------------------------------------------- data


def _columns(model) -> list[str]:
    return [f.column for f in model._meta.concrete_fields]


def _insert(connection, model, rows: list[dict]) -> None:
    if not rows:
        return
    columns = _columns(model)
    sql = (f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    with connection.cursor() as cursor:
        cursor.executemany(sql, [tuple(row.get(c) for c in columns) for row in rows])


def generate(connection, cases: int, seed: int, as_of: dt.date) -> dict:
    """The province and `cases` cases with their nodes, deadlines, petitions, reviews and disclosures."""
    from django.db import transaction
    from django.utils import timezone

    from zhixing.cases.models import EnforcementCase, NodeRecord
    from zhixing.demo.cases import CLOSING_DAYS, CLOSING_WEIGHTS
    from zhixing.demo.province import COURTS, demo_password_hash, fresh_ids, plan_province, save_province
    from zhixing.indicators.models import ConductReview, Disclosure, Petition
    from zhixing.indicators.periods import add_months
    from zhixing.supervision.models import Deadline, RuleVersion

    rng = random.Random(f"zhixing-bench-indicators-{seed}")
    province = plan_province(random.Random(f"zhixing-demo-province-{seed}"), password_hash=demo_password_hash(),
                             first_ids=fresh_ids())
    with transaction.atomic():
        save_province(province)
    version = RuleVersion.objects.create(rule_code="close_period", version=1, amount=6, unit="months",
                                         citation="法发〔2006〕35号第1条", effective_from=dt.date(2000, 1, 1))
    shares = [spec.case_share for spec in COURTS]
    handlers = {}  # court id → [(team id, user id)] of the judges and assistants in teams
    for staff in province.courts:
        pairs = [(t.team.pk, u.pk) for t in staff.teams for role in ("judge", "assistant") for u in t.members.get(role, [])]
        handlers[staff.court.pk] = pairs or [(None, None)]
    types, type_weights = ["执", "执恢", "执保"], [90, 7, 3]
    closings, closing_weights = zip(*CLOSING_WEIGHTS, strict=True)
    first_day = as_of - dt.timedelta(days=365 * YEARS)
    now = timezone.now()
    sequences: dict[tuple, int] = {}
    counts = {"cases": 0, "nodes": 0, "deadlines": 0, "petitions": 0, "reviews": 0, "disclosures": 0}
    ids = {"node": 1, "petition": 1, "review": 1, "disclosure": 1}
    started = time.monotonic()
    for start in range(1, cases + 1, CHUNK):
        rows, nodes, deadlines, petitions, reviews, disclosures = [], [], [], [], [], []
        for case_id in range(start, min(cases, start + CHUNK - 1) + 1):
            staff = rng.choices(province.courts, shares)[0]
            court = staff.court
            team_id, handler_id = rng.choice(handlers[court.pk])
            case_type = rng.choices(types, type_weights)[0]
            filed = first_day + dt.timedelta(days=rng.randrange(365 * YEARS))
            key = (court.pk, filed.year, case_type)
            sequences[key] = sequences.get(key, 0) + 1
            claim = int(rng.lognormvariate(math.log(8_000_000), 1.2)) + 10_000
            age = (as_of - filed).days
            closing, closed, performed = "", None, 0
            if rng.random() < min(0.92, 0.1 + age / 500):
                closing = rng.choices(closings, closing_weights)[0]
                median, spread = CLOSING_DAYS[closing]
                days = int(rng.lognormvariate(math.log(median), spread)) + 1
                if closing == "terminate_current":
                    days += 92  # 终本 only after three months (法〔2016〕373号 Art. 1(4))
                closed = filed + dt.timedelta(days=days)
                if closed > as_of:
                    closing, closed = "", None
            if closing == "performed":
                performed = claim
            elif closing in ("terminate_current", "terminated") and rng.random() < 0.25:
                performed = int(claim * rng.uniform(0.05, 0.9))
            close_due = add_months(filed, 6)
            rows.append({
                "id": case_id, "court_id": court.pk, "case_number": f"（{filed.year}）{court.court_code}{case_type}{sequences[key]}号",
                "case_type": case_type, "year": filed.year, "sequence": sequences[key], "filed_on": filed,
                "stage": "archive" if closed else "query", "status": "closed" if closed else "open", "track": "",
                "team_id": team_id, "handler_id": handler_id, "claim_amount_fen": claim, "performed_amount_fen": performed,
                "applicant_names": "", "respondent_names": "", "closing_type": closing, "closed_on": closed,
                "close_due": close_due, "assign_due": filed + dt.timedelta(days=7), "source": "demo", "created_at": now,
            })
            paused = rng.choice((30, 60, 90)) if rng.random() < 0.1 else 0
            deadlines.append({"id": case_id, "court_id": court.pk, "case_id": case_id, "rule_code": "close_period",
                              "rule_version_id": version.pk, "team_id": team_id, "handler_id": handler_id,
                              "start_on": filed, "due_on": close_due + dt.timedelta(days=paused), "met_on": closed,
                              "status": "met" if closed else "pending", "paused_days": paused, "extension_months": 0,
                              "level": 0, "escalation": 0})
            found = rng.random() < {"performed": 0.7, "terminated": 0.4, "terminate_current": 0.05}.get(closing, 0.3)
            codes = (["property_found"] if found else []) + (["seal"] if found and rng.random() < 0.5 else [])
            codes += ["consumption_restriction"] if rng.random() < 0.4 else []
            for code in codes:
                nodes.append({"id": ids["node"], "court_id": court.pk, "case_id": case_id, "node_code": code,
                              "occurred_on": filed + dt.timedelta(days=20), "recorded_at": now, "note": ""})
                ids["node"] += 1
            if rng.random() < 0.03:
                received = min(as_of, filed + dt.timedelta(days=rng.randrange(10, 300)))
                done = received + dt.timedelta(days=rng.randrange(5, 60))
                petitions.append({"id": ids["petition"], "court_id": court.pk, "case_id": case_id, "reference": "",
                                  "channel": "visit", "received_on": received,
                                  "closed_on": done if done <= as_of and rng.random() < 0.85 else None,
                                  "summary": "反映执行不力", "outcome": "", "recorded_at": now})
                ids["petition"] += 1
            if rng.random() < 0.01:
                kind = rng.choices(["objection", "review", "supervision", "state_compensation"], [60, 25, 10, 5])[0]
                outcomes = ["compensated", "not_compensated"] if kind == "state_compensation" else ["upheld", "revoked", "changed"]
                weights = [1, 3] if kind == "state_compensation" else [85, 10, 5]
                reviews.append({"id": ids["review"], "court_id": court.pk, "case_id": case_id, "kind": kind,
                                "outcome": rng.choices(outcomes, weights)[0],
                                "decided_on": min(as_of, filed + dt.timedelta(days=rng.randrange(30, 400))),
                                "document_number": "", "note": "", "recorded_at": now})
                ids["review"] += 1
            if closed and rng.random() < 0.5:
                disclosures.append({"id": ids["disclosure"], "court_id": court.pk, "case_id": case_id,
                                    "kind": "document_online", "disclosed_on": min(as_of, closed + dt.timedelta(days=3)),
                                    "reference": "", "recorded_at": now})
                ids["disclosure"] += 1
        with transaction.atomic():
            _insert(connection, EnforcementCase, rows)
            _insert(connection, NodeRecord, nodes)
            _insert(connection, Deadline, deadlines)
            _insert(connection, Petition, petitions)
            _insert(connection, ConductReview, reviews)
            _insert(connection, Disclosure, disclosures)
        for name, batch in (("cases", rows), ("nodes", nodes), ("deadlines", deadlines), ("petitions", petitions),
                            ("reviews", reviews), ("disclosures", disclosures)):
            counts[name] += len(batch)
        print(f"  {counts['cases']:,} cases … {time.monotonic() - started:.0f} s", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (EnforcementCase, NodeRecord, Deadline, Petition, ConductReview, Disclosure):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{model._meta.db_table}', 'id'), "  # noqa: S608
                               f"(SELECT COALESCE(MAX(id), 1) FROM {model._meta.db_table}))")
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    counts["seconds"] = round(time.monotonic() - started, 1)
    return counts


# ---------------------------------------------------------------- figures


def timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def pages(client, urls: list[str], requests: int) -> dict:
    out = {}
    for name, url in urls:
        for _ in range(3):
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"GET {url} → {response.status_code}: {response.content[:300]!r}")
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        out[name] = {"url": url, "n": requests, "p50_ms": round(percentile(times, 50), 1),
                     "p95_ms": round(percentile(times, 95), 1), "max_ms": round(max(times), 1)}
        print(f"  {name:<44} p50 {out[name]['p50_ms']:>7.1f} ms   p95 {out[name]['p95_ms']:>7.1f} ms", flush=True)
    return out


def measure(as_of: dt.date, requests: int) -> dict:
    from django.test import Client

    from zhixing.accounts.models import User
    from zhixing.indicators import engine, periods, snapshots
    from zhixing.indicators.choices import Grain

    report: dict = {"tally_seconds": {}, "snapshot_seconds": {}}
    print("All indicators of every court, team and handler (engine.tally):", flush=True)
    for grain in (Grain.YEAR, Grain.QUARTER, Grain.MONTH):
        period = periods.containing(as_of, grain)
        window = engine.window_for(period, as_of)
        first, result = timed(lambda w=window: engine.tally(w))
        second, _ = timed(lambda w=window: engine.tally(w))
        groups = len(result.groups)
        report["tally_seconds"][period.key] = {"first": round(first, 2), "second": round(second, 2), "groups": groups}
        print(f"  {period.label:<16} {first:6.2f} s (again {second:5.2f} s), {groups:,} court×team×handler groups",
              flush=True)
    year = periods.containing(as_of, Grain.YEAR)
    seconds, (run, _results) = timed(lambda: snapshots.snapshot(as_of=as_of, chosen=[year]))
    report["snapshot_seconds"]["one_period"] = {"period": year.key, "seconds": round(seconds, 2), "rows": run.rows}
    print(f"Snapshot of {year.label}: {seconds:.2f} s, {run.rows:,} rows", flush=True)
    seconds, (run, results) = timed(lambda: snapshots.snapshot(as_of=as_of))
    written = [r for r in results if not r.skipped]
    report["snapshot_seconds"]["first_nightly_run"] = {"periods": len(written), "seconds": round(seconds, 1),
                                                       "rows": run.rows}
    print(f"First nightly run (backfill): {len(written)} periods, {run.rows:,} rows, {seconds:.1f} s", flush=True)
    seconds, (run, results) = timed(lambda: snapshots.snapshot(as_of=as_of))
    report["snapshot_seconds"]["second_nightly_run"] = {"periods": len([r for r in results if not r.skipped]),
                                                        "seconds": round(seconds, 1)}
    print(f"Second nightly run (running periods only): {seconds:.1f} s", flush=True)

    head = User.objects.get(username="head")
    supervisor = User.objects.get(username="supervisor")
    key, quarter = year.key, periods.containing(as_of, Grain.QUARTER).key
    print("Pages from the snapshots:", flush=True)
    client = Client()
    client.force_login(head)
    report["pages_head"] = pages(client, [
        (f"overview {key} (basic court)", f"/indicators/?period={key}"),
        (f"overview {quarter}", f"/indicators/?period={quarter}"),
        ("breakdown by team", f"/indicators/breakdown/?period={key}&by=team"),
        ("breakdown by handler", f"/indicators/breakdown/?period={key}&by=handler"),
        ("trend, 6 indicators, 12 months", "/indicators/trend/"),
        ("API values", f"/api/v1/indicators/values?period={key}"),
        ("big screen panel", "/indicators/screen-panel/"),
    ], requests)
    client.force_login(supervisor)
    report["pages_supervisor"] = pages(client, [
        ("overview, region of 4 courts", f"/indicators/?court={supervisor.court_id}&region=1&period={key}"),
        ("ranking of the basic courts", f"/indicators/ranking/?period={key}"),
        ("breakdown by court", f"/indicators/breakdown/?court={supervisor.court_id}&region=1&by=court&period={key}"),
    ], requests)
    client.force_login(head)
    report["drilldown_live"] = pages(client, [
        ("drill-down: closed cases (live), page 1", f"/indicators/cases/?period={key}&indicator=closure_rate&part=numerator"),
    ], max(3, requests // 4))
    return report


# ---------------------------------------------------------------- databases


def _copy(source: Path, folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    with sqlite3.connect(source) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy2(source, folder / "zhixing.sqlite3")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()

    cluster = None
    if args.database == "sqlite":
        folder = VAR / f"indicators-{args.cases}-seed{args.seed}"
        marker = folder / "built.json"
        if not marker.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
        setup_django(var_dir=folder)
    else:
        from zhixing.testing.pgcluster import ThrowawayCluster

        cluster = ThrowawayCluster()
        cluster.start()
        setup_django(database_url=cluster.create_database("zhixing"))
        marker = None
    try:
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", "--noinput", verbosity=0)
        if marker is not None and marker.exists():
            build = json.loads(marker.read_text())
        else:
            as_of = dt.date.today()
            print(f"Generating {args.cases:,} cases (seed {args.seed}) in {connection.vendor} …", flush=True)
            build = {"as_of": as_of.isoformat(), **generate(connection, args.cases, args.seed, as_of)}
            if marker is not None:
                marker.write_text(json.dumps(build))
        if marker is not None:  # measure on a copy: the snapshots written here must not pile up
            connection.close()
            run = VAR / "indicators-run"
            _copy(marker.parent / "zhixing.sqlite3", run)
            connection.settings_dict["NAME"] = str(run / "zhixing.sqlite3")
        print(f"{database_version()}: {args.cases:,} cases, data as of {build['as_of']}; goals: tally ≤ "
              f"{GOAL_TALLY_SECONDS} s, pages p95 ≤ {GOAL_PAGE_MS} ms", flush=True)
        figures = measure(dt.date.fromisoformat(build["as_of"]), args.requests)
        figures.update(database=database_version(), build=build, machine=platform.platform(),
                       cpus=__import__("os").cpu_count())
        worst_tally = max(v["first"] for v in figures["tally_seconds"].values())
        worst_page = max(p["p95_ms"] for group in ("pages_head", "pages_supervisor") for p in figures[group].values())
        figures["goals_met"] = {"tally": worst_tally <= GOAL_TALLY_SECONDS, "pages": worst_page <= GOAL_PAGE_MS}
        print(f"Slowest tally {worst_tally:.2f} s (goal ≤ {GOAL_TALLY_SECONDS} s); slowest page p95 {worst_page:.0f} ms "
              f"(goal ≤ {GOAL_PAGE_MS} ms)", flush=True)
    finally:
        if cluster is not None:
            cluster.stop()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"indicators-{args.database}.json").write_text(json.dumps(figures, ensure_ascii=False, indent=2,
                                                                          default=str))


if __name__ == "__main__":
    main()
