"""Importing a price table version (docs/disposal.md): CSV or XLSX, whole or not at all.

Real estate — the tax bureau's building base prices with floor and orientation coefficients, one
file with a 记录类型 column:

    记录类型, 小区, 楼幢, 基准价（元/平方米）, 系数表, 总层数, 楼层, 朝向, 系数
    楼幢, 锦园小区, 3, 12345.60, 多层, 6, , ,
    楼层系数, , , , 多层, , 5, , 1.0200
    朝向系数, , , , , , , 南, 1.0000

Vehicles — 品牌型号, 年款, 价格（元）.

Every error names its row and column; one error and nothing is imported. The same file twice is one
version. Each version is in force from its effective date; an older version stays, cited by the
valuations made with it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from zhixing.accounts.models import User
from zhixing.cases.exceptions import FieldError, ValidationFailed
from zhixing.cases.import_file import _records, cell_text, file_error, is_blank
from zhixing.cases.inputs import parse_yuan
from zhixing.cases.services import ensure_can_act, ensure_role
from zhixing.courts.models import Court

from .choices import TableKind
from .models import BuildingPrice, FloorCoefficient, OrientationCoefficient, PriceTable, VehiclePrice
from .rules import COEFFICIENT_PLACES, MAX_TABLE_ROWS, TABLE_ROLES

audit = logging.getLogger("zhixing.audit")
MAX_ERRORS = 200
DEFAULT_ORIENTATION = "默认"  # the coefficient used when a flat's orientation is not known

_FULL_WIDTH = str.maketrans("０１２３４５６７８９（）", "0123456789()")
_BUILDING_SUFFIX = re.compile(r"(幢|栋|号楼|座|号)$")


def normalise(text) -> str:
    """Names as keys: no spaces, full-width digits folded (addresses are typed every which way)."""
    return "".join(str(text or "").split()).translate(_FULL_WIDTH)


def building_key(text) -> str:
    """'3幢', '３ 栋', '3号楼' → '3'."""
    return _BUILDING_SUFFIX.sub("", normalise(text))


def model_key(text) -> str:
    return normalise(text).upper()


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    aliases: tuple[str, ...] = ()


REAL_ESTATE_COLUMNS = (
    Column("record", "记录类型", ("类型",)),
    Column("estate", "小区", ("小区名称", "楼盘")),
    Column("building", "楼幢", ("幢号", "楼号")),
    Column("base_price", "基准价（元/平方米）", ("楼幢基准价", "基准价", "基准价(元/平方米)")),
    Column("scale", "系数表", ("楼层系数表",)),
    Column("total_floors", "总层数", ()),
    Column("floor", "楼层", ()),
    Column("orientation", "朝向", ()),
    Column("coefficient", "系数", ()),
)
VEHICLE_COLUMNS = (
    Column("model", "品牌型号", ("车型",)),
    Column("year", "年款", ("年份",)),
    Column("price", "价格（元）", ("价格", "价格(元)")),
)
COLUMNS = {TableKind.REAL_ESTATE: REAL_ESTATE_COLUMNS, TableKind.VEHICLE: VEHICLE_COLUMNS}
REQUIRED = {TableKind.REAL_ESTATE: ("record",), TableKind.VEHICLE: ("model", "year", "price")}
RECORD_KINDS = {"楼幢": "building", "楼幢基准价": "building", "楼层": "floor", "楼层系数": "floor",
                "朝向": "orientation", "朝向系数": "orientation"}


def _header_map(columns: tuple[Column, ...]) -> dict[str, Column]:
    out = {}
    for column in columns:
        for name in (column.key, column.header, *column.aliases):
            out[normalise(name).replace("(", "（").replace(")", "）").lower()] = column
    return out


def _read(file_name: str, content: bytes, kind: str) -> list[tuple[int, dict]]:
    columns = COLUMNS[kind]
    headers = _header_map(columns)
    records = _records(file_name, content)
    first = next(records, None)
    if first is None or all(is_blank(c) for c in first):
        raise file_error("第1行应为表头，但为空", row=1)
    index: dict[int, Column] = {}
    for i, cell in enumerate(first):
        column = headers.get(normalise(cell_text(cell)).replace("(", "（").replace(")", "）").lower())
        if column is not None:
            index[i] = column
    found = {c.key for c in index.values()}
    missing = [c.header for c in columns if c.key in REQUIRED[kind] and c.key not in found]
    if missing:
        raise ValidationFailed([FieldError("表头", f"缺少必需的列：{'、'.join(missing)}", 1)])
    rows = []
    for number, record in enumerate(records, start=2):
        values = {col.key: record[i] for i, col in index.items() if i < len(record) and not is_blank(record[i])}
        if values:
            rows.append((number, values))
            if len(rows) > MAX_TABLE_ROWS:
                raise file_error(f"文件超过{MAX_TABLE_ROWS}行，请与数据提供单位核对")
    if not rows:
        raise file_error("文件没有数据行")
    return rows


def parse_coefficient(value) -> Decimal:
    text = cell_text(value)
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"{text!r} 不是数字") from exc
    if number <= 0 or number >= 10:
        raise ValueError(f"系数 {text} 应大于0且小于10")
    if -number.as_tuple().exponent > COEFFICIENT_PLACES:
        raise ValueError(f"系数 {text} 最多{COEFFICIENT_PLACES}位小数")
    return number


def _int(value, low: int, high: int) -> int:
    text = cell_text(value)
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError(f"{text!r} 不是整数")
    number = int(text)
    if not low <= number <= high:
        raise ValueError(f"{number} 超出范围（{low}–{high}）")
    return number


class _Errors:
    def __init__(self, labels: dict[str, str]):
        self.items: list[FieldError] = []
        self.labels = labels

    def add(self, row: int, key: str, message: str) -> None:
        if len(self.items) < MAX_ERRORS:
            self.items.append(FieldError(self.labels.get(key, key), message, row))

    def need(self, row: int, values: dict, key: str) -> bool:
        if key not in values:
            self.add(row, key, "不能为空")
            return False
        return True


def _parse_real_estate(rows) -> tuple[list[dict], list[dict], list[dict], list[FieldError]]:
    errors = _Errors({c.key: c.header for c in REAL_ESTATE_COLUMNS})
    buildings: dict[tuple[str, str], dict] = {}
    floors: dict[tuple[str, int], dict] = {}
    orientations: dict[str, dict] = {}
    for row, values in rows:
        record = RECORD_KINDS.get(normalise(cell_text(values.get("record"))))
        if record is None:
            errors.add(row, "record", f"应为“楼幢”“楼层系数”或“朝向系数”，而不是 {cell_text(values.get('record'))!r}")
            continue
        if record == "building":
            if not all([errors.need(row, values, k) for k in ("estate", "building", "base_price", "scale")]):
                continue
            estate, building = cell_text(values["estate"]), building_key(cell_text(values["building"]))
            key = (normalise(estate), building)
            if key in buildings:
                errors.add(row, "building", f"{estate}{building}幢重复（第{buildings[key]['row']}行已有）")
                continue
            try:
                price = parse_yuan(values["base_price"])
            except ValueError as exc:
                errors.add(row, "base_price", str(exc))
                continue
            if price <= 0:
                errors.add(row, "base_price", "基准价应大于0")
                continue
            try:
                total = _int(values["total_floors"], 1, 200) if "total_floors" in values else None
            except ValueError as exc:
                errors.add(row, "total_floors", str(exc))
                continue
            buildings[key] = {"row": row, "estate": estate[:100], "building": building[:20], "estate_key": key[0][:100],
                              "base_price_fen": price, "floor_scale": normalise(cell_text(values["scale"]))[:40],
                              "total_floors": total}
        elif record == "floor":
            if not all([errors.need(row, values, k) for k in ("scale", "floor", "coefficient")]):
                continue
            scale = normalise(cell_text(values["scale"]))[:40]
            try:
                floor = _int(values["floor"], -10, 200)
            except ValueError as exc:
                errors.add(row, "floor", str(exc))
                continue
            if (scale, floor) in floors:
                errors.add(row, "floor", f"系数表“{scale}”第{floor}层重复（第{floors[(scale, floor)]['row']}行已有）")
                continue
            try:
                coefficient = parse_coefficient(values["coefficient"])
            except ValueError as exc:
                errors.add(row, "coefficient", str(exc))
                continue
            floors[(scale, floor)] = {"row": row, "scale": scale, "floor": floor, "coefficient": coefficient}
        else:
            if not all([errors.need(row, values, k) for k in ("orientation", "coefficient")]):
                continue
            orientation = normalise(cell_text(values["orientation"]))[:20]
            if orientation in orientations:
                errors.add(row, "orientation", f"朝向“{orientation}”重复（第{orientations[orientation]['row']}行已有）")
                continue
            try:
                coefficient = parse_coefficient(values["coefficient"])
            except ValueError as exc:
                errors.add(row, "coefficient", str(exc))
                continue
            orientations[orientation] = {"row": row, "orientation": orientation, "coefficient": coefficient}
    scales = {scale for scale, _ in floors}
    for b in buildings.values():
        if b["floor_scale"] not in scales:
            errors.add(b["row"], "scale", f"楼层系数表“{b['floor_scale']}”在文件中没有楼层系数行")
    if not buildings:
        errors.add(1, "record", "文件中没有“楼幢”基准价行")
    if not orientations:
        errors.add(1, "record", f"文件中没有“朝向系数”行（至少应有“{DEFAULT_ORIENTATION}”或各朝向）")
    return list(buildings.values()), list(floors.values()), list(orientations.values()), errors.items


def _parse_vehicles(rows) -> tuple[list[dict], list[FieldError]]:
    errors = _Errors({c.key: c.header for c in VEHICLE_COLUMNS})
    seen: dict[tuple[str, int], dict] = {}
    for row, values in rows:
        if not all([errors.need(row, values, k) for k in ("model", "year", "price")]):
            continue
        model = cell_text(values["model"])
        try:
            year = _int(values["year"], 1980, 2100)
        except ValueError as exc:
            errors.add(row, "year", str(exc))
            continue
        try:
            price = parse_yuan(values["price"])
        except ValueError as exc:
            errors.add(row, "price", str(exc))
            continue
        if price <= 0:
            errors.add(row, "price", "价格应大于0")
            continue
        key = (model_key(model), year)
        if key in seen:
            errors.add(row, "model", f"{model} {year}年款重复（第{seen[key]['row']}行已有）")
            continue
        seen[key] = {"row": row, "model": model[:100], "model_key": key[0][:100], "year": year, "price_fen": price}
    return list(seen.values()), errors.items


def table_in_force(court_id: int, kind: str, on: dt.date) -> PriceTable | None:
    """The version in force on `on`: the latest effective on or before that day."""
    return (PriceTable.objects.filter(court_id=court_id, kind=kind, effective_from__lte=on)
            .order_by("-effective_from").first())


def price_table_import(*, actor: User, court: Court, kind: str, file_name: str, content: bytes,
                       effective_from: dt.date, source: str, note: str = "") -> tuple[PriceTable, bool]:
    """导入询价基准价格表: a new version, all rows or none. Returns (table, created); the same file again
    returns the version it made. A version must take effect after the latest one."""
    ensure_can_act(actor, court.pk)
    ensure_role(actor, TABLE_ROLES, "导入询价基准价格表")
    if kind not in TableKind.values:
        raise ValidationFailed([FieldError("kind", f"未知价格表类别 {kind!r}")])
    if not source.strip():
        raise ValidationFailed([FieldError("source", "请填写数据来源单位（如：温岭市税务局）")])
    if effective_from is None:
        raise ValidationFailed([FieldError("effective_from", "请填写生效日期")])
    sha = hashlib.sha256(content).hexdigest()
    existing = PriceTable.objects.filter(court=court, kind=kind, sha256=sha).first()
    if existing is not None:
        return existing, False
    rows = _read(file_name, content, kind)
    if kind == TableKind.REAL_ESTATE:
        buildings, floors, orientations, errors = _parse_real_estate(rows)
    else:
        vehicles, errors = _parse_vehicles(rows)
    if errors:
        raise ValidationFailed(errors, message=f"文件有{len(errors)}处错误，未导入：" + "；".join(str(e) for e in errors[:3])
                               + ("……" if len(errors) > 3 else ""))
    with transaction.atomic():
        Court.objects.select_for_update().get(pk=court.pk)  # version numbers per court, one at a time
        latest = PriceTable.objects.filter(court=court, kind=kind).order_by("-effective_from").first()
        if latest is not None and effective_from <= latest.effective_from:
            raise ValidationFailed([FieldError("effective_from", f"生效日期应晚于现行第{latest.version}版的生效日期 "
                                                                 f"{latest.effective_from:%Y-%m-%d}")])
        version = (PriceTable.objects.filter(court=court, kind=kind).aggregate(v=Max("version"))["v"] or 0) + 1
        try:
            with transaction.atomic():
                table = PriceTable.objects.create(
                    court=court, kind=kind, version=version, effective_from=effective_from, source=source.strip()[:100],
                    file_name=file_name[:200], sha256=sha, rows=len(rows), note=note[:300], imported_by=actor,
                    imported_at=timezone.now())
        except IntegrityError:  # the same file imported at the same moment by someone else
            return PriceTable.objects.get(court=court, kind=kind, sha256=sha), False
        if kind == TableKind.REAL_ESTATE:
            BuildingPrice.objects.bulk_create([BuildingPrice(table=table, **{k: v for k, v in b.items() if k != "row"})
                                               for b in buildings], batch_size=2000)
            FloorCoefficient.objects.bulk_create([FloorCoefficient(table=table, **{k: v for k, v in f.items() if k != "row"})
                                                  for f in floors], batch_size=2000)
            OrientationCoefficient.objects.bulk_create(
                [OrientationCoefficient(table=table, **{k: v for k, v in o.items() if k != "row"}) for o in orientations])
        else:
            VehiclePrice.objects.bulk_create([VehiclePrice(table=table, **{k: v for k, v in r.items() if k != "row"})
                                              for r in vehicles], batch_size=2000)
    audit.info("price table imported: court=%s kind=%s version=%s effective_from=%s sha256=%s rows=%s by=%s",
               court.court_code, kind, version, effective_from, sha, len(rows), actor.username)
    return table, True
