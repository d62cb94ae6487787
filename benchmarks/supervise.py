"""`make bench` (supervision): `zhixing supervise` over a million open cases, against one plain full
scan of the same case and node tables measured in the same run.

    .venv/bin/python benchmarks/supervise.py [--database sqlite|postgres] [--open-cases 1000000]

The data: the 100,000-case demo (built once by benchmarks/run.py's step, seed 1), whose ~51,000 open
cases and their flow nodes are copied with new ids and case numbers until there are at least
`--open-cases` open cases — the demo's own mix of ages, stages and nodes, repeated. The copies carry
no parties or logs: supervision reads cases, nodes and control measures (copied too, holding the
same assets), and writes logs only for new locks.
The SQLite copy is kept in benchmarks/var/supervise-<n>/ and reused; PostgreSQL is built in a
throwaway cluster each run.

Figures (seconds): the scan (every row and column of cases and nodes fetched through the driver),
the first run (no deadlines, escalations or calendar memo stored yet — the demo's are deleted), a second run on the same day (must
change nothing), and the next night's run (as-of + 1 day). Goal: each run ≤ 60 s and ≤ 5 × scan.
Results: stdout and benchmarks/results/supervise-<database>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import shutil
import sqlite3
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from run import (  # noqa: E402
    RESULTS,
    VAR,
    convert_page_size,
    database_version,
    postgres_database,
    pristine_database,
    setup_django,
)

GOAL_SECONDS = 60
GOAL_RATIO = 5
CASE_ID_STEP = 1_000_000  # copy j of case id i is i + j·step
NODE_ID_STEP = 10_000_000
MEASURE_ID_STEP = 1_000_000


def replicate(connection, open_cases: int) -> dict:
    """Copy the open cases and their nodes until there are at least `open_cases` open cases."""
    from zhixing.cases.models import EnforcementCase, NodeRecord
    from zhixing.property.models import CaseAsset, ControlMeasure

    cases, nodes = EnforcementCase._meta.db_table, NodeRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), MAX(id) FROM {cases} WHERE status = 'open'")
        have, max_id = cursor.fetchone()
        cursor.execute(f"SELECT MAX(id) FROM {cases}")
        max_case_id = cursor.fetchone()[0]
        cursor.execute(f"SELECT MAX(id) FROM {nodes}")
        max_node_id = cursor.fetchone()[0]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {ControlMeasure._meta.db_table}")
        max_measure_id = cursor.fetchone()[0]
        if max_case_id >= CASE_ID_STEP or max_node_id >= NODE_ID_STEP or max_measure_id >= MEASURE_ID_STEP:
            raise SystemExit("the demo is too large for the id steps of this benchmark")
        copies = math.ceil(open_cases / have) - 1
        case_cols = [f.column for f in EnforcementCase._meta.concrete_fields]
        node_cols = [f.column for f in NodeRecord._meta.concrete_fields]
        measures = ControlMeasure._meta.db_table
        measure_cols = [f.column for f in ControlMeasure._meta.concrete_fields]
        links = CaseAsset._meta.db_table
        link_cols = [f.column for f in CaseAsset._meta.concrete_fields if not f.primary_key]
        for j in range(1, copies + 1):
            started = time.monotonic()
            exprs = {
                "id": f"id + {j * CASE_ID_STEP}",
                "case_number": f"case_number || '-{j}'",
                "sequence": f"sequence + {j * CASE_ID_STEP}",
                "origin_case_id": "NULL",
                "import_batch_id": "NULL",
            }
            select = ", ".join(exprs.get(c, c) for c in case_cols)
            cursor.execute(
                f"INSERT INTO {cases} ({', '.join(case_cols)}) SELECT {select} FROM {cases} "
                f"WHERE status = 'open' AND id < {CASE_ID_STEP}"
            )
            node_exprs = {"id": f"n.id + {j * NODE_ID_STEP}", "case_id": f"n.case_id + {j * CASE_ID_STEP}"}
            select = ", ".join(node_exprs.get(c, f"n.{c}") for c in node_cols)
            cursor.execute(
                f"INSERT INTO {nodes} ({', '.join(node_cols)}) SELECT {select} FROM {nodes} n "
                f"JOIN {cases} c ON c.id = n.case_id WHERE c.status = 'open' AND c.id < {CASE_ID_STEP}"
            )
            measure_exprs = {"id": f"m.id + {j * MEASURE_ID_STEP}", "case_id": f"m.case_id + {j * CASE_ID_STEP}",
                             "renewal_of_id": f"m.renewal_of_id + {j * MEASURE_ID_STEP}"}
            select = ", ".join(measure_exprs.get(c, f"m.{c}") for c in measure_cols)
            cursor.execute(  # the copies' measures hold the same assets (one flat, many creditors)
                f"INSERT INTO {measures} ({', '.join(measure_cols)}) SELECT {select} FROM {measures} m "
                f"JOIN {cases} c ON c.id = m.case_id WHERE c.status = 'open' AND c.id < {CASE_ID_STEP}"
            )
            link_select = ", ".join(f"a.{c}" if c != "case_id" else f"a.case_id + {j * CASE_ID_STEP}" for c in link_cols)
            cursor.execute(  # and the assets found (for benchmarks/ranking.py)
                f"INSERT INTO {links} ({', '.join(link_cols)}) SELECT {link_select} FROM {links} a "
                f"JOIN {cases} c ON c.id = a.case_id WHERE c.status = 'open' AND c.id < {CASE_ID_STEP}"
            )
            print(f"  copy {j}/{copies}: {time.monotonic() - started:.1f} s", flush=True)
        cursor.execute(f"SELECT COUNT(*) FROM {cases} WHERE status = 'open'")
        total_open = cursor.fetchone()[0]
        cursor.execute(f"SELECT COUNT(*) FROM {cases}")
        total_cases = cursor.fetchone()[0]
        cursor.execute(f"SELECT COUNT(*) FROM {nodes}")
        total_nodes = cursor.fetchone()[0]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {cases}")
            cursor.execute(f"ANALYZE {nodes}")
    return {"open_cases": total_open, "cases": total_cases, "nodes": total_nodes, "copies": copies}


def _copy(source: Path, folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    with sqlite3.connect(source) as db:  # fold the write-ahead log in, so one file is a complete copy
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy2(source, folder / "zhixing.sqlite3")


def sqlite_dataset(open_cases: int) -> tuple[Path, dict]:
    """The copied-up database in benchmarks/var/supervise-<n>/ (made once by `replicate`); each run
    works on a fresh copy in benchmarks/var/supervise-run/, so runs never see each other's locks."""
    pristine, build = pristine_database(100_000, 1)
    folder = VAR / f"supervise-{open_cases}"
    marker = folder / "built.json"
    if not marker.exists():
        _copy(pristine, folder)
        marker.write_text(json.dumps({"build": build}))
    info = json.loads(marker.read_text())
    if "data" not in info:
        return folder, info
    convert_page_size(folder / "zhixing.sqlite3")
    run = VAR / "supervise-run"
    _copy(folder / "zhixing.sqlite3", run)
    os.sync()  # the 4 GB copy is written out now, not during the timed runs
    return run, info


