"""`zhixing relate [--court CODE]`: detect related open cases and store them as bundles (关联案件, 捆绑执行).

Run it nightly after `zhixing supervise` (cron: `45 1 * * * zhixing relate`). Without --court every
court and every intermediate court's cross-court scope; with --court the scopes of that court and of
the courts below it. Idempotent: a second run changes nothing and says so.
"""

from django.core.management.base import BaseCommand, CommandError

from zhixing.bundles.detection import relate
from zhixing.courts.models import Court


class Command(BaseCommand):
    help = "关联案件检测：同一被执行人、同一申请执行人、同一执行标的物、互为申请人与被执行人的在办案件分组"

    def add_arguments(self, parser):
        parser.add_argument("--court", help="法院代字（如 京0108；中院代字则含其辖区各院及跨院关联）")

    def handle(self, *args, court=None, **options):
        scope = None
        if court:
            scope = Court.objects.filter(court_code=court.strip()).first()
            if scope is None:
                raise CommandError(f"--court {court!r}：没有这个法院代字")
        result = relate(court=scope)
        self.stdout.write(result.summary)
        if options.get("verbosity", 1) >= 2:
            self.stdout.write("各步用时（秒）：" + "，".join(f"{step} {seconds:.1f}" for step, seconds in result.steps.items()))
