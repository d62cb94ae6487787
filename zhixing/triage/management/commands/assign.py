"""`zhixing assign --auto --court 京0108 --user U [--dry-run] [--limit N]`: 一键分案 from the command
line — every unassigned open case of the court, most urgent deadline first, to the least-loaded
judge of a team of its track, through the same service as the page (each case logged). Idempotent:
a case assigned meanwhile is left alone; a second run finds nothing to do."""

from django.core.management.base import BaseCommand, CommandError

from zhixing.accounts.models import User
from zhixing.cases.exceptions import DomainError
from zhixing.courts.models import Court
from zhixing.triage import assignment, selectors


class Command(BaseCommand):
    help = "分案：按繁简分流与承办负荷自动分配本院未分案案件"

    def add_arguments(self, parser):
        parser.add_argument("--auto", action="store_true", help="自动分案（必填，以免误操作）")
        parser.add_argument("--court", required=True, metavar="CODE", help="法院代字，如 京0108")
        parser.add_argument("--user", required=True, help="分案人的用户名（本院执行局长、指挥中心等）")
        parser.add_argument("--dry-run", action="store_true", help="只列出建议，不分案")
        parser.add_argument("--limit", type=int, help="最多分案件数")

    def handle(self, *args, auto, court, user, dry_run, limit, **options):
        if not auto:
            raise CommandError("请加 --auto：按分流与负荷自动分案")
        target = Court.objects.filter(court_code=court).first()
        if target is None:
            raise CommandError(f"法院代字 {court} 不存在")
        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"用户 {user} 不存在")
        if dry_run:
            cases = selectors.unassigned_cases(court_id=target.pk)
            cases = list(cases[:limit] if limit else cases)
            for p in assignment.preview(target, cases):
                self.stdout.write(f"{p.case_number}\t{p.text}")
            self.stdout.write(f"{target.name}：未分案 {len(cases)} 件（预览，未分案）")
            return
        try:
            result = assignment.assign_auto(actor=actor, court=target, limit=limit)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{target.name}：{result.text}")
