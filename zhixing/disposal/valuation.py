"""Directed inquiry (定向询价), Wenling style: a flat's value from the tax bureau's building base price
and its floor and orientation coefficients, a vehicle's from its model and year — in seconds, each
lookup logged (who, which case, when, which table version) and limited per user per day, as the
data-security agreement requires (seed 001 案例7). A lookup outside a case is refused.

    value = area × base price × floor coefficient × orientation coefficient

in exact Decimal arithmetic, rounded half up to the fen once, at the end. The batch values every
seized flat of a court in one action: one read of the flats, the table held in memory, one bulk
insert of the results (benchmarks/disposal.py: 100,000 flats).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import time
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

from django.db import connection, transaction
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from zhixing.accounts.models import User
from zhixing.bulk import insert_rows
from zhixing.cases.choices import CaseStatus
from zhixing.cases.exceptions import DomainError, FieldError, ValidationFailed
from zhixing.cases.models import EnforcementCase
from zhixing.cases.services import ensure_can_act, ensure_role
from zhixing.courts.models import Court
from zhixing.property.models import OPEN_MEASURE_STATUSES, Asset, CaseAsset, ControlMeasure

from .choices import LookupOutcome, TableKind
from .models import (
    BuildingPrice,
    DisposalSettings,
    FlatFacts,
    FloorCoefficient,
    OrientationCoefficient,
    PriceTable,
    Valuation,
    ValuationBatch,
    VehiclePrice,
)
from .price_tables import DEFAULT_ORIENTATION, building_key, model_key, normalise, table_in_force
from .rules import BATCH_ROLES, DATA_SECURITY_CITATION, LOOKUP_ROLES

ONE = Decimal(1)
_quote = json.encoder.encode_basestring  # a JSON string literal, non-ASCII kept
# 50 digits hold any product of the formula exactly; the rounding applies to the final quantize only.
_EXACT = Context(prec=50, rounding=ROUND_HALF_UP)
_BUILDING = re.compile(r"(\d+)(?:幢|栋|号楼|座)")
_FLOOR = re.compile(r"第?(\d+)层")
_ROOM = re.compile(r"(\d{3,4})(?:室|户|号房)")
MAX_ESTATE_CHARS = 40


class LookupLimitReached(DomainError):
    """The user's lookups for today are used up (HTTP 429)."""

    code = "lookup_limit"
    http_status = 429


def wenling_value_fen(area: Decimal, base_price_fen: int, floor_coefficient: Decimal,
                      orientation_coefficient: Decimal) -> int:
    """area (m²) × base price (fen/m²) × floor coefficient × orientation coefficient, half up to the fen.
    The product is exact (at most ~30 significant digits: 50 are kept); only the last step rounds."""
    return _area_times(area, _unit_value(base_price_fen, floor_coefficient, orientation_coefficient))


@functools.lru_cache(maxsize=65_536)
def _unit_value(base_price_fen: int, floor_coefficient: Decimal, orientation_coefficient: Decimal) -> Decimal:
    """The exact value of one square metre; a batch meets the same building, floor and orientation often.
    Exact products multiply in any order, so caching this factor changes no result."""
    return _EXACT.multiply(_EXACT.multiply(Decimal(base_price_fen), floor_coefficient), orientation_coefficient)


def _area_times(area: Decimal, unit: Decimal) -> int:
    return int(_EXACT.quantize(_EXACT.multiply(area, unit), ONE))


def settings_for(court_id: int) -> DisposalSettings:
    row = DisposalSettings.objects.filter(court_id=court_id).first()
    return row or DisposalSettings(court_id=court_id)


# ---------------------------------------------------------------- the table in memory


@dataclass(frozen=True)
class TableData:
    table: PriceTable
    buildings: dict[tuple[str, str], tuple[int, str]]  # (estate key, building) → (base fen/m², floor scale)
    estates: frozenset[str]
    estate_lengths: tuple[int, ...]
    floors: dict[tuple[str, int], Decimal]
    orientations: dict[str, Decimal]
    vehicles: dict[tuple[str, int], int]


