"""`zhixing triage [--court 京0108] [--user U]`: re-triage every open case (of one court, or of all)
with the rules in force and today's facts. One line of summary. Idempotent: a second run changes
nothing; a judge's override is left as it is. Run it after changing a court's rules."""

from django.core.management.base import BaseCommand, CommandError

from zhixing.accounts.models import User
from zhixing.courts.models import Court
from zhixing.triage.services import retriage_court


class Command(BaseCommand):
    help = "繁简分流：按现行规则重新分流在办案件（法官改定的保持不变）"

    def add_arguments(self, parser):
        parser.add_argument("--court", metavar="CODE", help="法院代字，如 京0108（默认：全部法院）")
        parser.add_argument("--user", help="记入执行日志的操作人用户名（默认：系统）")

    def handle(self, *args, court=None, user=None, **options):
        target = None
        if court:
            target = Court.objects.filter(court_code=court).first()
            if target is None:
                raise CommandError(f"法院代字 {court} 不存在")
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"用户 {user} 不存在")
            if not actor.is_superuser and (target is None or actor.court_id != target.pk):
                raise CommandError("只有系统管理员或本院工作人员可以重新分流本院案件")
        result = retriage_court(court=target, actor=actor, why="按现行规则重新分流（zhixing triage）")
        self.stdout.write(("" if target is None else f"{target.name}：") + result.text)
