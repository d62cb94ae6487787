"""`zhixing import-statement FILE --court 京0108 --user USERNAME`: import a bank statement of the court's
enforcement account (docs/money-reconciliation.md) — all or nothing, once per file and once per bank
reference; the same service as the page and the API."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhixing.accounts.models import User
from zhixing.cases.exceptions import DomainError, ValidationFailed
from zhixing.courts.models import Court
from zhixing.money.statements import statement_import


class Command(BaseCommand):
    help = "Import a bank statement of the enforcement account (CSV or XLSX): all or nothing, only once per line."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV（UTF-8 或 GB18030）或 XLSX 文件")
        parser.add_argument("--court", required=True, help="法院代字，如 京0108")
        parser.add_argument("--user", required=True, help="导入人（案款管理人员）的用户名")

    def handle(self, file: Path, court: str, user: str, **options):
        target = Court.objects.filter(court_code=court).first()
        if target is None:
            raise CommandError(f"没有法院代字为 {court} 的法院")
        try:
            actor = User.objects.select_related("court").get(username=user, is_active=True)
        except User.DoesNotExist as exc:
            raise CommandError(f"用户 {user} 不存在") from exc
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取 {file}：{exc.strerror}") from exc
        try:
            result = statement_import(actor=actor, court_id=target.pk, file_name=file.name, content=content)
        except ValidationFailed as exc:
            for error in exc.errors:
                self.stderr.write(str(error))  # 第N行 列名：原因
            raise CommandError(f"{file.name}：{exc.message}") from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(result.message)
        for warning in result.warnings:
            self.stdout.write(f"提示：{warning}")
