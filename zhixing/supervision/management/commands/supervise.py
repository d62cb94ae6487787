"""`zhixing supervise [--as-of DATE]`: recompute every deadline, warning, escalation and lock.

Run it nightly (cron: `30 1 * * * zhixing supervise`, or the systemd timer in docs/operations.md).
It is idempotent: a second run with the same date changes nothing and says so.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from zhixing.supervision.engine import supervise


class Command(BaseCommand):
    help = "督办：重算全部在办和待归档案件的期限、预警、升级督办和程序锁死"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="基准日 YYYY-MM-DD（默认今天，北京时间）")

    def handle(self, *args, as_of=None, **options):
        day = None
        if as_of:
            try:
                day = dt.date.fromisoformat(as_of)
            except ValueError as exc:
                raise CommandError(f"--as-of {as_of!r} 不是有效日期（YYYY-MM-DD）") from exc
        result = supervise(as_of=day)
        self.stdout.write(result.summary)
        if options.get("verbosity", 1) >= 2:
            self.stdout.write("各步用时（秒）：" + "，".join(f"{step} {seconds:.1f}" for step, seconds in result.steps.items()))
