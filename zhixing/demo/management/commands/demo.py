import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zhixing.courts.models import Court
from zhixing.demo.builder import DatabaseNotEmpty, build_demo
from zhixing.demo.province import print_demo_logins


class ProgressBar:
    """A one-line text bar on stderr, redrawn after each chunk."""

    def __init__(self, stream, width: int = 30):
        self.stream = stream
        self.width = width
        self.started = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        filled = self.width * done // max(total, 1)
        bar = "#" * filled + "." * (self.width - filled)
        elapsed = time.monotonic() - self.started
        self.stream.write(f"\r生成演示案件 [{bar}] {done:,}/{total:,}  {elapsed:.0f} 秒", ending="")
        if done >= total:
            self.stream.write("")
        self.stream.flush()


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--today {text!r} 不是日期（YYYY-MM-DD）") from exc


class Command(BaseCommand):
    help = (
        "Build a demo province (浙: a high court, 2 intermediate and 6 basic courts, their teams and staff) "
        "with N cases into an EMPTY database, then print the demo logins. Same --seed and --today give the same data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=2000, help="how many cases (default 2000)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument("--today", help="YYYY-MM-DD: the day the demo is built as of (default: today in Beijing)")

    def handle(self, *args, cases: int, seed: int, today: str | None, **options):
        if cases < 0:
            raise CommandError("--cases 不能为负数")
        as_of = _date(today) if today else timezone.localdate()
        progress = ProgressBar(self.stderr) if cases else None
        try:
            result = build_demo(cases=cases, seed=seed, today=as_of, progress=progress)
        except DatabaseNotEmpty:
            raise CommandError(
                f"数据库中已有数据（{Court.objects.count()} 个法院），演示数据只写入空数据库，未做任何改动。"
                "请换一个新的空数据库（SQLite：另设 ZHIXING_VAR_DIR，或删除 var/zhixing.sqlite3）并 migrate 后重试。"
            ) from None
        rate = result.cases / result.seconds if result.seconds else 0
        self.stdout.write(
            f"已生成演示数据：{result.courts} 个法院，{result.users} 名用户，{result.cases:,} 件案件，"
            f"{result.log_entries:,} 条执行日志（{result.seconds:.1f} 秒，{rate:,.0f} 件/秒；seed {seed}，截至 {as_of}）。"
        )
        if result.cases:
            from zhixing.demo import supervision
            from zhixing.demo.property import build_property

            made = build_property(as_of)
            self.stdout.write(
                f"财产查控：{made['queries']:,} 条查询，{made['assets']:,} 项财产，{made['measures']:,} 项控制措施。"
            )
            from zhixing.demo.casemoney import money_summary

            self.stdout.write(money_summary())

            supervision.configure(as_of)
            self.stdout.write(supervision.nightly_runs(as_of, result.cases))
        if result.unloaded_years:
            years = "、".join(str(y) for y in result.unloaded_years)
            self.stderr.write(f"注意：{years} 年的节假日尚未载入，相关期限按周一至周五计算（zhixing load-holidays）。")
        print_demo_logins(self.stdout)
