"""Reading an import file (docs/import.md): CSV or XLSX in, non-blank rows keyed by column out.

Cells keep the type the file gave them (an XLSX number stays a number, a date cell a date) until the
case is assembled, so that amounts never pass through a float and dates need not be re-parsed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

from . import casenumbers
from .exceptions import FieldError, ValidationFailed
from .inputs import parse_date, parse_yuan

# A file this size registers in well under a minute; larger ones are split (docs/import.md).
MAX_ROWS = 20_000
FILE = "文件"  # the "column" of errors about the file as a whole


# ---------------------------------------------------------------- columns


@dataclass(frozen=True)
class Column:
    key: str  # the English identifier, also accepted as a header
    header: str  # the Chinese header of the template and of error reports
    kind: str  # once per case: key, case, date, amount; once per row (party): party, identity
    required: bool = False  # the header must be present
    aliases: tuple[str, ...] = ()

    @property
    def case_level(self) -> bool:
        return self.kind in ("case", "date", "amount")


COLUMNS = (
    Column("case_key", "案件编号", "key", required=True),
    Column("case_number", "案号", "case", aliases=("原案号",)),
    Column("court_code", "法院代字", "case", required=True),
    Column("case_type", "案件类型", "case", aliases=("类型代字",)),
    Column("filed_on", "立案日期", "date", required=True),
    Column("document_number", "依据文书号", "case", required=True, aliases=("执行依据文书号",)),
    Column("issuing_court", "作出机关", "case", required=True, aliases=("执行依据作出机关",)),
    Column("effective_on", "生效日期", "date", required=True, aliases=("执行依据生效日期",)),
    Column("main_text", "判决主文", "case", aliases=("裁判主文",)),
    Column("principal", "本金（元）", "amount", required=True, aliases=("本金",)),
    Column("interest", "利息（元）", "amount", aliases=("利息",)),
    Column("costs", "费用（元）", "amount", aliases=("费用",)),
    Column("late_interest", "迟延履行利息（元）", "amount", aliases=("迟延履行利息",)),
    Column("role", "当事人地位", "party", required=True, aliases=("诉讼地位",)),
    Column("kind", "当事人类型", "party", required=True),
    Column("name", "姓名或名称", "party", required=True, aliases=("姓名/名称", "当事人名称")),
    Column(
        "id_number",
        "证件号码",
        "identity",
        required=True,
        aliases=("身份证号码/统一社会信用代码", "身份证号", "身份证号码", "统一社会信用代码"),
    ),
    Column("legal_representative", "法定代表人", "party", aliases=("法定代表人/负责人", "负责人")),
    Column("phone", "联系电话", "party", aliases=("电话",)),
    Column("address", "地址", "party", aliases=("住所地", "住址")),
)
COLUMNS_BY_KEY = {c.key: c for c in COLUMNS}
CLAIM_COLUMNS = ("principal", "interest", "costs", "late_interest")  # = ClaimKind values
COLUMN_ORDER = {c.header: i for i, c in enumerate(COLUMNS)}


def _normalise_header(text: str) -> str:
    text = re.sub(r"\s+", "", text).strip("*").replace("(", "（").replace(")", "）")
    return text.lower()


_HEADERS = {
    _normalise_header(name): column
    for column in COLUMNS
    for name in (column.key, column.header, *column.aliases)
}


# ---------------------------------------------------------------- cells


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value) -> str:
    """A cell as the clerk saw it. Floats come from spreadsheets: 13800138000.0 is shown as 13800138000."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


# Excel keeps a date as a day count; a cell that lost its date format shows it. Only 1990–2099 is taken
# as a date, so that a stray 2024 is reported as "not a date" rather than read as 1905-07-16.
_EXCEL_SERIALS = range(32874, 73051)


def date_value(value):
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        if int(value) in _EXCEL_SERIALS:
            return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
        return str(int(value))
    return value


def amount_value(value):
    # parse_yuan keeps the digits through repr → Decimal; we do it here too so that a bad cell is
    # reported as 12345.675 rather than as a float's internals.
    if isinstance(value, float):
        return repr(value)
    return str(value) if isinstance(value, bool) else value


def canonical(column: Column, value):
    """The value two rows of one case are compared by: 2025/3/1 and 2025-03-01 agree, so do 100 and 100.00."""
    try:
        if column.kind == "date":
            return parse_date(date_value(value))
        if column.kind == "amount":
            return parse_yuan(amount_value(value))
        if column.key == "case_number":
            return str(casenumbers.parse_case_number(cell_text(value)))
    except ValueError:
        pass
    return re.sub(r"\s+", " ", cell_text(value))