# A version never changes once imported. Keyed by its file's hash too: a key that names the content
# cannot serve another table's rows if an id is ever reused (a rolled-back import, a restored backup).
_TABLES: dict[tuple[int, str], TableData] = {}


def table_data(table: PriceTable) -> TableData:
    key = (table.pk, table.sha256)
    data = _TABLES.get(key)
    if data is None:
        buildings = {(e, b): (p, s) for e, b, p, s in BuildingPrice.objects.filter(table=table).values_list(
            "estate_key", "building", "base_price_fen", "floor_scale")}
        data = TableData(
            table=table, buildings=buildings, estates=frozenset(e for e, _ in buildings),
            estate_lengths=name_lengths(frozenset(e for e, _ in buildings)),
            floors={(s, f): c for s, f, c in FloorCoefficient.objects.filter(table=table).values_list("scale", "floor", "coefficient")},
            orientations=dict(OrientationCoefficient.objects.filter(table=table).values_list("orientation", "coefficient")),
            vehicles={(m, y): p for m, y, p in VehiclePrice.objects.filter(table=table).values_list("model_key", "year", "price_fen")},
        )
        if len(_TABLES) > 16:
            _TABLES.clear()
        _TABLES[key] = data
    return data


# ---------------------------------------------------------------- a flat's inputs


@dataclass(slots=True)
class FlatInput:
    estate: str = ""
    building: str = ""
    floor: int | None = None
    orientation: str = ""
    area: Decimal | None = None
    source: str = "address"  # address | facts | typed

    def as_json(self, address: str = "") -> dict:
        """The lookup's inputs for the log; a batch leaves the address out (the asset holds it)."""
        return {**({"address": address} if address else {}), "estate": self.estate, "building": self.building, "floor": self.floor,
                "orientation": self.orientation, "area": str(self.area) if self.area is not None else None,
                "source": self.source}

    def json_text(self) -> str:
        """as_json() without the address, as JSON text — the batch writes 100,000 of these."""
        floor = "null" if self.floor is None else str(self.floor)
        area = "null" if self.area is None else f'"{self.area}"'
        return (f'{{"estate":{_quote(self.estate)},"building":{_quote(self.building)},"floor":{floor},'
                f'"orientation":{_quote(self.orientation)},"area":{area},"source":"{self.source}"}}')


def parse_area(value) -> Decimal | None:
    try:
        area = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return area if area > 0 else None


def name_lengths(estates: frozenset[str]) -> tuple[int, ...]:
    """The lengths estate names have, longest first: the only suffixes worth trying."""
    return tuple(sorted({len(e) for e in estates if 1 < len(e) <= MAX_ESTATE_CHARS}, reverse=True))


def from_address(address: str, area, estates: frozenset[str], lengths: tuple[int, ...] | None = None) -> FlatInput:
    """Building, floor and estate read from a registered address such as
    浙江省温岭市太平街道锦园小区3幢501室 → 锦园小区, 3, floor 5. The estate is the longest known estate
    name that ends just before the building number."""
    text = normalise(address)
    flat = FlatInput(area=parse_area(area))
    match = _BUILDING.search(text)
    if match is None:
        return flat
    flat.building = match.group(1)
    before = text[: match.start()]
    for length in lengths if lengths is not None else name_lengths(estates):
        if length <= len(before) and before[-length:] in estates:
            flat.estate = before[-length:]
            break
    after = text[match.end():]
    if floor := _FLOOR.search(after):
        flat.floor = int(floor.group(1))
    elif room := _ROOM.search(after):
        flat.floor = int(room.group(1)[:-2])  # 501室 → 5th floor, 1203室 → 12th
    return flat


def from_facts(facts: FlatFacts) -> FlatInput:
    return FlatInput(estate=normalise(facts.estate), building=building_key(facts.building), floor=facts.floor,
                     orientation=normalise(facts.orientation), area=facts.area, source="facts")


@dataclass(slots=True)
class FlatValue:
    value_fen: int | None
    message: str
    base_price_fen: int | None = None
    floor_coefficient: Decimal | None = None
    orientation_coefficient: Decimal | None = None


