"""`zhixing indicators snapshot [--period P …] [--as-of DATE]` — nightly: keep the running month,
quarter and year (and the last ones until final, and any missing month of the last two years);
`zhixing indicators recompute --period P … --reason "…"` — replace kept figures after a correction.

Periods: 2026 · 2026Q1 · 2026-03. Idempotent: a second run the same day writes the same figures.
Run nightly after `zhixing supervise` (the statutory-period deadlines it stores count in 法定期限内结案率).
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from zhixing.accounts.models import User
from zhixing.cases.exceptions import ValidationFailed
from zhixing.indicators import snapshots
from zhixing.indicators.periods import parse_period


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--as-of {text}：应为 YYYY-MM-DD") from exc


class Command(BaseCommand):
    help = "质效指标快照：snapshot（每日）或 recompute（重新计算，须写明理由）"

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True, metavar="snapshot|recompute")
        for name, text in (("snapshot", "保存当期（及缺失期间）的指标快照"), ("recompute", "重新计算指定期间，替换已保存的快照")):
            sub = commands.add_parser(name, help=text)
            sub.add_argument("--period", action="append", default=[], help="期间：2026、2026Q1、2026-03（可重复）")
            sub.add_argument("--as-of", help="数据截至日期（默认今天，北京时间）")
            sub.add_argument("--user", help="操作人用户名（记入运行记录）")
            if name == "recompute":
                sub.add_argument("--reason", default="", help="重新计算的理由")

    def handle(self, *args, **options):
        as_of = _date(options["as_of"]) if options.get("as_of") else None
        actor = None
        if options.get("user"):
            actor = User.objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"用户 {options['user']} 不存在")
        try:
            chosen = [parse_period(text) for text in options["period"]]
            if options["action"] == "snapshot":
                run, results = snapshots.snapshot(as_of=as_of, chosen=chosen or None, actor=actor)
            else:
                run, results = snapshots.recompute(chosen=chosen, reason=options.get("reason", ""), as_of=as_of,
                                                   actor=actor)
        except ValidationFailed as exc:
            raise CommandError(exc.message) from exc
        for result in results:
            if result.skipped:
                self.stdout.write(f"{result.period.key}：已定稿，跳过")
            else:
                self.stdout.write(f"{result.period.key}：{result.written} 行，变化 {result.changed} 行，"
                                  f"{result.seconds:.1f} 秒")
        written = [r for r in results if not r.skipped]
        self.stdout.write(self.style.SUCCESS(
            f"指标快照（截至 {run.as_of}）：写入 {len(written)} 个期间 {run.rows} 行，数值变化 {run.changed} 行，"
            f"跳过已定稿 {len(results) - len(written)} 个期间"))
