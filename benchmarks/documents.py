"""`make bench` (documents, issue #5): one DOCX as a clerk waits for it, and a batch of 1,000.

    .venv/bin/python benchmarks/documents.py [--database sqlite|postgres] [--cases 100000] [--per-kind 60]
                                             [--batch 1000] [--batch-kinds enforcement_notice,zhongben_ruling]
                                             [--pdf 20]

The data: the 100,000-case demo (seed 1; built once by benchmarks/run.py's step for SQLite, in a
throwaway cluster for PostgreSQL), migrated (the documents app's tables), the built-in templates
synced. Everything happens in the demo's busiest court (most open cases), as one of its clerks.

1. One document: `services.document_generate` — lock and load the case, build the context, fill the
   Word template (docxtpl), store the file, the record and the log entry in one transaction — for
   several kinds, each on `--per-kind` different open cases (the rulings on a measure: open cases
   holding an open measure of that kind) after 5 warm-up calls on other cases. p50/p95/max per kind.
   Goal: p95 ≤ 100 ms. Then where one 终本 ruling's time goes (load, checklist, context, render).
2. A batch: `services.batch_create(..., with_pdf=False, enqueue=False)` — enqueue=False as the
   documents-batch command does, so no job goes to the huey queue — then `services.batch_run` timed,
   for `--batch` open cases of the court, per kind of `--batch-kinds`. Goal: 1,000 DOCX ≤ 60 s.
3. If LibreOffice (`soffice`) is installed: `pdf.docx_to_pdf_many` on `--pdf` of the documents
   made, in one call, and one document alone (informational, no goal).

SQLite works on a fresh copy of the demo in benchmarks/var/documents-run/; PostgreSQL on a throwaway
cluster. Results: stdout and benchmarks/results/documents-<database>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from run import RESULTS, VAR, database_version, percentile, postgres_database, pristine_database, setup_django  # noqa: E402

GOAL_ONE_P95_MS = 100
GOAL_BATCH_SECONDS = 60
GOAL_BATCH_SIZE = 1_000
WARMUP = 5
KINDS = ("enforcement_notice", "property_report_order", "consumption_restriction_order", "ruling_freeze",
         "ruling_seal", "assistance_notice", "zhongben_notice", "zhongben_ruling")


def sqlite_copy(cases: int, seed: int) -> tuple[Path, dict]:
    pristine, build = pristine_database(cases, seed)
    run = VAR / "documents-run"
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir(parents=True)
    with sqlite3.connect(pristine) as db:  # fold the write-ahead log in: one file is a complete copy
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy2(pristine, run / "zhixing.sqlite3")
    # Flush the copy to disk now: else the first WAL checkpoint's fsync writes out the whole 1 GB
    # file inside one timed document (a ~350 ms outlier that is the benchmark's, not the app's).
    with open(run / "zhixing.sqlite3", "rb+") as copy:
        os.fsync(copy.fileno())
    return run, build


def database_bytes() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":  # pages in use as this connection sees them (WAL included)
            cursor.execute("PRAGMA page_count")
            pages = cursor.fetchone()[0]
            cursor.execute("PRAGMA page_size")
            return pages * cursor.fetchone()[0]
        cursor.execute("SELECT pg_database_size(current_database())")
        return cursor.fetchone()[0]


def figures_ms(samples: list[float]) -> dict:
    return {"n": len(samples), "p50_ms": round(percentile(samples, 50), 1), "p95_ms": round(percentile(samples, 95), 1),
            "max_ms": round(max(samples), 1), "mean_ms": round(statistics.fmean(samples), 1)}


def busiest_court():
    from django.db.models import Count

    from zhixing.accounts.choices import Role
    from zhixing.accounts.models import User
    from zhixing.cases.choices import CaseStatus
    from zhixing.cases.models import EnforcementCase
    from zhixing.courts.models import Court

    top = (EnforcementCase.objects.filter(status=CaseStatus.OPEN).values("court_id").annotate(n=Count("pk"))
           .order_by("-n").first())
    court = Court.objects.get(pk=top["court_id"])
    actor = None
    for role in (Role.CLERK, Role.JUDGE):
        actor = User.objects.filter(court=court, role=role, is_active=True).order_by("pk").first()
        if actor is not None:
            break
    if actor is None:
        raise SystemExit(f"no clerk or judge in {court.name}")
    return court, actor, top["n"]


def open_case_ids(court_id: int, kind: str) -> list[int]:
    """The court's open cases a `kind` can be made for (a ruling on a measure: those holding one)."""
    from zhixing.cases.choices import CaseStatus
    from zhixing.cases.models import EnforcementCase
    from zhixing.documents.rules import DOCUMENT_KINDS
    from zhixing.property.models import OPEN_MEASURE_STATUSES

    cases = EnforcementCase.objects.filter(court_id=court_id, status=CaseStatus.OPEN)
    spec = DOCUMENT_KINDS[kind]
    if spec.case_types:
        cases = cases.filter(case_type__in=spec.case_types)
    if spec.measure_kinds:
        cases = cases.filter(control_measures__kind__in=spec.measure_kinds,
                             control_measures__status__in=OPEN_MEASURE_STATUSES).distinct()
    return sorted(cases.values_list("pk", flat=True))


