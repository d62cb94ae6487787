"""Exports of the indicator views: XLSX of any view (openpyxl, write-only; numerators and denominators
as integers, money in yuan as exact decimals, rates as the figures shown). The printable report's PDF is
documents.pdf.html_to_pdf (headless Chromium), the one place that runs a PDF program.
"""

from __future__ import annotations

import io
from decimal import Decimal

from zhixing.money.exports import yuan  # integer fen → exact yuan, the one conversion for spreadsheets

from .choices import Level
from .engine import Figure
from .rules import INDICATOR_LIST, Indicator

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_DRILL_ROWS = 200_000  # an export of a drill-down list stops here (and says so in its last row)


def shown(figure: Figure | None) -> Decimal | None:
    """The value as the pages show it: two decimals."""
    if figure is None or figure.value is None:
        return None
    return figure.value.quantize(Decimal("0.01"))


def part_value(indicator: Indicator, amount: int):
    """A numerator or denominator as the clerk reads it: money in yuan, everything else as counted."""
    money = indicator.numerator.total.endswith("_fen")
    return yuan(amount) if money else amount


class Book:
    def __init__(self):
        from openpyxl import Workbook

        self.book = Workbook(write_only=True)

    def sheet(self, title: str, heading: str, headers: list[str], notes: list[str] = ()):
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        sheet = self.book.create_sheet(title=title[:31])
        for index, text in enumerate(headers):
            sheet.column_dimensions[get_column_letter(index + 1)].width = max(10, min(48, len(str(text)) * 2 + 4))
        cell = WriteOnlyCell(sheet, value=heading)
        cell.font = Font(bold=True, size=13)
        sheet.append([cell])
        for note in notes:
            sheet.append([note])
        bold = []
        for text in headers:
            cell = WriteOnlyCell(sheet, value=text)
            cell.font = Font(bold=True)
            bold.append(cell)
        sheet.append(bold)
        return sheet

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self.book.save(out)
        return out.getvalue()


def _figure_cells(indicator: Indicator, figure: Figure | None) -> list:
    if figure is None:
        return [None, None, None]
    return [part_value(indicator, figure.numerator), part_value(indicator, figure.denominator), shown(figure)]


def board_xlsx(board) -> bytes:
    book = Book()
    heading = f"{board.scope.label} · {board.period.label} 质效指标（数据截至 {board.as_of}）"
    sheet = book.sheet("质效指标", heading, ["指标", "分子", "分母", "数值", "单位", "方向", "目标", "达标", "分子口径",
                                            "分母口径", "依据"], board.notes)
    for indicator in INDICATOR_LIST:
        figure = board.figures.get(indicator.code)
        if figure is None:
            continue
        met = indicator.meets_target(figure.value)
        sheet.append([indicator.name, *_figure_cells(indicator, figure), indicator.unit_label,
                      "越高越好" if indicator.direction == "higher" else "越低越好", indicator.target,
                      {True: "是", False: "否", None: ""}[met], indicator.numerator.label, indicator.denominator.label,
                      indicator.citation])
    card = board.scorecard
    cards = book.sheet("武汉评分", f"评分（{card.scheme.source_label}）：总分 {card.total if card.total is not None else '无数据'}"
                       f"，{card.tier_label}", ["分组", "指标", "数值", "满分值", "零分值", "得分率", "权重", "得分"])
    for group in card.groups:
        for item in group.items:
            cards.append([group.label, item.indicator.name, shown(item.figure), item.line.full_at, item.line.zero_at,
                          item.score, item.line.weight, item.points])
    cards.append(["合计", None, None, None, None, None, card.scheme.total_weight, card.total])
    return book.bytes()


def rows_xlsx(title: str, heading: str, rows, notes: list[str] = (), *, with_score: bool = False) -> bytes:
    """A breakdown or ranking: one row per court, team or handler; numerator, denominator, value per indicator."""
    book = Book()
    headers = ["名称"]
    for indicator in INDICATOR_LIST:
        headers += [f"{indicator.label}·分子", f"{indicator.label}·分母", f"{indicator.label}（{indicator.unit_label}）"]
    if with_score:
        headers += ["评分", "档次"]
    sheet = book.sheet(title, heading, headers, notes)
    for row in rows:
        cells = [row.name]
        for indicator in INDICATOR_LIST:
            cells += _figure_cells(indicator, row.figures.get(indicator.code))
        if with_score:
            cells += [row.scorecard.total, row.scorecard.tier_label]
        sheet.append(cells)
    return book.bytes()


def trend_xlsx(scope, trend) -> bytes:
    book = Book()
    headers = ["月份"]
    for code in trend.series:
        indicator = trend.series[code][0].indicator if trend.series[code] else None
        name = indicator.label if indicator else code
        headers += [f"{name}·分子", f"{name}·分母", f"{name}（数值）"]
    notes = [f"实时计算的月份（无快照）：{'、'.join(trend.live_months)}"] if trend.live_months else []
    sheet = book.sheet("趋势", f"{scope.label} 月度趋势", headers, notes)
    for index, month in enumerate(trend.months):
        cells = [month.label]
        for _code, figures in trend.series.items():
            figure = figures[index]
            cells += _figure_cells(figure.indicator, figure)
        sheet.append(cells)
    return book.bytes()


def drill_xlsx(drill, heading: str) -> bytes:
    book = Book()
    if drill.kind == "petitions":
        sheet = book.sheet("信访", heading, ["信访编号", "案号", "信访方式", "收到日期", "办结日期", "信访事项", "办理结果"])
        for p in drill.rows[:MAX_DRILL_ROWS]:
            sheet.append([p.reference, p.case.case_number, p.get_channel_display(), p.received_on, p.closed_on,
                          p.summary, p.outcome])
        return book.bytes()
    headers = ["案号", "法院", "团队", "承办人", "立案日期", "结案日期", "结案方式", "申请执行标的（元）", "实际执行到位（元）"]
    if drill.total_field == "days":
        headers.append("执行天数")
    sheet = book.sheet("案件", heading, headers)
    count = 0
    for case in drill.rows.iterator(chunk_size=2000):
        count += 1
        if count > MAX_DRILL_ROWS:
            sheet.append([f"仅导出前 {MAX_DRILL_ROWS} 件"])
            break
        cells = [case.case_number, case.court.name, case.team.name if case.team else "",
                 case.handler.display_name if case.handler else "", case.filed_on, case.closed_on,
                 case.get_closing_type_display(), yuan(case.claim_amount_fen), yuan(case.performed_amount_fen)]
        if drill.total_field == "days":
            cells.append(case.days)
        sheet.append(cells)
    return book.bytes()


def level_label(level: str) -> str:
    return Level(level).label