def full_scan(connection) -> float:
    """Every row and column of the case and node tables, fetched through the driver."""
    from zhixing.cases.models import EnforcementCase, NodeRecord

    started = time.perf_counter()
    rows = 0
    for table in (EnforcementCase._meta.db_table, NodeRecord._meta.db_table):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {table}")
            while batch := cursor.fetchmany(10_000):
                rows += len(batch)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--open-cases", type=int, default=1_000_000)
    args = parser.parse_args()

    cluster = None
    if args.database == "sqlite":
        folder, info = sqlite_dataset(args.open_cases)
        setup_django(var_dir=folder)
    else:
        cluster, url, build = postgres_database(100_000, 1)
        info = {"build": build}
        setup_django(database_url=url)
    try:
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", "--noinput", verbosity=0)
        if "data" not in info:
            print(f"Copying open cases up to {args.open_cases:,} …", flush=True)
            started = time.monotonic()
            info["data"] = replicate(connection, args.open_cases)
            info["data"]["copy_seconds"] = round(time.monotonic() - started, 1)
            if args.database == "sqlite":
                (folder / "built.json").write_text(json.dumps(info))
                connection.close()
                folder, info = sqlite_dataset(args.open_cases)  # measure on a copy
                connection.settings_dict["NAME"] = str(folder / "zhixing.sqlite3")
        report = measure(connection, info)
    finally:
        if cluster is not None:
            cluster.stop()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"supervise-{args.database}.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))


def measure(connection, info: dict) -> dict:
    from zhixing.demo.supervision import configure
    from zhixing.supervision.engine import supervise
    from zhixing.supervision.models import Deadline, DueDate, EscalationEvent

    as_of = dt.date.fromisoformat(info["build"]["built_on"])
    configure(as_of)  # the demo's settings: Zhejiang's payout rule and locking after 15 red days
    with connection.cursor() as cursor:  # the first run starts from nothing stored, as a new installation
        for model in (Deadline, DueDate, EscalationEvent):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # not the deleted rows' space, as a new installation
            for model in (Deadline, DueDate, EscalationEvent):
                cursor.execute(f"VACUUM {model._meta.db_table}")
    scans = [full_scan(connection) for _ in range(2)]  # the first warms the cache, as the runs will be
    scan = min(scans)
    runs = {}
    for name, day in (("first", as_of), ("second_same_day", as_of), ("next_night", as_of + dt.timedelta(days=1))):
        result = supervise(as_of=day)
        runs[name] = {
            "as_of": day.isoformat(), "seconds": round(result.seconds, 1), "ratio_to_scan": round(result.seconds / scan, 2),
            "deadlines": result.deadlines, "warnings": result.warnings, "escalations": result.escalations,
            "locks": result.locks, "summary": result.summary, "steps": result.steps,
        }
        print(f"{name:16} {result.summary}  ({result.seconds / scan:.1f} × scan)", flush=True)
    report = {
        "run_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": database_version(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "data": info["data"],
        "deadlines_stored": Deadline.objects.count(),
        "scan_seconds": round(scan, 1),
        "goal": {"seconds": GOAL_SECONDS, "ratio_to_scan": GOAL_RATIO},
        "runs": runs,
        "met": all(r["seconds"] <= GOAL_SECONDS and r["ratio_to_scan"] <= GOAL_RATIO for r in runs.values()),
    }
    print(f"scan of cases + nodes: {scan:.1f} s over {info['data']['cases']:,} cases and {info['data']['nodes']:,} nodes")
    print("goal met" if report["met"] else "GOAL MISSED", flush=True)
    return report


if __name__ == "__main__":
    main()