def value_flat(data: TableData, flat: FlatInput) -> FlatValue:
    """The Wenling valuation of one flat, or why it cannot be valued."""
    if flat.area is None:
        return FlatValue(None, "缺少建筑面积")
    if not flat.building or not flat.estate:
        return FlatValue(None, "地址中无法识别小区或楼幢，请录入房屋要素")
    building = data.buildings.get((flat.estate, flat.building))
    if building is None:
        return FlatValue(None, f"价格表中没有{flat.estate}{flat.building}幢")
    base, scale = building
    if flat.floor is None:
        return FlatValue(None, "无法确定楼层，请录入房屋要素", base)
    floor_coefficient = data.floors.get((scale, flat.floor))
    if floor_coefficient is None:
        return FlatValue(None, f"楼层系数表“{scale}”没有第{flat.floor}层", base)
    orientation = flat.orientation or DEFAULT_ORIENTATION
    orientation_coefficient = data.orientations.get(orientation)
    if orientation_coefficient is None:
        return FlatValue(None, f"朝向系数表没有“{orientation}”，请录入朝向", base, floor_coefficient)
    value = _area_times(flat.area, _unit_value(base, floor_coefficient, orientation_coefficient))
    return FlatValue(value, "", base, floor_coefficient, orientation_coefficient)


# ---------------------------------------------------------------- checks shared by the lookups


def _check_case(actor: User, case: EnforcementCase, asset: Asset, kind: str) -> None:
    """A lookup serves one open case of the user's own court, for an asset registered in it."""
    if case is None:
        raise ValidationFailed([FieldError("case", f"询价须在具体案件中进行（{DATA_SECURITY_CITATION}）")])
    ensure_can_act(actor, case.court_id)
    ensure_role(actor, LOOKUP_ROLES, "询价")
    if case.status != CaseStatus.OPEN:
        raise DomainError(f"案件{case.get_status_display()}，不能询价（查询结果仅用于办案）", code="case_closed")
    if not CaseAsset.objects.filter(case_id=case.pk, asset_id=asset.pk).exists():
        raise ValidationFailed([FieldError("asset", "该财产未在本案登记，不能询价（查询结果仅用于办案）")])
    if asset.kind != kind:
        raise ValidationFailed([FieldError("asset", f"该财产是{asset.get_kind_display()}，不能按{TableKind(kind).label}询价")])


def _ensure_within_limit(actor: User, court_id: int, today: dt.date) -> None:
    """Serialised per user by locking the user's row: two lookups at once cannot both take the last one."""
    User.objects.select_for_update().filter(pk=actor.pk).first()
    limit = settings_for(court_id).daily_lookup_limit
    used = Valuation.objects.filter(user=actor, on=today, batch__isnull=True).count()
    if used >= limit:
        raise LookupLimitReached(f"您今日已询价{used}次，达到本院每人每日{limit}次的上限（{DATA_SECURITY_CITATION}）")


def _table(court_id: int, kind: str, today: dt.date) -> PriceTable:
    table = table_in_force(court_id, kind, today)
    if table is None:
        raise DomainError(f"本院尚无{today:%Y-%m-%d}施行的{TableKind(kind).label}价格表，请先导入", code="no_price_table")
    return table


def latest_facts(asset_id: int) -> FlatFacts | None:
    return FlatFacts.objects.filter(asset_id=asset_id).order_by("-recorded_at", "-id").first()


# ---------------------------------------------------------------- one lookup


