"""`zhixing import-replies FILE --user USERNAME [--batch NUMBER]`: import an agency's reply file
(docs/property-replies.md), all or nothing and only once per file — the same service as the page."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhixing.accounts.models import User
from zhixing.cases.exceptions import DomainError, ValidationFailed
from zhixing.property.models import QueryBatch
from zhixing.property.replies import reply_import


class Command(BaseCommand):
    help = "Import a network-query reply file (CSV or XLSX): all or nothing, and only once per file."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV（UTF-8 或 GB18030）或 XLSX 文件")
        parser.add_argument("--user", required=True, help="导入人的用户名")
        parser.add_argument("--batch", metavar="NUMBER", help="只与此批次的查询匹配（批次号）")

    def handle(self, file: Path, user: str, batch: str | None, **options):
        try:
            actor = User.objects.select_related("court").get(username=user, is_active=True)
        except User.DoesNotExist as exc:
            raise CommandError(f"用户 {user} 不存在") from exc
        query_batch = None
        if batch:
            query_batch = QueryBatch.objects.filter(number=batch, court_id=actor.court_id).first()
            if query_batch is None:
                raise CommandError(f"本院没有批次 {batch}")
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取 {file}：{exc.strerror}") from exc
        try:
            result = reply_import(actor=actor, file_name=file.name, content=content, batch=query_batch)
        except ValidationFailed as exc:
            for error in exc.errors:
                self.stderr.write(str(error))  # 第N行 列名：原因
            raise CommandError(f"{file.name}：{exc.message}") from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(result.message)