def one_document(court, actor, kinds: list[str], per_kind: int, rng: random.Random) -> tuple[list[dict], dict]:
    """document_generate per kind over `per_kind` cases; returns the rows and {kind: [doc ids]}."""
    from zhixing.cases.models import EnforcementCase
    from zhixing.documents import services
    from zhixing.documents.models import GeneratedDocument

    rows, made = [], {}
    for kind in kinds:
        ids = open_case_ids(court.pk, kind)
        rng.shuffle(ids)
        if len(ids) < WARMUP + 1:
            print(f"{kind:<32} skipped: {len(ids)} open case(s) fit", flush=True)
            continue
        warm, timed = ids[:WARMUP], ids[WARMUP:WARMUP + per_kind]
        cases = EnforcementCase.objects.in_bulk(warm + timed)  # what the view has in hand before the service
        for pk in warm:
            services.document_generate(actor=actor, case=cases[pk], kind=kind)
        samples, docs = [], []
        for pk in timed:
            started = time.perf_counter()
            doc = services.document_generate(actor=actor, case=cases[pk], kind=kind)
            samples.append((time.perf_counter() - started) * 1000)
            docs.append(doc.pk)
        sizes = list(GeneratedDocument.objects.filter(pk__in=docs).values_list("file__size", flat=True))
        row = {"kind": kind, "eligible_open_cases": len(ids), **figures_ms(samples),
               "docx_kb_mean": round(statistics.fmean(sizes) / 1024, 1)}
        row["met"] = row["p95_ms"] <= GOAL_ONE_P95_MS
        rows.append(row)
        made[kind] = docs
        verdict = "ok" if row["met"] else f"MISSES {GOAL_ONE_P95_MS} ms"
        print(f"{kind:<32} n {row['n']:>3}  p50 {row['p50_ms']:>6.1f} ms  p95 {row['p95_ms']:>6.1f} ms  "
              f"max {row['max_ms']:>6.1f} ms  ({row['docx_kb_mean']} KB)  {verdict}", flush=True)
    return rows, made


