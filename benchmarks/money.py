"""Case money at a province's scale: balance and aging reports over more than a million ledger postings.

    .venv/bin/python benchmarks/money.py [--database sqlite|postgres] [--runs 5] [--seed 7]

The data: the 100,000-case demo (built once by benchmarks/run.py's step, seed 1) gets two years of
case money, written straight into the ledger tables (bulk inserts: executemany on SQLite, COPY on
PostgreSQL) — one virtual account per case with money, the court's bank, suspense, fee and non-cash
accounts; receipts (some first unidentified in suspense, then assigned or returned), the enforcement
fee, payouts (most within days, some money held for months), transfers between cases and a few
reversals. Every journal balances, no account ever goes below zero, and the cached balances are the
sums of the postings: `ledger.verify` is run over the whole ledger before anything is timed.

Timed (each `--runs` times after a warm-up; p50 and max): `reports.balance_report` per court (the
high court's supervisor: all nine courts), per team and per case of the busiest court, daily and
monthly, as of today and as of half a year ago; `reports.aging_report` per court, team and case;
the case-level XLSX export and the report pages (informational). Goal: every report ≤ 5 s.
SQLite works on a copy in benchmarks/var/money-run/; PostgreSQL on a throwaway cluster.
Results: stdout and benchmarks/results/money-<database>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import heapq
import json
import os
import platform
import random
import shutil
import sqlite3
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from run import RESULTS, VAR, database_version, percentile, postgres_database, pristine_database, setup_django  # noqa: E402

GOAL_SECONDS = 5.0
HISTORY_DAYS = 730
MONEY_SHARE = 0.85  # cases that ever received money
HELD_SHARE = 0.12  # receipts whose money stays (deferral, distribution pending, applicant not collecting)
UNIDENTIFIED_SHARE = 0.04  # receipts that first land in suspense as 不明款
TRANSFER_SHARE = 0.02
REVERSAL_SHARE = 0.004


# ---------------------------------------------------------------- generating the ledger


class Ledger:
    """Journals, postings and receipts as rows, with the accounts' running balances."""

    def __init__(self, start_ids: dict[str, int]):
        self.next = dict(start_ids)
        self.journals: list[tuple] = []
        self.postings: list[tuple] = []
        self.receipts: list[tuple] = []
        self.balance: dict[int, int] = defaultdict(int)  # account → balance on its normal side
        self.normal: dict[int, int] = {}  # account → +1 debit-normal, −1 credit-normal
        self.case_of: dict[int, int | None] = {}

    def _id(self, table: str) -> int:
        self.next[table] += 1
        return self.next[table]

    def post(self, court_id: int, kind: str, case_id: int | None, day: dt.date, memo: str,
             lines: list[tuple[int, int]], reverses: int | None = None) -> int:
        assert sum(amount for _, amount in lines) == 0 and len(lines) == 2
        journal_id = self._id("journal")
        at = dt.datetime.combine(day, dt.time(10, 0), tzinfo=dt.UTC)
        self.journals.append((journal_id, court_id, kind, case_id, day, at, None, "基准数据", memo[:300], "", reverses, None))
        for account_id, amount in lines:
            self.postings.append((self._id("posting"), journal_id, account_id, court_id, self.case_of[account_id], amount, day))
            self.balance[account_id] += self.normal[account_id] * amount
            assert self.balance[account_id] >= 0, (account_id, self.balance[account_id])
        return journal_id


