"""`zhixing import-cases FILE --user USERNAME`: 批量导入 from the command line, the same service as the API."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhixing.accounts.models import User
from zhixing.cases.exceptions import DomainError, ValidationFailed
from zhixing.cases.imports import cases_import


class Command(BaseCommand):
    help = "Import cases from a CSV or XLSX file (docs/import.md): all or nothing, and only once per file."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV（UTF-8 或 GB18030）或 XLSX 文件")
        parser.add_argument("--user", required=True, help="导入人的用户名（须有立案权限）")

    def handle(self, file: Path, user: str, **options):
        try:
            actor = User.objects.select_related("court").get(username=user, is_active=True)
        except User.DoesNotExist as exc:
            raise CommandError(f"用户 {user} 不存在") from exc
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取 {file}：{exc.strerror}") from exc
        try:
            result = cases_import(actor=actor, file_name=file.name, content=content)
        except ValidationFailed as exc:
            for error in exc.errors:
                self.stderr.write(str(error))  # 第N行 列名：原因
            raise CommandError(f"{file.name}：共{len(exc.errors)}处错误，未导入任何案件。") from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(result.message)