def step_breakdown(court, actor, kind: str, count: int, rng: random.Random) -> dict:
    """Where one document's time goes, on `count` open cases: each step called directly (median ms),
    then `document_generate` on the same case; `rest` is its time minus the four steps (lock, next
    version, storing the file, the record, the log entry, commit)."""
    from docxtpl import DocxTemplate

    from zhixing.cases.models import EnforcementCase
    from zhixing.documents import context as ctx
    from zhixing.documents import services
    from zhixing.documents.render import render_docx
    from zhixing.documents.rules import DOCUMENT_KINDS
    from zhixing.property.checklist import case_checklist

    spec = DOCUMENT_KINDS[kind]
    ids = open_case_ids(court.pk, kind)
    rng.shuffle(ids)
    steps = ("template", "load_cases", "case_context", "render_docx")
    parts: dict[str, list[float]] = {k: [] for k in (*steps, "checklist", "docx_open", "document_generate", "rest")}

    def timed(name, call, *args, **kwargs):
        started = time.perf_counter()
        out = call(*args, **kwargs)
        parts[name].append((time.perf_counter() - started) * 1000)
        return out

    for pk in ids[:count]:
        case = EnforcementCase.objects.get(pk=pk)
        template = timed("template", services.template_for, court.pk, kind)
        blob = bytes(template.file.content)
        needed = set(services.needed_names(template.file_id, blob))
        loaded = timed("load_cases", ctx.load_cases, [pk], needed)[pk]
        context = timed("case_context", ctx.case_context, loaded, spec, needed=needed, extras={}, actor=actor, version=1)
        timed("render_docx", render_docx, blob, context)
        if "investigation" in needed:  # the 5+X+Y checklist: part of case_context
            timed("checklist", case_checklist, case)
        timed("docx_open", lambda b: DocxTemplate(io.BytesIO(b)).get_docx(), blob)  # part of render_docx
        timed("document_generate", services.document_generate, actor=actor, case=case, kind=kind)
        parts["rest"].append(parts["document_generate"][-1] - sum(parts[k][-1] for k in steps))
    out = {name: round(statistics.median(v), 1) for name, v in parts.items() if v}
    out["n"] = min(count, len(ids))
    print(f"{kind}, medians over {out['n']} cases: " + ", ".join(f"{k} {out[k]} ms" for k in (*steps, "rest"))
          + f"; document_generate {out['document_generate']} ms\n  (inside case_context: checklist {out.get('checklist', 0)} ms;"
          f" inside render_docx: opening the template {out['docx_open']} ms; rest: lock, version, store, log, commit)",
          flush=True)
    return out


def batch(court, actor, kind: str, size: int, rng: random.Random) -> dict:
    from zhixing.documents import services
    from zhixing.documents.models import GeneratedDocument

    ids = open_case_ids(court.pk, kind)
    chosen = sorted(rng.sample(ids, min(size, len(ids))))
    before = database_bytes()
    started = time.perf_counter()
    made = services.batch_create(actor=actor, court=court, kind=kind, case_ids=chosen,
                                 selection=f"benchmark: {len(chosen)} open cases", with_pdf=False, enqueue=False)
    create_seconds = time.perf_counter() - started
    started = time.perf_counter()
    made = services.batch_run(made.pk)
    seconds = time.perf_counter() - started
    growth = database_bytes() - before
    docx_bytes = sum(GeneratedDocument.objects.filter(batch=made).values_list("file__size", flat=True))
    result = {
        "kind": kind, "cases": len(chosen), "status": made.status, "made": made.done_count, "skipped": len(made.skipped),
        "create_seconds": round(create_seconds, 3), "run_seconds": round(seconds, 2),
        "documents_per_second": round(made.done_count / seconds, 1), "ms_per_document": round(seconds * 1000 / max(made.done_count, 1), 1),
        "docx_mb": round(docx_bytes / 1e6, 1), "database_growth_mb": round(growth / 1e6, 1),
    }
    # The goal is 1,000 in 60 s: a smaller batch is held to the same rate.
    result["met"] = seconds <= GOAL_BATCH_SECONDS * len(chosen) / GOAL_BATCH_SIZE and result["skipped"] == 0
    verdict = "ok" if result["met"] else f"MISSES {GOAL_BATCH_SECONDS} s per {GOAL_BATCH_SIZE:,}"
    print(f"batch {kind} × {len(chosen):,}: {seconds:.1f} s ({result['documents_per_second']} documents/s, "
          f"{result['ms_per_document']} ms each), {made.done_count:,} made, {len(made.skipped)} skipped; "
          f"DOCX {result['docx_mb']} MB, database +{result['database_growth_mb']} MB  {verdict}", flush=True)
    return result