def shorten(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


# ---------------------------------------------------------------- reading the file


@dataclass
class Row:
    number: int  # the spreadsheet row number; the header is row 1
    values: dict[str, object]  # column key → non-blank cell


def file_error(message: str, row: int | None = None) -> ValidationFailed:
    return ValidationFailed([FieldError(FILE, message, row)], message=message)


def _decode(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" export
        return content.decode("utf-16")
    if b"\x00" in content:
        raise file_error("文件不是 CSV 文本文件，也不是 XLSX 文件")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("gb18030")  # a superset of GBK, which many court systems export
    except UnicodeDecodeError as exc:
        raise file_error("无法识别文件编码：CSV 应为 UTF-8 或 GB18030（GBK）编码") from exc


def _csv_records(content: bytes) -> Iterator[list]:
    text = _decode(content)
    first_line = text.split("\n", 1)[0]
    delimiter = max(",\t;", key=first_line.count)  # comma unless the header says otherwise
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as exc:
        raise file_error(f"CSV 格式错误：{exc}") from exc


def _xlsx_records(content: bytes) -> Iterator[list]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # a damaged or foreign file: openpyxl raises many kinds
        raise file_error("无法读取 XLSX 文件（文件已损坏，或不是 Excel 2007 及以后的 .xlsx 格式）") from exc
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # some programs write a wrong sheet size; read what is there
        for record in sheet.iter_rows(values_only=True):
            yield list(record)
    except ValidationFailed:
        raise
    except Exception as exc:
        raise file_error("无法读取 XLSX 文件的第一个工作表（文件已损坏）") from exc
    finally:
        book.close()


def _records(file_name: str, content: bytes) -> Iterator[list]:
    if not content.strip():
        raise file_error("文件为空")
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise file_error("不支持旧版 Excel（.xls）文件：请在 Excel 中“另存为” .xlsx 或 CSV（UTF-8）")
    if content.startswith(b"PK\x03\x04") or file_name.lower().endswith((".xlsx", ".xlsm")):
        return _xlsx_records(content)
    return _csv_records(content)


def _header(record: list) -> tuple[dict[int, Column], list[str]]:
    columns: dict[int, Column] = {}
    seen: dict[str, int] = {}
    ignored, errors = [], []
    for index, cell in enumerate(record):
        text = cell_text(cell)
        if not text:
            continue
        column = _HEADERS.get(_normalise_header(text))
        if column is None:
            ignored.append(text)
        elif column.key in seen:
            errors.append(
                FieldError("表头", f"“{column.header}”列重复（第{seen[column.key]}列和第{index + 1}列）", 1)
            )
        else:
            seen[column.key] = index + 1
            columns[index] = column
    if not columns:
        names = "、".join(c.header for c in COLUMNS if c.required)
        raise file_error(f"第1行应为表头，但没有识别出任何列（应有：{names}）", row=1)
    missing = [c.header for c in COLUMNS if c.required and c.key not in seen]
    if missing:
        errors.append(FieldError("表头", f"缺少必需的列：{'、'.join(missing)}", 1))
    if errors:
        raise ValidationFailed(errors, message="；".join(e.message for e in errors))
    return columns, ignored


def read_rows(file_name: str, content: bytes) -> tuple[list[Row], list[str]]:
    """The non-blank data rows of the file and the headers it ignored. Raises ValidationFailed for a file
    that cannot be read (format, encoding, header)."""
    records = _records(file_name, content)
    first = next(records, None)
    if first is None or all(is_blank(cell) for cell in first):
        raise file_error("第1行应为表头（案件编号、法院代字……），但为空", row=1)
    columns, ignored = _header(first)
    rows = []
    for number, record in enumerate(records, start=2):
        values = {
            column.key: record[index].strip() if isinstance(record[index], str) else record[index]
            for index, column in columns.items()
            if index < len(record) and not is_blank(record[index])
        }
        if values:
            rows.append(Row(number, values))
            if len(rows) > MAX_ROWS:
                raise file_error(f"文件超过{MAX_ROWS}行，请分成几个文件导入")
    if not rows:
        raise file_error("文件只有表头，没有数据行")
    return rows, ignored
