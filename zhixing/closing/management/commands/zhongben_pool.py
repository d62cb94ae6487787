"""`zhixing zhongben-pool --court 京0108 --user U [--as-of DATE]`: the 终本 pool's nightly run — enter
new 终本 cases, send the re-queries that are due (法〔2016〕373号 Art. 9: every 6 months for 5 years),
and propose restoration where property appeared. Idempotent: a second run the same day sends nothing.

cron (after `zhixing supervise`): `45 1 * * * zhixing zhongben-pool --court 京0108 --user pool-bot`.
"""

from django.core.management.base import BaseCommand, CommandError

from zhixing.cases.exceptions import DomainError
from zhixing.closing.pool import pool_run

from ._common import actor_of, date_arg


class Command(BaseCommand):
    help = "终本案件库：定期网络查询、新发现财产生成恢复执行建议（每晚运行，可重复运行）"

    def add_arguments(self, parser):
        parser.add_argument("--court", required=True, metavar="CODE", help="法院代字，如 京0108")
        parser.add_argument("--user", required=True, help="发起查询的用户名（本院书记员、法官助理、法官或指挥中心）")
        parser.add_argument("--as-of", help="基准日 YYYY-MM-DD（默认今天，北京时间）")

    def handle(self, *args, court: str, user: str, as_of=None, **options):
        actor = actor_of(user, court)
        try:
            result = pool_run(actor=actor, as_of=date_arg(as_of, "--as-of"))
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        for number in result.batches:
            self.stdout.write(number)
        self.stdout.write(result.summary)