def pdf_figures(made: dict[str, list[int]], count: int) -> dict:
    from zhixing.documents import pdf
    from zhixing.documents.models import GeneratedDocument

    if not pdf.pdf_available():
        print("PDF: LibreOffice (soffice) not installed — skipped", flush=True)
        return {"available": False}
    lists = list(made.values())  # round robin over the kinds made, until `count`
    ids = [docs[i] for i in range(max(map(len, lists))) for docs in lists if i < len(docs)][:count]
    blobs = [bytes(b) for b in GeneratedDocument.objects.filter(pk__in=ids).order_by("pk")
             .values_list("file__content", flat=True)]
    started = time.perf_counter()
    pdf.docx_to_pdf(blobs[0])
    one = time.perf_counter() - started
    started = time.perf_counter()
    pdfs = pdf.docx_to_pdf_many(blobs)
    many = time.perf_counter() - started
    result = {"available": True, "one_seconds": round(one, 2), "documents": len(blobs), "many_seconds": round(many, 2),
              "seconds_per_document": round(many / len(blobs), 3), "pdf_kb_mean": round(statistics.fmean(map(len, pdfs)) / 1024, 1)}
    print(f"PDF (LibreOffice, informational): 1 document {one:.2f} s; {len(blobs)} in one call {many:.2f} s "
          f"({result['seconds_per_document']:.3f} s each)", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--cases", type=int, default=100_000, help="demo size (a smaller one for a smoke run)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--per-kind", type=int, default=60, help="timed documents per kind (after 5 warm-up)")
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--batch", type=int, default=GOAL_BATCH_SIZE)
    parser.add_argument("--batch-kinds", default="enforcement_notice,zhongben_ruling")
    parser.add_argument("--pdf", type=int, default=20, help="documents converted in one LibreOffice call (0: skip)")
    args = parser.parse_args()

    cluster = None
    if args.database == "sqlite":
        folder, build = sqlite_copy(args.cases, args.seed)
        setup_django(var_dir=folder)
    else:
        cluster, url, build = postgres_database(args.cases, args.seed)
        setup_django(database_url=url)
    try:
        from django.core.management import call_command

        call_command("migrate", "--noinput", verbosity=0)
        report = measure(args, build)
    finally:
        if cluster is not None:
            cluster.stop()
    RESULTS.mkdir(exist_ok=True)
    written = RESULTS / f"documents-{args.database}.json"
    written.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(("goal met" if report["met"] else "GOAL MISSED: " + "; ".join(report["missed_goals"])) + f". Written: {written}",
          flush=True)


def measure(args, build: dict) -> dict:
    from zhixing.documents import services

    rng = random.Random(args.seed)
    synced = services.builtin_sync()
    court, actor, open_cases = busiest_court()
    print(f"{database_version()}: {args.cases:,} demo cases (seed {args.seed}); {court.name} ({open_cases:,} open cases) "
          f"as {actor.username} ({actor.get_role_display()}); goals: one document p95 ≤ {GOAL_ONE_P95_MS} ms, "
          f"{GOAL_BATCH_SIZE:,} DOCX ≤ {GOAL_BATCH_SECONDS} s\n", flush=True)
    kinds = [k for k in args.kinds.split(",") if k]
    rows, made = one_document(court, actor, kinds, args.per_kind, rng)
    steps = step_breakdown(court, actor, "zhongben_ruling", 20, rng) if "zhongben_ruling" in kinds else {}
    print(flush=True)
    batches = [batch(court, actor, kind, args.batch, rng) for kind in args.batch_kinds.split(",") if kind]
    print(flush=True)
    pdfs = pdf_figures(made, args.pdf) if args.pdf and made else {"available": None}
    missed = ([f"{r['kind']} p95 {r['p95_ms']} ms" for r in rows if not r["met"]]
              + [f"batch {b['kind']} × {b['cases']:,} {b['run_seconds']} s" for b in batches if not b["met"]])
    return {
        "run_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": database_version(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "demo": build,
        "builtin_templates_synced": synced,
        "court": {"id": court.pk, "name": court.name, "open_cases": open_cases},
        "actor": {"username": actor.username, "role": actor.role},
        "goals": {"one_document_p95_ms": GOAL_ONE_P95_MS, "batch_seconds": GOAL_BATCH_SECONDS, "batch_size": GOAL_BATCH_SIZE},
        "one_document": rows,
        "zhongben_ruling_steps_median_ms": steps,
        "batches": batches,
        "pdf": pdfs,
        "missed_goals": missed,
        "met": not missed,
    }


if __name__ == "__main__":
    main()
