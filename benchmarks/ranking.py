"""`make bench` (property): rank a court's open cases by cash executability ratio (现金可执行率).

    .venv/bin/python benchmarks/ranking.py [--database sqlite|postgres]

Data: benchmarks/supervise.py's million open cases (the 100,000-case demo's open cases, their nodes,
control measures and found assets copied up), so the largest court holds over 100,000 open cases.
Figures: p95 over 20 requests of the first page, page 100, the cash-only filter, and the fast-track
suggestions, for the largest court. Goal: ranking 100,000 open cases in ≤ 2 s.
Results: stdout and benchmarks/results/ranking-<database>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from run import RESULTS, database_version, postgres_database, setup_django  # noqa: E402
from supervise import replicate, sqlite_dataset  # noqa: E402

GOAL_SECONDS = 2.0
REPEAT = 20


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) > 1 else samples[0]


def measure() -> dict:
    from django.db import connection

    from zhixing.cases.models import EnforcementCase
    from zhixing.property import ranking

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT court_id, COUNT(*) FROM {EnforcementCase._meta.db_table} WHERE status = 'open' "
            "GROUP BY court_id ORDER BY COUNT(*) DESC LIMIT 1"
        )
        court_id, open_cases = cursor.fetchone()
    calls = {
        "first_page": lambda: ranking.cash_ranking(court_ids=[court_id]),
        "page_100": lambda: ranking.cash_ranking(court_ids=[court_id], offset=99 * 50),
        "cash_only": lambda: ranking.cash_ranking(court_ids=[court_id], min_ratio_bp=1),
        "fast_track_suggestions": lambda: ranking.fast_track_suggestions(court_id),
    }
    figures = {}
    for name, call in calls.items():
        call()  # warm
        samples = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            call()
            samples.append(time.perf_counter() - started)
        figures[name] = {"p95_seconds": round(p95(samples), 3), "median_seconds": round(statistics.median(samples), 3)}
        print(f"{name:24} p95 {figures[name]['p95_seconds']:.3f} s", flush=True)
    total, _ = ranking.cash_ranking(court_ids=[court_id], min_ratio_bp=1)
    return {"court_open_cases": open_cases, "cases_with_cash": total, "figures": figures,
            "met": all(f["p95_seconds"] <= GOAL_SECONDS for f in figures.values())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    cluster = None
    if args.database == "sqlite":
        folder, info = sqlite_dataset(1_000_000)
        if "data" not in info:
            raise SystemExit("run benchmarks/supervise.py first: it builds the million-case dataset")
        setup_django(var_dir=folder)
    else:
        cluster, url, _ = postgres_database(100_000, 1)
        setup_django(database_url=url)
    try:
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", "--noinput", verbosity=0)
        if args.database == "postgres":
            replicate(connection, 1_000_000)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        report = {"run_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "database": database_version(),
                  "python": platform.python_version(), "goal_seconds": GOAL_SECONDS, **measure()}
    finally:
        if cluster is not None:
            cluster.stop()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"ranking-{args.database}.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print("goal met" if report["met"] else "GOAL MISSED", flush=True)


if __name__ == "__main__":
    main()