def flat_lookup(*, actor: User, case: EnforcementCase, asset: Asset, estate: str = "", building: str = "",
                floor: int | None = None, orientation: str = "", area=None) -> Valuation:
    """定向询价 of one flat in one case (WENLING_FORMULA). Facts typed in (estate, building, floor,
    orientation, area) are kept for the next lookup and the batch; otherwise the latest facts typed, or
    what the registered address says. Logged and counted whether or not the table has the flat."""
    _check_case(actor, case, asset, TableKind.REAL_ESTATE)
    typed = any([estate, building, floor is not None, orientation, area not in (None, "")])
    if typed and (not estate.strip() or not building.strip() or floor is None):
        raise ValidationFailed([FieldError(name, "录入房屋要素时须填写小区、楼幢和楼层")
                                for name, value in (("estate", estate), ("building", building), ("floor", floor))
                                if value in (None, "") or (isinstance(value, str) and not value.strip())])
    typed_area = parse_area(area) if area not in (None, "") else parse_area(asset.details.get("area"))
    if typed and typed_area is None:
        raise ValidationFailed([FieldError("area", f"建筑面积 {area!r} 应为大于0的数字（平方米）")])
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        _ensure_within_limit(actor, case.court_id, today)
        table = _table(case.court_id, TableKind.REAL_ESTATE, today)
        data = table_data(table)
        address = str(asset.details.get("address", ""))
        if typed:
            facts = FlatFacts.objects.create(
                court_id=case.court_id, asset=asset, estate=estate.strip()[:100], building=building.strip()[:20],
                floor=floor, orientation=orientation.strip()[:20],
                area=typed_area,
                recorded_by=actor, recorded_at=now)
            flat = from_facts(facts)
            flat.source = "typed"
        elif (facts := latest_facts(asset.pk)) is not None:
            flat = from_facts(facts)
        else:
            flat = from_address(address, asset.details.get("area"), data.estates, data.estate_lengths)
        result = value_flat(data, flat)
        return Valuation.objects.create(
            court_id=case.court_id, case=case, asset=asset, user=actor, at=now, on=today, kind=TableKind.REAL_ESTATE,
            table=table, outcome=LookupOutcome.VALUED if result.value_fen else LookupOutcome.NOT_FOUND,
            inputs=flat.as_json(address), area=flat.area, base_price_fen=result.base_price_fen,
            floor_coefficient=result.floor_coefficient, orientation_coefficient=result.orientation_coefficient,
            value_fen=result.value_fen, message=result.message[:300])


def vehicle_lookup(*, actor: User, case: EnforcementCase, asset: Asset, year: int | None, model: str = "") -> Valuation:
    """定向询价 of a vehicle by model and model year from the imported price table; logged and counted alike."""
    _check_case(actor, case, asset, TableKind.VEHICLE)
    model = (model or str(asset.details.get("model", ""))).strip()
    errors = []
    if not model:
        errors.append(FieldError("model", "请填写品牌型号"))
    if year is None or isinstance(year, bool) or not isinstance(year, int) or not 1980 <= year <= 2100:
        errors.append(FieldError("year", "请填写年款（四位年份）"))
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        _ensure_within_limit(actor, case.court_id, today)
        table = _table(case.court_id, TableKind.VEHICLE, today)
        price = table_data(table).vehicles.get((model_key(model), year))
        return Valuation.objects.create(
            court_id=case.court_id, case=case, asset=asset, user=actor, at=now, on=today, kind=TableKind.VEHICLE,
            table=table, outcome=LookupOutcome.VALUED if price else LookupOutcome.NOT_FOUND,
            inputs={"model": model, "year": year, "plate": asset.details.get("plate", "")},
            base_price_fen=price, value_fen=price, message="" if price else f"价格表中没有 {model} {year}年款")


# ---------------------------------------------------------------- the batch


def seized_flats(court_id: int):
    """(asset id, case id, details) of every flat of the court held by a seizure (in force or queued) in
    an open case: one row per flat, the case of its earliest measure (the lookup's case)."""
    rows = (ControlMeasure.objects
            .filter(court_id=court_id, kind="seal", status__in=OPEN_MEASURE_STATUSES, asset__kind="real_estate",
                    case__status=CaseStatus.OPEN)
            .order_by("asset_id", "started_on", "id")
            # Only the two details the formula reads, as text in SQL: no JSON decoding of 100,000 documents.
            .values_list("asset_id", "case_id", KeyTextTransform("address", "asset__details"),
                         KeyTextTransform("area", "asset__details")))
    # Read through the driver: the columns are ints and text already, Django's row conversion only costs time.
    sql, params = rows.query.sql_with_params()
    seen: set[int] = set()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(5000):
            for asset_id, case_id, address, area in chunk:
                if asset_id not in seen:
                    seen.add(asset_id)
                    yield asset_id, case_id, address or "", area


