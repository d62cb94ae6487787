"""Property for the demo province, derived from the flow nodes the builder wrote: each network query
becomes the five queries of the 5+X+Y list with their replies, each freeze, seal, detention or
deduction an asset of the right kind with its control measure (a second one of the same kind on a
case is its renewal), found property an asset. One seal in fifty is on a flat another case already
sealed, queued behind it (轮候), so that shared assets show. Deterministic for the same database.

The execution log already holds these acts (the nodes' entries); this adds their structured records."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import defaultdict

from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from zhixing.cases.choices import CaseStatus, PartyRole
from zhixing.cases.models import EnforcementCase, NodeRecord, Party
from zhixing.property.assets import describe, identity_key
from zhixing.property.measures import statutory_end
from zhixing.property.models import Asset, CaseAsset, ControlMeasure, PropertyQuery
from zhixing.property.rules import ASSET_KINDS, PERIOD_CLASSES

from .rows import insert_rows

MEASURE_NODES = {"network_freeze": ("freeze", "bank_deposit"), "freeze": ("freeze", "bank_deposit"),
                 "seal": ("seal", "real_estate"), "detain": ("detain", "vehicle"), "deduct": ("deduct", "bank_deposit")}
NETWORK_ITEMS = ("deposits", "securities", "real_estate", "vehicles", "business_registration")
FOUND_BY_ITEM = {"deposits": "bank_deposit", "real_estate": "real_estate", "vehicles": "vehicle"}
BANKS = ("中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "交通银行", "浙江农商银行", "杭州银行", "宁波银行")
SHARE_EVERY = 50
_AMOUNT = re.compile(r"([\d,]+\.\d{2}) 元")
_PLATE = re.compile(r"（(浙[A-Z]·[A-Z0-9]{5})）")
_ADDRESS = re.compile(r"位于(.+)的不动产")

ASSET_COLUMNS = ("id", "kind", "identity_key", "owner_name", "owner_identity", "details", "value_fen", "value_on",
                 "description", "created_at")
LINK_COLUMNS = ("court_id", "case_id", "asset_id", "found_on", "found_via", "query_id", "clue_id", "note")
MEASURE_COLUMNS = ("id", "court_id", "case_id", "asset_id", "kind", "period_class", "started_on", "ends_on", "status",
                   "queue_rank", "ahead", "amount_fen", "document_number", "renewal_of_id", "ended_on", "end_reason",
                   "recorded_by_id", "recorded_at")
QUERY_COLUMNS = ("court_id", "case_id", "party_id", "item_code", "identity_number", "name", "batch_id", "state",
                 "sent_on", "replied_on", "result_note", "recorded_by_id")


def _next_id(model) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}")
        return cursor.fetchone()[0]


def _fen(note: str, rng: random.Random) -> int:
    match = _AMOUNT.search(note or "")
    if match:
        return int(match.group(1).replace(",", "").replace(".", ""))
    return rng.randrange(100_00, 500_000_00)


def _asset_row(pk: int, kind: str, note: str, rng: random.Random, owner: str, identity: str, today: dt.date,
               now: dt.datetime) -> tuple:
    if kind == "bank_deposit":
        details = {"bank": rng.choice(BANKS), "account": f"6217{pk:012d}", "balance": _fen(note, rng)}
    elif kind == "real_estate":
        match = _ADDRESS.search(note or "")
        details = {"certificate_number": f"浙({today.year - rng.randrange(1, 8)})不动产权第{pk:08d}号",
                   "address": match.group(1) if match else "浙江省杭州市",
                   "area": f"{rng.randrange(40, 180)}.{rng.randrange(10, 99)}"}
    else:
        match = _PLATE.search(note or "")
        details = {"plate": match.group(1) if match else f"浙A·{rng.randrange(10000, 99999)}",
                   "vin": f"LSV{pk:014d}", "model": rng.choice(("大众帕萨特", "丰田凯美瑞", "比亚迪汉"))}
    spec = ASSET_KINDS[kind]
    value = details.get(spec.value_field) if spec.value_field else None
    return (pk, kind, identity_key(spec, details, identity), owner, identity, details, value, today,
            describe(spec, details), now)


@transaction.atomic
def build_property(today: dt.date) -> dict[str, int]:
    cases = {pk: (court_id, number, status, closed_on) for pk, court_id, number, status, closed_on in
             EnforcementCase.objects.values_list("pk", "court_id", "case_number", "status", "closed_on")}
    respondents: dict[int, tuple[int, str, str]] = {}
    for pk, case_id, name, id_number, credit_code in (
        Party.objects.filter(role=PartyRole.RESPONDENT).order_by("case_id", "position", "pk")
        .values_list("pk", "case_id", "name", "id_number", "credit_code")
    ):
        if case_id not in respondents and (id_number or credit_code):
            respondents[case_id] = (pk, name, id_number or credit_code)
    nodes = defaultdict(list)
    codes = (*MEASURE_NODES, "network_query", "property_found")
    for case_id, code, day, note, by in (
        NodeRecord.objects.filter(node_code__in=codes).order_by("case_id", "occurred_on", "pk")
        .values_list("case_id", "node_code", "occurred_on", "note", "recorded_by_id")
    ):
        nodes[case_id].append((code, day, note, by))

    asset_id, measure_id = _next_id(Asset), _next_id(ControlMeasure)
    assets, links, measures, queries = [], [], [], []
    now = timezone.now()
    last_seal: tuple[int, int, str] | None = None  # (asset id, case id, "court case number") of the last seal
    seals = 0
    for case_id, events in nodes.items():
        if case_id not in respondents:
            continue
        court_id, number, status, closed_on = cases[case_id]
        party_id, owner, identity = respondents[case_id]
        rng = random.Random(case_id)
        linked: set[int] = set()
        running: dict[str, int] = {}  # node code → index in `measures` of its running measure
        found_kinds: set[str] = set()

        def new_asset(kind: str, note: str, rng=rng, owner=owner, identity=identity) -> int:
            nonlocal asset_id
            assets.append(_asset_row(asset_id, kind, note, rng, owner, identity, today, now))
            asset_id += 1
            return asset_id - 1

        def link(asset: int, day: dt.date, via: str, linked=linked, court_id=court_id, case_id=case_id) -> None:
            if asset not in linked:
                linked.add(asset)
                links.append((court_id, case_id, asset, day, via, None, None, ""))

        for code, day, note, by in events:
            if code == "network_query":
                if not any(q[1] == case_id for q in queries[-5:]):
                    for item in NETWORK_ITEMS:
                        queries.append([court_id, case_id, party_id, item, identity, owner, None, "replied_none", day,
                                        min(day + dt.timedelta(days=2), today), "", by])
                continue
            if code == "property_found":
                kind = rng.choice(("bank_deposit", "real_estate", "vehicle"))
                found_kinds.add(kind)
                link(new_asset(kind, note), day, "network_query")
                continue
            measure_kind, kind = MEASURE_NODES[code]
            found_kinds.add(kind)
            previous = running.get(code)
            rank, ahead = 1, ""
            if measure_kind == "seal" and previous is None:
                seals += 1
                if last_seal and last_seal[1] != case_id and seals % SHARE_EVERY == 0:
                    asset, rank, ahead = last_seal[0], 2, last_seal[2]
                else:
                    asset = new_asset(kind, note)
            elif previous is not None and measure_kind != "deduct":
                asset = measures[previous][3]
            else:
                asset = new_asset(kind, note)
            link(asset, day, "network_query")
            period = ASSET_KINDS[kind].period_class if measure_kind != "deduct" else ""
            ends = statutory_end(PERIOD_CLASSES[period], day) if period and rank == 1 else None  # queued: not yet
            amount = _fen(note, rng) if measure_kind in ("freeze", "deduct") else None
            state = "done" if measure_kind == "deduct" else ("queued" if rank > 1 else "active")
            renewal_of = None
            if previous is not None and measure_kind != "deduct":
                old = measures[previous]
                old[8], old[14], old[15] = "renewed", day, "续行"
                renewal_of = old[0]
            measures.append([measure_id, court_id, case_id, asset, measure_kind, period, day, ends, state, rank, ahead,
                             amount, f"（{day.year}）执行裁定", renewal_of, None, "", by, now])
            if measure_kind != "deduct":
                running[code] = len(measures) - 1
            if measure_kind == "seal" and rank == 1:
                last_seal = (asset, case_id, f"{number}")
            measure_id += 1
        if status != CaseStatus.OPEN and closed_on:  # a closed case released what it held
            for index in running.values():
                if measures[index][8] in ("active", "queued"):
                    measures[index][8], measures[index][14], measures[index][15] = "released", closed_on, "结案解除"
        for q in queries[-5:]:
            if q[1] == case_id and FOUND_BY_ITEM.get(q[3]) in found_kinds:
                q[7], q[10] = "replied_found", "有财产"
    insert_rows(Asset, ASSET_COLUMNS, assets)
    insert_rows(CaseAsset, LINK_COLUMNS, links)
    insert_rows(ControlMeasure, MEASURE_COLUMNS, [tuple(m) for m in measures])
    insert_rows(PropertyQuery, QUERY_COLUMNS, [tuple(q) for q in queries])
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Asset, ControlMeasure]):
            cursor.execute(sql)
    return {"assets": len(assets), "measures": len(measures), "queries": len(queries)}
