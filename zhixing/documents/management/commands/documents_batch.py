"""`zhixing documents-batch --court 京0108 --kind enforcement_notice --filed-on 2026-11-25 --user U
[--pdf] [--zip out.zip]`: the day's notices from the command line (e.g. every evening, by cron), through
the same batch service as the page — the batch and its documents are recorded and logged the same way."""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhixing.accounts.models import User
from zhixing.cases.choices import CaseStatus
from zhixing.cases.exceptions import DomainError
from zhixing.courts.models import Court
from zhixing.documents import services
from zhixing.documents.rules import DOCUMENT_KINDS


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"{text!r} 不是日期（应为 YYYY-MM-DD）") from exc


class Command(BaseCommand):
    help = "Generate one document for every case of a court filed on a day or in a range (a batch)."

    def add_arguments(self, parser):
        parser.add_argument("--court", required=True, metavar="CODE", help="法院代字，如 京0108")
        parser.add_argument("--kind", required=True, choices=sorted(DOCUMENT_KINDS), help="文书代码")
        parser.add_argument("--filed-on", metavar="DATE", help="立案日期（YYYY-MM-DD）")
        parser.add_argument("--filed-from", metavar="DATE")
        parser.add_argument("--filed-to", metavar="DATE")
        parser.add_argument("--open-only", action="store_true", help="只含在办案件")
        parser.add_argument("--user", required=True, help="发起人的用户名（本院工作人员）")
        parser.add_argument("--pdf", action="store_true", help="同时生成 PDF（需安装 LibreOffice）")
        parser.add_argument("--zip", metavar="FILE", help="把生成的文书写入此 zip 文件")

    def handle(self, *args, court, kind, filed_on, filed_from, filed_to, open_only, user, pdf, zip, **options):
        try:
            actor = User.objects.select_related("court").get(username=user, is_active=True)
        except User.DoesNotExist as exc:
            raise CommandError(f"用户 {user} 不存在") from exc
        target = Court.objects.filter(court_code=court).first()
        if target is None:
            raise CommandError(f"法院代字 {court} 不存在")
        if filed_on:
            start = end = _date(filed_on)
        elif filed_from or filed_to:
            start, end = _date(filed_from or filed_to), _date(filed_to or filed_from)
        else:
            raise CommandError("请给出 --filed-on，或 --filed-from / --filed-to")
        case_ids = services.selected_case_ids(target, filed_from=start, filed_to=end,
                                              status=CaseStatus.OPEN if open_only else "")
        selection = f"立案日期 {start:%Y-%m-%d} 至 {end:%Y-%m-%d}" + ("，在办" if open_only else "") + "（命令行）"
        try:  # run here, with progress, rather than through the background queue
            batch = services.batch_create(actor=actor, court=target, kind=kind, case_ids=case_ids,
                                          selection=selection, with_pdf=pdf, enqueue=False)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"批次 #{batch.pk}：{DOCUMENT_KINDS[kind].title} × {batch.total} 件 …")
        batch = services.batch_run(batch.pk)
        self.stdout.write(f"已生成 {batch.done_count} 份，未生成 {len(batch.skipped)} 件")
        for skipped in batch.skipped[:20]:
            self.stdout.write(f"  {skipped['case']}：{skipped['reason']}")
        if zip:
            with Path(zip).open("wb") as target_file:
                services.write_zip(batch, target_file)
            self.stdout.write(f"已写入 {zip}")
