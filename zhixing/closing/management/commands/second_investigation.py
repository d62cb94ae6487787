"""`zhixing second-investigation --court 京0108 --user U [--dry-run]`: 二次财产调查 — a second round of
the five network queries for the court's open cases older than 2.5 months with no property found
(seed 001 case 1). Idempotent the same day; run it each morning after `zhongben-pool`."""

from django.core.management.base import BaseCommand, CommandError

from zhixing.cases.exceptions import DomainError
from zhixing.closing.investigation import cases_due, second_investigation_start

from ._common import actor_of, date_arg


class Command(BaseCommand):
    help = "二次财产调查：在办超过2.5个月且未发现财产的案件再次发起网络查控"

    def add_arguments(self, parser):
        parser.add_argument("--court", required=True, metavar="CODE")
        parser.add_argument("--user", required=True, help="发起人的用户名（本院书记员、法官助理、法官或指挥中心）")
        parser.add_argument("--as-of", help="基准日 YYYY-MM-DD（默认今天）")
        parser.add_argument("--dry-run", action="store_true", help="只列出应二次调查的案件，不发送")

    def handle(self, *args, court: str, user: str, as_of=None, dry_run=False, **options):
        actor = actor_of(user, court)
        day = date_arg(as_of, "--as-of")
        if dry_run:
            due = cases_due(court_ids=[actor.court_id], as_of=day)
            for case in due[:200]:
                self.stdout.write(f"{case.case_number}\t立案 {case.filed_on}\t查询节点 {case.query_nodes}")
            self.stdout.write(f"应二次财产调查 {due.count()} 件（未发送）")
            return
        try:
            result = second_investigation_start(actor=actor, as_of=day)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        for number in result.batches:
            self.stdout.write(number)
        self.stdout.write(result.message)
