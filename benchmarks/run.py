"""`make bench`: response times of the worklist, case pages and API, and registration throughput,
on a throwaway SQLite database of 100,000 demo cases.

    .venv/bin/python benchmarks/run.py [--cases 100000] [--seed 1] [--requests 200] [--registrations 500]
                                       [--database sqlite|postgres]

The demo database is built once into benchmarks/var/demo-<cases>-seed<seed>/ (about two minutes
for 100,000 cases) and reused; each run works on a fresh copy in benchmarks/var/run/, so the 500
registrations never accumulate. Requests go through Django's test Client in-process (no network,
no web server): the figures are the application's own time — views, selectors, templates, SQL.
With --database postgres the demo is built in a throwaway PostgreSQL cluster from the local server
binaries (as the test suite does), removed at the end.
Results: a table on stdout and benchmarks/results/latest-<database>.json. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
VAR = HERE / "var"
RESULTS = HERE / "results"
GOALS_MS = {"list": 150, "detail": 100}  # p95


def build_demo(env: dict, cases: int, seed: int, *, where: str) -> dict:
    """Migrate and run `zhixing demo` in a subprocess with `env`; returns the build's figures."""
    command = [sys.executable, "-m", "zhixing"]
    print(f"Building {cases:,} demo cases (seed {seed}) in {where} …", flush=True)
    subprocess.run([*command, "migrate", "--noinput", "-v", "0"], env=env, check=True)
    started = time.monotonic()
    subprocess.run([*command, "demo", "--cases", str(cases), "--seed", str(seed)], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return {"cases": cases, "seed": seed, "build_seconds": round(time.monotonic() - started, 1),
            "built_on": dt.date.today().isoformat()}


SQLITE_PAGE_SIZE = 16384  # what zhixing/settings.py gives a new database


def convert_page_size(path: Path) -> None:
    """A database kept from before new ones got 16 KiB pages is rewritten with them (VACUUM, about a
    minute for 4 GB), so that the figures are those of a new installation."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        if db.execute("PRAGMA page_size").fetchone()[0] == SQLITE_PAGE_SIZE:
            return
        print(f"Rewriting {path} with {SQLITE_PAGE_SIZE // 1024} KiB pages …", flush=True)
        db.execute("PRAGMA journal_mode=DELETE")  # the page size cannot change in WAL mode
        db.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
        db.execute("VACUUM")
        db.execute("PRAGMA journal_mode=WAL")
    finally:
        db.close()


def pristine_database(cases: int, seed: int) -> tuple[Path, dict]:
    """benchmarks/var/demo-N-seedS/zhixing.sqlite3, built by `zhixing demo` in a subprocess if missing."""
    folder = VAR / f"demo-{cases}-seed{seed}"
    marker = folder / "built.json"
    if marker.exists():
        convert_page_size(folder / "zhixing.sqlite3")
        return folder / "zhixing.sqlite3", json.loads(marker.read_text())
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"ZHIXING_VAR_DIR": str(folder)}
    info = build_demo(env, cases, seed, where=str(folder))
    marker.write_text(json.dumps(info))
    return folder / "zhixing.sqlite3", info


def postgres_database(cases: int, seed: int):
    """A throwaway cluster with `cases` demo cases; returns (cluster, url, build info)."""
    sys.path.insert(0, str(HERE.parent))
    from zhixing.testing.pgcluster import ThrowawayCluster

    cluster = ThrowawayCluster()
    cluster.start()
    url = cluster.create_database("zhixing")
    info = build_demo({**os.environ, "DATABASE_URL": url}, cases, seed, where="a throwaway PostgreSQL cluster")
    return cluster, url, info


def working_copy(pristine: Path) -> Path:
    run = VAR / "run"
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir(parents=True)
    # Fold any write-ahead log into the main file first, so one file is a complete copy.
    with sqlite3.connect(pristine) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy2(pristine, run / "zhixing.sqlite3")
    return run


def setup_django(*, var_dir: Path | None = None, database_url: str | None = None) -> None:
    os.environ.pop("DATABASE_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ["ZHIXING_VAR_DIR"] = str(var_dir)
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "zhixing.settings",
        # Production settings: DEBUG off (no query log, cached templates).
        "ZHIXING_DEBUG": "false",
        "ZHIXING_SECRET_KEY": "benchmark-only-secret-key-not-for-deployment-0123456789",
        "ZHIXING_ALLOWED_HOSTS": "testserver",
    })
    sys.path.insert(0, str(HERE.parent))
    import django

    django.setup()


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def measure(client, urls: list[str], *, warmup: int = 10) -> dict:
    for url in urls[:warmup]:
        client.get(url)
    times = []
    for url in urls:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"GET {url} → {response.status_code}: {response.content[:300]!r}")
        times.append(elapsed)
    return {"n": len(times), "p50_ms": round(percentile(times, 50), 1), "p95_ms": round(percentile(times, 95), 1),
            "max_ms": round(max(times), 1)}


def query_string(params: dict) -> str:
    from urllib.parse import urlencode

    return "?" + urlencode(params) if params else ""


def list_variants(party_name: str) -> list[tuple[str, dict, dict]]:
    """(name, worklist page params, API params): the same questions asked of both interfaces."""
    return [
        ("default", {}, {}),
        ("stage=control", {"stage": "control"}, {"stage": "control"}),
        ("party name", {"party": party_name}, {"party": party_name}),
        ("amount 10k-100k yuan", {"amount_min": "10000", "amount_max": "100000"},
         {"amount_min_fen": 1_000_000, "amount_max_fen": 10_000_000}),
        ("page 50", {"page": 50}, {"page": 50}),
    ]


def run_benchmarks(requests: int, registrations: int) -> dict:
    from django.test import Client

    from zhixing.accounts.models import User
    from zhixing.cases.models import Party
    from zhixing.cases.selectors import cases_visible_to, visible_court_ids

    rng = random.Random(2024)
    rows = []
    # A basic court's judge, an intermediate court's supervisor (4 courts) and the high court's (9 courts).
    for username in ("judge", "supervisor", "zj.supervisor1"):
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        visible = cases_visible_to(user)
        names = list(Party.objects.filter(court_id__in=visible_court_ids(user), role="respondent", kind="natural_person")
                     .values_list("name", flat=True)[:2000])
        party_name = rng.choice(names)
        for name, page_params, api_params in list_variants(party_name):
            for interface, base, params in (("worklist page", "/cases/", page_params), ("API list", "/api/v1/cases", api_params)):
                url = base + query_string(params)
                result = measure(client, [url] * requests)
                rows.append({"user": username, "kind": "list", "what": f"{interface} · {name}", "url": url, **result})
                print_row(rows[-1])
        ids = list(visible.values_list("pk", flat=True))
        sample = [rng.choice(ids) for _ in range(requests)]
        for interface, pattern in (("case page", "/cases/{}/"), ("API case", "/api/v1/cases/{}")):
            result = measure(client, [pattern.format(pk) for pk in sample])
            rows.append({"user": username, "kind": "detail", "what": f"{interface} · random", "url": pattern, **result})
            print_row(rows[-1])
    return {"requests": rows, "registration": registration_throughput(registrations)}


def registration_throughput(count: int) -> dict:
    from django.utils import timezone

    from zhixing.accounts.models import User
    from zhixing.cases import services
    from zhixing.cases.inputs import parse_case
    from zhixing.demo.builder import DemoPlan
    from zhixing.demo.cases import CaseGenerator
    from zhixing.demo.province import DEMO_COURT_CODE, fresh_ids

    today = timezone.localdate()
    plan = DemoPlan(seed=99, cases=0, today=today, ids=fresh_ids(), password_hash="")
    generator = CaseGenerator(random.Random(99), plan.province, today, plan.calendar)
    court = plan.province.court(DEMO_COURT_CODE)
    payloads = [generator.registration_payload(court, today) for _ in range(count)]
    judge = User.objects.get(username="judge")
    started = time.perf_counter()
    for payload in payloads:
        services.case_register(actor=judge, data=parse_case(payload))
    seconds = time.perf_counter() - started
    result = {"registrations": count, "seconds": round(seconds, 2), "cases_per_second": round(count / seconds, 1)}
    print(f"{'registration (parse_case + services.case_register)':<58} {result['cases_per_second']:>8} cases/s "
          f"({count} in {result['seconds']} s)")
    return result


def print_row(row: dict) -> None:
    goal = GOALS_MS[row["kind"]]
    verdict = "ok" if row["p95_ms"] <= goal else f"MISSES {goal} ms"
    print(f"{row['user']:<15} {row['what']:<46} p50 {row['p50_ms']:>7.1f} ms  p95 {row['p95_ms']:>7.1f} ms  {verdict}",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per figure (after 10 warm-up)")
    parser.add_argument("--registrations", type=int, default=500)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()

    cluster = None
    try:
        if args.database == "postgres":
            cluster, url, build = postgres_database(args.cases, args.seed)
            setup_django(database_url=url)
        else:
            pristine, build = pristine_database(args.cases, args.seed)
            setup_django(var_dir=working_copy(pristine))
            # A database kept from an earlier run gets the migrations added since (new indexes).
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
        report(args, build)
    finally:
        if cluster is not None:
            cluster.stop()


def database_version() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def report(args, build: dict) -> None:
    print(f"{database_version()}: {args.cases:,} demo cases (seed {args.seed}); {args.requests} requests per figure; goals: list p95 ≤ "
          f"{GOALS_MS['list']} ms, detail p95 ≤ {GOALS_MS['detail']} ms\n", flush=True)
    results = run_benchmarks(args.requests, args.registrations)
    missed = [r for r in results["requests"] if r["p95_ms"] > GOALS_MS[r["kind"]]]
    summary = {
        "run_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": database_version(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "demo": build,
        "goals_p95_ms": GOALS_MS,
        **results,
        "missed_goals": [f"{r['user']} {r['what']}" for r in missed],
    }
    RESULTS.mkdir(exist_ok=True)
    written = RESULTS / f"latest-{args.database}.json"
    written.write_text(json.dumps(summary, ensure_ascii=False, indent=2))
    print(f"\n{len(missed)} figure(s) miss their goal. Written: {written}")


if __name__ == "__main__":
    main()
