"""集约查控 at court scale: sending every network item for every open case of the demo's busiest court,
then importing a reply file of 200,000 rows.

    .venv/bin/python benchmarks/replies.py [--database sqlite|postgres] [--rows 200000]

The data: the 100,000-case demo (built once by benchmarks/run.py's step, seed 1). Its busiest court's
open cases (about 10,000, 16,000 respondents) get every network item of the checklist through
`queries.batch_send` — the figure of the send — and the agencies' reply file is generated from the
queries sent: about two thirds "无", the rest found with one to three assets each, over every asset
kind, until there are `--rows` rows. The import (`replies.reply_import`) is timed, then the same file
again (must change nothing). Goal: the import ≤ 60 s. SQLite works on a fresh copy of the demo in
benchmarks/var/replies-run/; PostgreSQL on a throwaway cluster.
Results: stdout and benchmarks/results/replies-<database>.json.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
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

from run import RESULTS, VAR, database_version, postgres_database, pristine_database, setup_django  # noqa: E402

GOAL_SECONDS = 60
HEADER = ["查询序号", "证件号码", "姓名/名称", "查控事项", "财产类别", "结果", "反馈日期"]


def sqlite_copy() -> tuple[Path, dict]:
    pristine, build = pristine_database(100_000, 1)
    run = VAR / "replies-run"
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir(parents=True)
    with sqlite3.connect(pristine) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy2(pristine, run / "zhixing.sqlite3")
    return run, build


def asset_values(kind_code: str, n: int, rng: random.Random) -> dict[str, str]:
    """Plausible field values (by Chinese label) for the n-th asset found."""
    yuan = f"{rng.randint(0, 5_000_000)}.{rng.randint(0, 99):02d}"
    return {
        "bank_deposit": {"开户行": rng.choice(["中国工商银行杭州分行", "中国建设银行西湖支行", "招商银行杭州分行"]),
                         "账号": f"6222{n:012d}", "余额（元）": yuan},
        "payment_account": {"支付机构": rng.choice(["支付宝（中国）网络技术有限公司", "财付通支付科技有限公司"]),
                            "账户": f"pay{n:010d}", "余额（元）": yuan},
        "securities": {"证券公司": "某某证券股份有限公司", "证券账户": f"A{n:09d}", "市值（元）": yuan},
        "real_estate": {"不动产权证号": f"浙(2020)杭州市不动产权第{n:07d}号", "坐落": f"杭州市西湖区某路{n % 999 + 1}号",
                        "面积（平方米）": f"{rng.randint(30, 200)}.{rng.randint(0, 99):02d}", "份额": "全部"},
        "vehicle": {"号牌": f"浙A{n % 100000:05d}", "车辆识别代号": f"LSV{n:014d}", "品牌型号": "大众牌SVW7"},
        "equity": {"公司名称": f"杭州某某科技有限公司{n}", "公司统一社会信用代码": f"91330106{n:010d}",
                   "持股比例": f"{rng.randint(1, 100)}%", "认缴出资（元）": yuan},
        "provident_fund": {"公积金中心": "杭州住房公积金管理中心", "个人账号": f"GJJ{n:09d}", "余额（元）": yuan},
        "insurance": {"保险公司": "中国人寿保险股份有限公司", "保单号": f"P{n:012d}", "现金价值（元）": yuan},
    }[kind_code]


def reply_file(rows_wanted: int, replied_on: dt.date, seed: int = 1) -> tuple[bytes, dict]:
    """The agencies' answers to the queries sent, as one CSV of `rows_wanted` rows."""
    from zhixing.property.models import PropertyQuery, QueryState
    from zhixing.property.rules import ASSET_KINDS, CHECKLIST_BY_CODE

    rng = random.Random(seed)
    labels = sorted({f.label for k in ASSET_KINDS.values() for f in k.fields})
    queries = list(PropertyQuery.objects.filter(state=QueryState.SENT).order_by("pk")
                   .values_list("pk", "identity_number", "name", "item_code"))
    if not queries:
        raise SystemExit("no queries were sent")
    # found with 1–3 assets (one extra row on average); enough found queries to reach the rows wanted
    with_kinds = sum(1 for q in queries if CHECKLIST_BY_CODE[q[3]].asset_kinds)
    found_share = min(1.0, max(0.0, 1.1 * (rows_wanted - len(queries)) / max(with_kinds, 1)))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER + labels)
    rows = found = assets = 0
    n = 0
    for pk, identity, name, item_code in queries:
        if rows >= rows_wanted:
            break
        kinds = CHECKLIST_BY_CODE[item_code].asset_kinds
        if kinds and rng.random() < found_share:
            count = min(rng.choice((1, 2, 2, 3)), rows_wanted - rows)
            found += 1
            for _ in range(count):
                n += 1
                values = asset_values(kinds[0], n, rng)
                writer.writerow([pk, identity, name, "", ASSET_KINDS[kinds[0]].name, "有", replied_on.isoformat()]
                                + [values.get(label, "") for label in labels])
                rows += 1
                assets += 1
        else:
            writer.writerow([pk, identity, name, "", "", "无", replied_on.isoformat()] + [""] * len(labels))
            rows += 1
    return out.getvalue().encode("utf-8-sig"), {"rows": rows, "queries_answered": min(len(queries), rows),
                                                "found_queries": found, "asset_rows": assets}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()

    cluster = None
    if args.database == "sqlite":
        folder, build = sqlite_copy()
        setup_django(var_dir=folder)
    else:
        cluster, url, build = postgres_database(100_000, 1)
        folder = VAR / "replies-run"
        folder.mkdir(parents=True, exist_ok=True)
        setup_django(database_url=url)
    try:
        from django.conf import settings
        from django.core.management import call_command
        from django.db.models import Count
        from django.utils import timezone

        settings.PROPERTY_EXCHANGE_DIR = folder / "exchange"
        call_command("migrate", "--noinput", verbosity=0)
        report = measure(args, folder, build, Count, timezone)
    finally:
        if cluster is not None:
            cluster.stop()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"replies-{args.database}.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))


