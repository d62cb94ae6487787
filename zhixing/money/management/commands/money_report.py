"""`zhixing money-report balances|aging|reconciliation --court 京0108 [...] [--xlsx FILE]`: the money
reports from the command line (docs/money-reconciliation.md) — printed as a table, or written as the
same XLSX the pages offer. Run by the administrator: every court is readable."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zhixing.cases.exceptions import DomainError
from zhixing.cases.inputs import parse_date
from zhixing.cases.templatetags.money import fen_to_yuan_text
from zhixing.courts.models import Court, Team
from zhixing.money import exports, reconciliation, reports


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return parse_date(text)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc


class Command(BaseCommand):
    help = "Print or export the balance, aging or reconciliation report of one court (or every court)."

    def add_arguments(self, parser):
        parser.add_argument("report", choices=["balances", "aging", "reconciliation"])
        parser.add_argument("--court", help="法院代字（按团队、案件或对账时必填；不填：全部法院）")
        parser.add_argument("--team", help="团队名称（限该团队的案件）")
        parser.add_argument("--level", choices=list(reports.LEVELS), default="court")
        parser.add_argument("--period", choices=list(reports.PERIODS), default="day")
        parser.add_argument("--as-of", dest="as_of", help="截至日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--start", help="对账起始日期（默认最近一份对账单的期间）")
        parser.add_argument("--end", help="对账截止日期")
        parser.add_argument("--xlsx", type=Path, help="写入 XLSX 文件，而不是打印")

    def handle(self, report: str, court: str | None, team: str | None, level: str, period: str, as_of: str | None,
               start: str | None, end: str | None, xlsx: Path | None, **options):
        target = None
        if court:
            target = Court.objects.filter(court_code=court).first()
            if target is None:
                raise CommandError(f"没有法院代字为 {court} 的法院")
        team_id = None
        if team:
            if target is None:
                raise CommandError("按团队查看时须指定 --court")
            found = Team.objects.filter(court=target, name=team).first()
            if found is None:
                raise CommandError(f"{target.name}没有团队“{team}”")
            team_id = found.pk
        court_ids = (target.pk,) if target else tuple(Court.objects.order_by("court_code").values_list("pk", flat=True))
        scope = reports.ReportScope(court_ids=court_ids, team_id=team_id)
        try:
            if report == "balances":
                result = reports.balance_report(scope=scope, level=level, period=period, as_of=_date(as_of) or timezone.localdate())
                content = exports.balance_report_xlsx(result) if xlsx else None
                self._balances(result)
            elif report == "aging":
                result = reports.aging_report(scope=scope, level=level, as_of=_date(as_of) or timezone.localdate())
                content = exports.aging_report_xlsx(result) if xlsx else None
                self._aging(result)
            else:
                if target is None:
                    raise CommandError("对账须指定 --court")
                first, last = reconciliation.default_period(target)
                result = reconciliation.reconciliation_report(court=target, start=_date(start) or first, end=_date(end) or last)
                content = exports.reconciliation_xlsx(result) if xlsx else None
                self._reconciliation(result)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if xlsx:
            xlsx.write_bytes(content)
            self.stdout.write(f"已写入 {xlsx}")

    def _line(self, label: str, values: list[int]) -> None:
        self.stdout.write(f"{label[:30]:<30}" + "".join(f"{fen_to_yuan_text(v):>20}" for v in values))

    def _balances(self, result: reports.BalanceReport) -> None:
        self.stdout.write(result.title)
        self.stdout.write(f"{'':<30}" + "".join(f"{label:>18}" for _, label in reports.BALANCE_COLUMNS))
        for row in [*result.rows, result.total]:
            self._line(row.label, [getattr(row, name) for name, _ in reports.BALANCE_COLUMNS])

    def _aging(self, result: reports.AgingReport) -> None:
        self.stdout.write(result.title)
        self.stdout.write(f"{'':<30}" + "".join(f"{label:>18}" for label in [*reports.BUCKET_LABELS, "合计", "已超发放期限"]))
        for row in [*result.rows, result.total]:
            self._line(row.label, [*row.buckets, row.total_fen, row.overdue_fen])
        self.stdout.write(f"不明款待认领：{len(result.unidentified)} 笔，{fen_to_yuan_text(result.unidentified_total_fen)} 元，"
                          f"其中超期 {fen_to_yuan_text(result.unidentified_overdue_fen)} 元")

    def _reconciliation(self, result: reconciliation.Reconciliation) -> None:
        self.stdout.write(f"{result.court.name} 执行款专户对账 {result.start} 至 {result.end}："
                          f"{'账实相符' if result.balanced else '有待核对事项'}")
        self._line("收入（对账单 / 账务）", [result.statement_in_fen, result.ledger_in_fen])
        self._line("支出（对账单 / 账务）", [result.statement_out_fen, result.ledger_out_fen])
        if result.closing is not None:
            self._line(f"期末余额 {result.closing.day}", [result.closing.statement_fen, result.closing.ledger_fen,
                                                      result.closing.difference_fen])
        for line in result.unmatched_lines:
            self.stdout.write(f"对账单未匹配：{line.value_on} {line.bank_reference} {fen_to_yuan_text(line.amount_fen)} "
                              f"{line.counterparty_name} {line.note}")
        for m in result.movements:
            self.stdout.write(f"账务未见于对账单：{m.value_on} 凭证{m.journal_id} {m.kind_label} {fen_to_yuan_text(m.amount_fen)} "
                              f"{m.case_number} {m.reference}{'' if m.covered else '（该日对账单尚未导入）'}")