def valuation_batch(*, actor: User, court: Court) -> ValuationBatch:
    """批量估价: every seized flat of the court valued in one action against the table in force today.
    Each flat's lookup is logged under the case that seized it and the batch; the batch counts once
    against the user's daily batch limit (DisposalSettings.daily_batch_limit)."""
    ensure_can_act(actor, court.pk)
    ensure_role(actor, BATCH_ROLES, "批量估价")
    started = time.perf_counter()
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=actor.pk).first()
        limit = settings_for(court.pk).daily_batch_limit
        used = ValuationBatch.objects.filter(user=actor, on=today).count()
        if used >= limit:
            raise LookupLimitReached(f"您今日已批量估价{used}次，达到本院每人每日{limit}次的上限（{DATA_SECURITY_CITATION}）")
        table = _table(court.pk, TableKind.REAL_ESTATE, today)
        data = table_data(table)
        facts: dict[int, FlatFacts] = {}
        for row in FlatFacts.objects.filter(court=court).order_by("asset_id", "recorded_at", "id"):
            facts[row.asset_id] = row  # the newest wins
        batch = ValuationBatch.objects.create(court=court, user=actor, at=now, on=today, table=table)
        ops = connection.ops
        fixed = (court.pk, actor.pk, ops.adapt_datetimefield_value(now), ops.adapt_datefield_value(today),
                 TableKind.REAL_ESTATE, table.pk, batch.pk)
        rows: list[tuple] = []
        reasons: Counter[str] = Counter()
        total = 0
        for asset_id, case_id, address, area in seized_flats(court.pk):
            own = facts.get(asset_id)
            flat = from_facts(own) if own is not None else from_address(address, area, data.estates, data.estate_lengths)
            result = value_flat(data, flat)
            if result.value_fen:
                total += result.value_fen
            else:
                reasons[_reason_class(result.message)] += 1
            rows.append((*fixed, case_id, asset_id,
                         LookupOutcome.VALUED if result.value_fen else LookupOutcome.NOT_FOUND,
                         flat.json_text(), _decimal(flat.area),
                         result.base_price_fen, _decimal(result.floor_coefficient),
                         _decimal(result.orientation_coefficient), result.value_fen, result.message[:300]))
        _insert_valuations(rows)
        batch.flats = len(rows)
        batch.not_valued = sum(reasons.values())
        batch.valued = batch.flats - batch.not_valued
        batch.total_fen = total
        batch.reasons = dict(reasons.most_common())
        batch.seconds = Decimal(str(round(time.perf_counter() - started, 3)))
        batch.save(update_fields=["flats", "valued", "not_valued", "total_fen", "reasons", "seconds"])
    return batch


# The lookup log of a batch, in the order of these columns (Valuation's fields).
_BATCH_FIELDS = ("court", "user", "at", "on", "kind", "table", "batch", "case", "asset", "outcome", "inputs", "area",
                 "base_price_fen", "floor_coefficient", "orientation_coefficient", "value_fen", "message")


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _insert_valuations(rows: list[tuple]) -> None:
    """100,000 lookup-log rows at once. The values are already clean (ids, ISO dates, JSON text, decimal
    text), so they go straight to the driver (zhixing.bulk, adapt=False): Django's bulk_create spent most
    of the batch preparing each field of each row again. COPY on PostgreSQL, executemany on SQLite."""
    insert_rows(Valuation, _BATCH_FIELDS, rows, adapt=False)


def _reason_class(message: str) -> str:
    """A batch's reasons grouped: '价格表中没有锦园小区3幢' → '价格表中没有该楼幢'."""
    if message.startswith("价格表中没有"):
        return "价格表中没有该楼幢"
    if message.startswith("楼层系数表"):
        return "楼层系数表没有该楼层"
    if message.startswith("朝向系数表"):
        return "朝向不明"
    return message