def measure(args, folder: Path, build: dict, Count, timezone) -> dict:  # noqa: N803 - Django names passed in
    from zhixing.accounts.choices import Role
    from zhixing.accounts.models import User
    from zhixing.cases.choices import CaseStatus
    from zhixing.cases.models import EnforcementCase
    from zhixing.property.checklist import network_items
    from zhixing.property.models import Asset, CaseAsset, PropertyQuery
    from zhixing.property.queries import batch_send
    from zhixing.property.replies import reply_import

    busiest = (EnforcementCase.objects.filter(status=CaseStatus.OPEN).values("court_id")
               .annotate(n=Count("pk")).order_by("-n").first())
    court_id = busiest["court_id"]
    actor = User.objects.filter(court_id=court_id, role=Role.CLERK, is_active=True).order_by("pk").first()
    items = [i.code for i in network_items(court_id)]
    cases = EnforcementCase.objects.filter(court_id=court_id)
    print(f"Sending {len(items)} items for {busiest['n']:,} open cases of court {court_id} as {actor.username} …",
          flush=True)
    started = time.monotonic()
    sent = batch_send(actor=actor, cases=cases, item_codes=items)
    send_seconds = time.monotonic() - started
    print(f"send: {sent.message.split('；')[0]} in {send_seconds:.1f} s", flush=True)

    today = timezone.localdate()
    content, shape = reply_file(args.rows, today)
    path = folder / "reply.csv"
    path.write_bytes(content)
    print(f"reply file: {shape['rows']:,} rows ({len(content) / 1e6:.1f} MB), {shape['found_queries']:,} queries "
          f"with {shape['asset_rows']:,} assets found", flush=True)
    started = time.monotonic()
    result = reply_import(actor=actor, file_name=path.name, content=content)
    import_seconds = time.monotonic() - started
    print(f"import: {result.message} in {import_seconds:.1f} s", flush=True)
    started = time.monotonic()
    again = reply_import(actor=actor, file_name=path.name, content=content)
    again_seconds = time.monotonic() - started
    assert again.already_imported
    print(f"the same file again: {again_seconds:.2f} s ({again.message})", flush=True)
    report = {
        "run_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": database_version(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "build": build,
        "send": {"court_id": court_id, "items": items, "open_cases": busiest["n"], "cases": sent.cases,
                 "queries": sent.queries, "batches": len(sent.batches), "skipped": len(sent.skipped),
                 "seconds": round(send_seconds, 1)},
        "reply_file": {**shape, "bytes": len(content)},
        "import": {"seconds": round(import_seconds, 1), "rows_per_second": round(shape["rows"] / import_seconds),
                   "queries_answered": result.queries_answered, "assets_found": result.assets_found,
                   "assets_created": result.assets_created, "cases": result.cases},
        "same_file_again_seconds": round(again_seconds, 2),
        "stored": {"queries": PropertyQuery.objects.count(), "assets": Asset.objects.count(),
                   "case_assets": CaseAsset.objects.count()},
        "goal": {"import_seconds": GOAL_SECONDS},
        "met": import_seconds <= GOAL_SECONDS,
    }
    print("goal met" if report["met"] else "GOAL MISSED", flush=True)
    return report


if __name__ == "__main__":
    main()