def generate(rng: random.Random, today: dt.date, start_ids: dict[str, int], assign_due) -> tuple[Ledger, dict]:
    """Two years of case money for the demo's cases, in ledger rows."""
    from zhixing.cases.models import EnforcementCase
    from zhixing.courts.models import Court
    from zhixing.money.ledger import sub_account_number
    from zhixing.money.rules import application_fee_fen

    first_day = today - dt.timedelta(days=HISTORY_DAYS)
    book = Ledger(start_ids)
    accounts: list[tuple] = []
    court_accounts: dict[int, dict[str, int]] = {}
    for court_id in Court.objects.order_by("pk").values_list("pk", flat=True):
        court_accounts[court_id] = {}
        for kind, name, normal in (("bank", "执行款专户", 1), ("suspense", "不明款", -1), ("fee", "执行费收入", -1),
                                   ("noncash", "非现金清偿", 1)):
            account_id = book._id("account")
            court_accounts[court_id][kind] = account_id
            book.normal[account_id], book.case_of[account_id] = normal, None
            accounts.append((account_id, court_id, kind, None, f"{kind.upper()}-{court_id}", name))
    cases = list(EnforcementCase.objects.order_by("pk").values_list("pk", "court_id", "filed_on", "claim_amount_fen",
                                                                      "case_number"))
    case_account: dict[int, int] = {}
    by_court: dict[int, list[int]] = defaultdict(list)
    for case_id, court_id, filed_on, _claim_fen, number in cases:
        if rng.random() >= MONEY_SHARE or filed_on + dt.timedelta(days=10) > today:
            continue
        account_id = book._id("account")
        case_account[case_id] = account_id
        book.normal[account_id], book.case_of[account_id] = -1, case_id
        accounts.append((account_id, court_id, "case", case_id, sub_account_number("9558", case_id), f"{number} 案款"))
        by_court[court_id].append(case_id)
    reference = 0
    # (day, order, seq, case, court, action, amount, extra): every case's events in one timeline, so that
    # no posting is dated before the money it moves arrived (a transfer's target, an assignment later)
    timeline: list[tuple] = []
    seq = 0
    for case_id, court_id, filed_on, claim_fen, _number in cases:
        if case_id not in case_account:
            continue
        for day, order, action, amount in _case_events(rng, today, max(filed_on + dt.timedelta(days=10), first_day), claim_fen):
            seq += 1
            timeline.append((day, order, seq, case_id, court_id, action, amount, None))
    heapq.heapify(timeline)

    def later(day: dt.date, order: int, case_id: int, court_id: int, action: str, amount: int, extra) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(timeline, (day, order, seq, case_id, court_id, action, amount, extra))

    fee_settled: dict[int, int] = defaultdict(int)
    received: dict[int, int] = defaultdict(int)
    counts: dict[str, int] = defaultdict(int)
    receipts: list[list] = []
    while timeline:
        day, _order, _seq, case_id, court_id, action, amount, extra = heapq.heappop(timeline)
        ledger_accounts = court_accounts[court_id]
        account = case_account[case_id]
        if action == "receipt":
            reference += 1
            ref = f"B{court_id:02d}{reference:09d}"
            unidentified = rng.random() < UNIDENTIFIED_SHARE
            target = ledger_accounts["suspense"] if unidentified else account
            journal = book.post(court_id, "receipt", None if unidentified else case_id, day,
                                "不明款" if unidentified else "主动履行",
                                [(ledger_accounts["bank"], amount), (target, -amount)])
            row = [court_id, None if unidentified else case_id, "voluntary", "unidentified" if unidentified else "booked",
                   amount, day, "被执行人", "6222000000000000", "", ref, "", assign_due(day) if unidentified else None,
                   journal, None, None, dt.datetime.combine(day, dt.time(10, 0), tzinfo=dt.UTC)]
            receipts.append(row)
            counts["receipts"] += 1
            if unidentified:
                settled_on = day + dt.timedelta(days=rng.choice((0, 1, 1, 2, 3, 5, 9)))
                if settled_on <= today:
                    later(settled_on, 0, case_id, court_id, "return" if rng.random() < 0.06 else "assign", amount, row)
                else:
                    counts["unidentified_waiting"] += 1
            else:
                received[case_id] += amount
                if rng.random() < REVERSAL_SHARE and day < today:
                    later(day + dt.timedelta(days=1), -1, case_id, court_id, "reverse", amount, row)
        elif action == "assign":
            extra[13] = book.post(court_id, "assign", case_id, day, "认领不明款",
                                  [(ledger_accounts["suspense"], amount), (account, -amount)])
            extra[1], extra[3] = case_id, "assigned"
            received[case_id] += amount
        elif action == "return":
            book.post(court_id, "return", None, day, f"退回不明款 付款人 R{extra[9]}",
                      [(ledger_accounts["suspense"], amount), (ledger_accounts["bank"], -amount)])
            extra[3] = "returned"
            counts["returned"] += 1
        elif action == "reverse":
            if book.balance[account] < amount:
                continue  # already paid out: a reversal would be refused
            book.post(court_id, "reversal", case_id, day, "冲正：错记", [(account, amount), (ledger_accounts["bank"], -amount)],
                      reverses=extra[12])
            extra[3] = "reversed"
            received[case_id] -= amount
            counts["reversals"] += 1
        elif action == "payout":
            available = book.balance[account]
            if available <= 0:
                continue
            fee = application_fee_fen(received[case_id]) - fee_settled[case_id]
            fee = min(max(fee, 0), available)
            if fee:
                book.post(court_id, "fee", case_id, day, "执行申请费", [(account, fee), (ledger_accounts["fee"], -fee)])
                fee_settled[case_id] += fee
                available -= fee
                counts["fees"] += 1
            parts = [available] if available < 200_00 or rng.random() < 0.8 else [available // 2, available - available // 2]
            for part in parts:
                if part:
                    book.post(court_id, "payout", case_id, day, "发放执行款", [(account, part), (ledger_accounts["bank"], -part)])
                    counts["payouts"] += 1
        elif action == "transfer":
            available = book.balance[account]
            targets = by_court[court_id]
            target = targets[rng.randrange(len(targets))]
            if available <= 0 or target == case_id:
                continue
            part = max(1, available // 3)
            book.post(court_id, "transfer", case_id, day, "划转至他案", [(account, part), (case_account[target], -part)])
            counts["transfers"] += 1
    book.receipts = [(book._id("receipt"), *row) for row in receipts]
    balances = {account_id: book.balance[account_id] for account_id in book.normal}
    return book, {"accounts": accounts, "balances": balances, "counts": dict(counts)}


def _case_events(rng: random.Random, today: dt.date, start: dt.date, claim_fen: int):
    """One case's receipts, payouts and transfers as (day, order, action, amount); a payout pays what is there."""
    events = []
    count = rng.choice((1, 1, 2, 2, 3, 3, 4, 5, 6, 8))
    span = max((today - start).days, 1)
    day = start + dt.timedelta(days=rng.randrange(min(span, 365)))
    for _ in range(count):
        if day > today:
            break
        amount = max(100_00, int(claim_fen * rng.uniform(0.03, 0.5)))
        amount = min(amount, 50_000_000_00)
        events.append((day, 0, "receipt", amount))
        if rng.random() >= HELD_SHARE:
            payout_day = day + dt.timedelta(days=rng.choice((2, 4, 6, 8, 9, 10, 12, 15, 20, 30, 45)))
            if payout_day <= today:
                events.append((payout_day, 2, "payout", 0))
        if rng.random() < TRANSFER_SHARE:
            events.append((day + dt.timedelta(days=1), 1, "transfer", 0))
        day += dt.timedelta(days=rng.randint(5, 120))
    return events


# ---------------------------------------------------------------- writing


def insert(connection, table: str, columns: list[str], rows: list[tuple]) -> None:
    if connection.vendor == "postgresql":
        raw = connection.connection  # psycopg 3: COPY is an order of magnitude faster than INSERTs
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"

    def stored(value):  # Django keeps SQLite timestamps as naive UTC text
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ") if isinstance(value, dt.datetime) else value

    with connection.cursor() as cursor:
        for start in range(0, len(rows), 20_000):
            cursor.executemany(sql, [tuple(stored(v) for v in row) for row in rows[start:start + 20_000]])


def write(connection, book: Ledger, extra: dict) -> None:
    from django.db import transaction
    from django.utils import timezone

    now = timezone.now()
    with transaction.atomic():
        insert(connection, "money_account", ["id", "court_id", "kind", "case_id", "number", "name", "balance_fen", "opened_at"],
               [(*row, extra["balances"][row[0]], now) for row in extra["accounts"]])
        insert(connection, "money_journal", ["id", "court_id", "kind", "case_id", "value_on", "posted_at", "actor_id",
                                             "actor_name", "memo", "reason", "reverses_id", "key"], book.journals)
        insert(connection, "money_posting", ["id", "journal_id", "account_id", "court_id", "case_id", "amount_fen",
                                             "value_on"], book.postings)
        insert(connection, "money_receipt", ["id", "court_id", "case_id", "channel", "status", "amount_fen", "received_on",
                                             "payer_name", "payer_account", "sub_account_number", "bank_reference", "note",
                                             "assign_due", "journal_id", "assign_journal_id", "created_by_id", "created_at"],
               book.receipts)
    if connection.vendor == "postgresql":
        for table in ("money_account", "money_journal", "money_posting", "money_receipt"):
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
        connection.connection.autocommit = True
        with connection.connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # statistics and the visibility map (index-only scans)
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


MONEY_TABLES = ("money_approval", "money_statementline", "money_statementimport", "money_payoutorder",
                "money_receipt", "money_posting", "money_journal", "money_account")


def clear_demo_money(connection) -> None:
    """The demo province comes with a few thousand cases' money of its own; the benchmark's copy starts
    the ledger afresh with its two years instead (a scratch copy: the append-only triggers are lifted
    for this clearing only, and put back)."""
    import importlib

    from django.db import transaction

    triggers = importlib.import_module("zhixing.money.migrations.0002_ledger_append_only")
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE " + ", ".join(MONEY_TABLES) + " CASCADE")  # row triggers do not fire
            return
        for sql in triggers.SQLITE_DROP:
            cursor.execute(sql)
        for table in MONEY_TABLES:
            cursor.execute(f"DELETE FROM {table}")
        for sql in triggers.SQLITE:
            cursor.execute(sql)


def build(connection, seed: int) -> dict:
    from django.db.models import Max
    from django.utils import timezone

    from zhixing.money import services
    from zhixing.money.models import Account, Journal, Receipt

    clear_demo_money(connection)
    today = timezone.localdate()
    start_ids = {"account": Account.objects.aggregate(m=Max("pk"))["m"] or 0,
                 "journal": Journal.objects.aggregate(m=Max("pk"))["m"] or 0, "posting": 0,
                 "receipt": Receipt.objects.aggregate(m=Max("pk"))["m"] or 0}
    started = time.monotonic()
    book, extra = generate(random.Random(seed), today, start_ids, services.assign_due)
    generated = time.monotonic() - started
    print(f"generated {len(book.postings):,} postings, {len(book.journals):,} journals, {len(book.receipts):,} receipts, "
          f"{len(extra['accounts']):,} accounts in {generated:.1f} s", flush=True)
    started = time.monotonic()
    write(connection, book, extra)
    written = time.monotonic() - started
    print(f"written in {written:.1f} s", flush=True)
    return {"postings": len(book.postings), "journals": len(book.journals), "receipts": len(book.receipts),
            "accounts": len(extra["accounts"]), "case_accounts": sum(1 for a in extra["accounts"] if a[2] == "case"),
            "held_accounts": sum(1 for a in extra["accounts"] if a[2] == "case" and extra["balances"][a[0]] > 0),
            "counts": extra["counts"], "generate_seconds": round(generated, 1), "write_seconds": round(written, 1),
            "first_day": (today - dt.timedelta(days=HISTORY_DAYS)).isoformat(), "today": today.isoformat()}


# ---------------------------------------------------------------- timing


def timed(call, runs: int) -> tuple[dict, object]:
    result = call()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    return {"runs": runs, "p50_s": round(percentile(times, 50), 3), "max_s": round(max(times), 3)}, result


def measure(runs: int) -> list[dict]:
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from zhixing.accounts.models import User
    from zhixing.money import exports, reports
    from zhixing.money.models import Posting

    today = timezone.localdate()
    busiest = Posting.objects.values("court_id").annotate(n=Count("pk")).order_by("-n").first()["court_id"]
    province = reports.ReportScope(court_ids=tuple(reports.Court.objects.order_by("court_code").values_list("pk", flat=True)))
    court = reports.ReportScope(court_ids=(busiest,))
    team_id = (reports.EnforcementCase.objects.filter(court_id=busiest, team__isnull=False).values("team_id")
               .annotate(n=Count("pk")).order_by("-n").first()["team_id"])
    team = reports.ReportScope(court_ids=(busiest,), team_id=team_id, team_only=True)
    rows = []

    def record(what: str, call, describe) -> object:
        figures, result = timed(call, runs)
        row = {"what": what, **figures, "result": describe(result)}
        verdict = "ok" if figures["max_s"] <= GOAL_SECONDS else f"MISSES {GOAL_SECONDS} s"
        print(f"{what:<58} p50 {figures['p50_s']:>6.2f} s  max {figures['max_s']:>6.2f} s  {row['result']}  {verdict}",
              flush=True)
        rows.append(row)
        return result

    def balance_text(report) -> str:
        return f"{len(report.rows)} rows, closing {report.total.closing_fen / 100:,.2f} yuan"

    def aging_text(report) -> str:
        return (f"{len(report.rows)} rows, held {report.total.total_fen / 100:,.2f} yuan, overdue "
                f"{report.total.overdue_fen / 100:,.2f}, unidentified {len(report.unidentified)}")

    half_year = today - dt.timedelta(days=182)
    for as_of, when in ((today, "today"), (half_year, "half a year ago")):
        for scope, who, levels in ((province, "9 courts", ("court",)), (court, "busiest court", ("court", "team", "case"))):
            for level in levels:
                for period in ("day", "month"):
                    record(f"balance · {level} · {period} · {who} · {when}",
                           lambda s=scope, lv=level, p=period, d=as_of: reports.balance_report(scope=s, level=lv, period=p, as_of=d),
                           balance_text)
        record(f"balance · case · month · one team (judge) · {when}",
               lambda d=as_of: reports.balance_report(scope=team, level="case", period="month", as_of=d), balance_text)
        for scope, who, levels in ((province, "9 courts", ("court",)), (court, "busiest court", ("court", "team", "case"))):
            for level in levels:
                record(f"aging · {level} · {who} · {when}",
                       lambda s=scope, lv=level, d=as_of: reports.aging_report(scope=s, level=lv, as_of=d), aging_text)
    report = reports.balance_report(scope=court, level="case", period="month", as_of=today)
    record("XLSX · balance · case · month · busiest court", lambda: exports.balance_report_xlsx(report),
           lambda data: f"{len(data) / 1e6:.1f} MB")
    aging = reports.aging_report(scope=court, level="case", as_of=today)
    record("XLSX · aging · case · busiest court", lambda: exports.aging_report_xlsx(aging), lambda data: f"{len(data) / 1e6:.1f} MB")
    head = User.objects.filter(court_id=busiest, role="bureau_head", is_active=True).order_by("pk").first()
    client = Client()
    client.force_login(head)
    for url in ("/money/reconciliation/balances/?level=case&period=month",
                "/money/reconciliation/balances/?level=team&period=day",
                "/money/reconciliation/aging/?level=case",
                "/money/reconciliation/aging/?level=court"):
        def get(u=url):
            response = client.get(u)
            if response.status_code != 200:
                raise SystemExit(f"GET {u} → {response.status_code}: {response.content[:300]!r}")
            return response
        record(f"page {url}", get, lambda r: f"{len(r.content) / 1e3:.0f} kB")
    return rows


# ---------------------------------------------------------------- main


def sqlite_copy() -> tuple[Path, dict]:
    pristine, build_info = pristine_database(100_000, 1)
    run = VAR / "money-run"
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir(parents=True)
    with sqlite3.connect(pristine) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy2(pristine, run / "zhixing.sqlite3")
    return run, build_info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    cluster = None
    if args.database == "sqlite":
        folder, demo = sqlite_copy()
        setup_django(var_dir=folder)
    else:
        cluster, url, demo = postgres_database(100_000, 1)
        setup_django(database_url=url)
    try:
        from django.core.management import call_command
        from django.db import connection

        from zhixing.money import ledger

        call_command("migrate", "--noinput", verbosity=0)
        data = build(connection, args.seed)
        started = time.monotonic()
        problems = ledger.verify()
        data["verify_seconds"] = round(time.monotonic() - started, 1)
        if problems:
            raise SystemExit(f"the generated ledger does not verify: {problems[:5]}")
        print(f"ledger.verify: balanced, every cached balance equals its postings ({data['verify_seconds']} s)", flush=True)
        rows = measure(args.runs)
        version = database_version()
    finally:
        if cluster is not None:
            cluster.stop()
    missed = [r["what"] for r in rows if r["what"].startswith(("balance", "aging")) and r["max_s"] > GOAL_SECONDS]
    report = {
        "run_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": version,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "demo": demo,
        "data": data,
        "goal_seconds": GOAL_SECONDS,
        "figures": rows,
        "missed_goals": missed,
    }
    RESULTS.mkdir(exist_ok=True)
    written = RESULTS / f"money-{args.database}.json"
    written.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(f"\n{len(missed)} report figure(s) miss the {GOAL_SECONDS} s goal. Written: {written}")


if __name__ == "__main__":
    main()
