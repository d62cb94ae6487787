from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from zhixing.cases.log import verify_log
from zhixing.cases.models import EnforcementCase, LogEntry
from zhixing.courts.models import Court


class Command(BaseCommand):
    help = (
        "Check every case's execution log (执行日志) hash chain. Prints each broken case (案号, entry seq, "
        "problem) and exits 1 if any; otherwise prints how many entries and cases were verified."
    )

    def add_arguments(self, parser):
        parser.add_argument("--court", metavar="CODE", help="only this court's cases (法院代字, e.g. 浙0106)")

    def handle(self, *args, court: str | None, **options):
        court_ids = None
        entries = LogEntry.objects.all()
        cases = EnforcementCase.objects.all()
        if court:
            found = Court.objects.filter(court_code=court).first()
            if found is None:
                raise CommandError(f"法院代字 {court} 不存在")
            court_ids = [found.pk]
            entries, cases = entries.filter(court_id=found.pk), cases.filter(court_id=found.pk)
        breaks = verify_log(court_ids=court_ids)
        # A case without any entry has lost its whole log (the chain cannot tell that by itself).
        empty = list(cases.filter(log_entries__isnull=True).values_list("case_number", flat=True).order_by("pk"))
        for item in breaks:
            self.stdout.write(f"{item.case_number}\t第{item.seq}条\t{item.problem}")
        for number in empty:
            self.stdout.write(f"{number}\t—\t没有任何执行日志")
        totals = entries.aggregate(entries=Count("id"), cases=Count("case_id", distinct=True))
        if breaks or empty:
            raise CommandError(
                f"{len(breaks) + len(empty)} 个案件的执行日志不完整或被改动（共核验 {totals['entries']:,} 条日志）。",
                returncode=1,
            )
        scope = f"{court} " if court else ""
        self.stdout.write(f"{scope}执行日志完整：已核验 {totals['entries']:,} 条日志，{totals['cases']:,} 个案件，未发现断链。")
