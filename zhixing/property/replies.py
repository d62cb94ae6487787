"""Importing the agencies' reply files (查控反馈; format in docs/property-replies.md).

Every row is checked before anything is written; one bad or unmatched row and nothing is imported,
with a report naming each row, column and reason. The same file twice imports nothing the second time;
a different file repeating rows already applied changes nothing. Set-based: rows are matched against
in-memory dicts of the court's queries and of the assets, and written with bulk inserts, so a
200,000-row file imports in well under a minute.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhixing.accounts.models import User
from zhixing.cases.choices import LogAction
from zhixing.cases.exceptions import Conflict, FieldError, NotAllowed, ValidationFailed
from zhixing.cases.import_file import cell_text, date_value, file_error, is_blank
from zhixing.cases.inputs import parse_date
from zhixing.cases.log import LogEvent, log_append_many
from zhixing.cases.models import EnforcementCase, NodeRecord
from zhixing.cases.services import ensure_can_act, ensure_role
from zhixing.supervision.engine import supervise_cases
from zhixing.triage.services import retriage_cases

from .adapters import QueryNetwork, query_network
from .assets import clean_details, describe, identity_key, takes_newer_value
from .checklist import QUERY_ROLES, checklist_for
from .models import Asset, CaseAsset, FoundVia, PropertyQuery, QueryBatch, QueryState, ReplyImport
from .queries import _chunks, lock_refusals
from .rules import ASSET_KINDS, ChecklistItem

MAX_REPORTED = 500  # errors listed; the total is always given
FOUND_NODE = "property_found"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False


COLUMNS = (
    Column("query_id", "查询序号", ("序号",)),
    Column("identity", "证件号码", ("身份证号码", "身份证号", "统一社会信用代码", "身份证号码/统一社会信用代码"), True),
    Column("name", "姓名/名称", ("姓名", "名称", "被执行人", "姓名或名称")),
    Column("item", "查控事项", ("查询事项",)),
    Column("kind", "财产类别", ("财产类型",)),
    Column("result", "结果", ("查询结果", "反馈结果"), True),
    Column("replied_on", "反馈日期", ("回复日期",), True),
    Column("note", "说明", ("备注", "反馈说明")),
)
KIND_LABELS = sorted({f.label for kind in ASSET_KINDS.values() for f in kind.fields})
RESULTS = {"有": QueryState.FOUND, "有财产": QueryState.FOUND, "无": QueryState.NONE, "无财产": QueryState.NONE,
           "查无": QueryState.NONE, "失败": QueryState.FAILED, "查询失败": QueryState.FAILED}
KINDS_BY_TEXT = {**{k.code: k.code for k in ASSET_KINDS.values()}, **{k.name: k.code for k in ASSET_KINDS.values()}}


def _normalise_header(text: str) -> str:
    return re.sub(r"\s+", "", text).strip("*").replace("(", "（").replace(")", "）").lower()


_HEADERS = {_normalise_header(n): c.key for c in COLUMNS for n in (c.key, c.header, *c.aliases)}
_HEADERS.update({_normalise_header(label): f"field:{label}" for label in KIND_LABELS})
_HEADER_NAMES = {c.key: c.header for c in COLUMNS}


@dataclass
class ReplyResult:
    already_imported: bool = False
    reply_import: ReplyImport | None = None
    rows: int = 0
    queries_answered: int = 0
    unchanged: int = 0  # rows whose query had already been answered the same way
    assets_found: int = 0  # new links of an asset to a case
    assets_created: int = 0  # assets no court had found before
    cases: int = 0
    locked_cases: list[str] = field(default_factory=list)  # found property, but the lock kept the node off

    @property
    def message(self) -> str:
        if self.already_imported:
            return f"此文件已于 {timezone.localtime(self.reply_import.imported_at):%Y-%m-%d %H:%M} 导入，未作任何更改"
        text = (f"导入 {self.rows} 行：反馈 {self.queries_answered} 项查询，涉及 {self.cases} 件案件，"
                f"新登记财产 {self.assets_found} 项（其中首次发现 {self.assets_created} 项）")
        if self.unchanged:
            text += f"；{self.unchanged} 行此前已导入，未重复登记"
        if self.locked_cases:
            text += f"；{len(self.locked_cases)} 件案件已程序锁死，未记录“有财产可供执行”节点"
        return text


@dataclass
class _Row:
    number: int
    identity: str
    state: str
    replied_on: dt.date
    note: str
    query_id: int | None
    item_code: str
    kind: str
    details: dict | None = None
    value_fen: int | None = None
    name: str = ""


# ---------------------------------------------------------------- reading


def _header(record: list) -> dict[int, str]:
    columns: dict[int, str] = {}
    seen: dict[str, int] = {}
    errors = []
    for index, cell in enumerate(record):
        text = cell_text(cell)
        key = _HEADERS.get(_normalise_header(text)) if text else None
        if key is None:
            continue  # 批次号, 案号 … echoed from the request file
        if key in seen:
            errors.append(FieldError("表头", f"“{text}”列重复（第{seen[key]}列和第{index + 1}列）", 1))
            continue
        seen[key] = index + 1
        columns[index] = key
    missing = [c.header for c in COLUMNS if c.required and c.key not in seen]
    if missing:
        errors.append(FieldError("表头", f"缺少必需的列：{'、'.join(missing)}", 1))
    if "item" not in seen and "kind" not in seen and "query_id" not in seen:
        errors.append(FieldError("表头", "须有“查询序号”，或“查控事项”“财产类别”之一", 1))
    if errors:
        raise ValidationFailed(errors, message="；".join(e.message for e in errors))
    return columns


def _read(network: QueryNetwork, file_name: str, content: bytes) -> list[tuple[int, dict]]:
    records = network.read_reply(file_name, content)
    first = next(records, None)
    if first is None or all(is_blank(c) for c in first):
        raise file_error("第1行应为表头（证件号码、结果、反馈日期……），但为空", row=1)
    columns = _header(first)
    rows = []
    for number, record in enumerate(records, start=2):
        values = {}
        for index, key in columns.items():
            if index < len(record) and not is_blank(record[index]):
                value = record[index]
                values[key] = value.strip() if isinstance(value, str) else value
        if values:
            rows.append((number, values))
    if not rows:
        raise file_error("文件只有表头，没有数据行")
    return rows


# ---------------------------------------------------------------- checking rows


class _Items:
    def __init__(self, items: list[ChecklistItem]):
        self.by_text = {}
        for item in items:
            if item.network and item.agency_kind:
                self.by_text[item.code] = item
                self.by_text[item.name] = item
        self.by_kind: dict[str, ChecklistItem] = {}
        for item in items:
            for kind in item.asset_kinds:
                self.by_kind.setdefault(kind, item)
        self.by_code = {i.code: i for i in items}


def _parse_row(number: int, values: dict, items: _Items, today: dt.date, errors: list[FieldError]) -> _Row | None:
    before = len(errors)

    def bad(key: str, message: str):
        errors.append(FieldError(_HEADER_NAMES.get(key, key), message, number))

    identity = re.sub(r"\s+", "", cell_text(values.get("identity"))).upper()
    if not identity:
        bad("identity", "必填")
    elif len(identity) != 18:
        bad("identity", f"{identity!r} 不是18位身份证号码或统一社会信用代码")
    state = None
    result_text = cell_text(values.get("result"))
    if not result_text:
        bad("result", "必填（有、无或失败）")
    else:
        state = RESULTS.get(result_text)
        if state is None:
            bad("result", f"{result_text!r} 不是有效结果（应为：有、无或失败）")
    replied_on = None
    if "replied_on" not in values:
        bad("replied_on", "必填")
    else:
        try:
            replied_on = parse_date(date_value(values["replied_on"]))
            if replied_on > today:
                bad("replied_on", f"{replied_on} 晚于今天")
        except ValueError as exc:
            bad("replied_on", str(exc))
    query_id = None
    if "query_id" in values:
        text = cell_text(values["query_id"])
        if text.isdigit():
            query_id = int(text)
        else:
            bad("query_id", f"{text!r} 不是查询序号（应为请求文件中的数字）")
    item_code = ""
    if "item" in values:
        text = cell_text(values["item"])
        item = items.by_text.get(text)
        if item is None:
            bad("item", f"{text!r} 不是本院可网络查询的事项")
        else:
            item_code = item.code
    kind = ""
    if "kind" in values:
        text = cell_text(values["kind"])
        kind = KINDS_BY_TEXT.get(text, "")
        if not kind:
            bad("kind", f"{text!r} 不是财产类别（可选：{'、'.join(k.name for k in ASSET_KINDS.values())}）")
        elif not item_code and kind in items.by_kind:
            item_code = items.by_kind[kind].code
    if not item_code and not kind and query_id is None:
        bad("item", "须填写查询序号，或查控事项、财产类别之一")
    row = _Row(number, identity, state or "", replied_on or today, cell_text(values.get("note"))[:500],
               query_id, item_code, kind, name=cell_text(values.get("name")))
    if state == QueryState.FOUND:
        _found_details(row, values, items, errors)
    return row if len(errors) == before else None


def _found_details(row: _Row, values: dict, items: _Items, errors: list[FieldError]) -> None:
    kind = row.kind
    if not kind and row.item_code:
        kinds = items.by_code[row.item_code].asset_kinds if row.item_code in items.by_code else ()
        kind = kinds[0] if len(kinds) == 1 else ""
    if not kind and row.query_id is not None:
        return  # the query's item decides; resolved after matching (_resolve_kind)
    if not kind:
        errors.append(FieldError("财产类别", "结果为“有”时须填写财产类别", row.number))
        return
    row.kind = kind
    raw = {f.name: values.get(f"field:{f.label}") for f in ASSET_KINDS[kind].fields}
    try:
        row.details, row.value_fen = clean_details(kind, raw, row=row.number)
    except ValidationFailed as exc:
        labels = {f.name: f.label for f in ASSET_KINDS[kind].fields}
        errors.extend(FieldError(labels.get(e.field, e.field), e.message, e.row) for e in exc.errors)


# ---------------------------------------------------------------- matching


def _candidates(court_id: int, rows: list[_Row], batch: QueryBatch | None) -> tuple[dict, dict]:
    """The court's queries the rows may answer: by id, and by (identity, item) — two sets of queries."""
    fields = ("pk", "case_id", "party_id", "item_code", "identity_number", "name", "state", "sent_on", "replied_on",
              "batch_id", "result_note")
    base = PropertyQuery.objects.filter(court_id=court_id)
    if batch is not None:
        base = base.filter(batch=batch)
    by_id: dict[int, dict] = {}
    ids = sorted({r.query_id for r in rows if r.query_id is not None})
    for chunk in _chunks(ids):
        for q in base.filter(pk__in=chunk).values(*fields):
            by_id[q["pk"]] = q
    by_identity: dict[tuple[str, str], list[dict]] = defaultdict(list)
    identities = sorted({r.identity for r in rows if r.query_id is None})
    for chunk in _chunks(identities):
        for q in base.filter(identity_number__in=chunk).exclude(state=QueryState.NOT_SENT).values(*fields):
            by_identity[(q["identity_number"], q["item_code"])].append(q)
    return by_id, by_identity


def _targets(row: _Row, by_id: dict, by_identity: dict, items: _Items, errors: list[FieldError]) -> list[dict]:
    """The queries a row answers. By id: that query. By identity: the ones awaiting a reply, or — for a
    row already applied by an earlier file — the latest ones answered."""
    if row.query_id is not None:
        query = by_id.get(row.query_id)
        if query is None:
            errors.append(FieldError("查询序号", f"本院没有序号为 {row.query_id} 的查询", row.number))
            return []
        if query["identity_number"].upper() != row.identity:
            errors.append(FieldError("证件号码", f"与查询序号 {row.query_id} 的被执行人证件号码（{query['identity_number']}）不符",
                                     row.number))
            return []
        if row.item_code and row.item_code != query["item_code"]:
            name = items.by_code[query["item_code"]].name if query["item_code"] in items.by_code else query["item_code"]
            errors.append(FieldError("查控事项", f"查询序号 {row.query_id} 查询的是“{name}”", row.number))
            return []
        return [query]
    if not row.item_code:
        errors.append(FieldError("查控事项", "未填写查询序号时须填写查控事项（或可据以确定事项的财产类别）", row.number))
        return []
    queries = by_identity.get((row.identity, row.item_code), [])
    awaiting = [q for q in queries if q["state"] == QueryState.SENT]
    if awaiting:
        return awaiting
    if queries:
        last = max(q["sent_on"] for q in queries)
        return [q for q in queries if q["sent_on"] == last]
    name = items.by_code[row.item_code].name
    errors.append(FieldError("证件号码", f"本院没有向该证件号码发出的“{name}”查询", row.number))
    return []


def _resolve_kind(row: _Row, query: dict, values: dict, items: _Items, errors: list[FieldError]) -> None:
    if row.state != QueryState.FOUND or row.details is not None:
        return
    row.item_code = query["item_code"]
    _found_details(row, values, items, errors)


# ---------------------------------------------------------------- the import


def reply_import(*, actor: User, file_name: str, content: bytes, batch: QueryBatch | None = None,
                 network: QueryNetwork | None = None) -> ReplyResult:
    """Apply an agency's reply file to the actor's court's queries; all or nothing."""
    if not actor.court_id:
        raise NotAllowed("您不属于任何法院，不能导入反馈")
    ensure_can_act(actor, actor.court_id)
    ensure_role(actor, QUERY_ROLES, "导入查控反馈")
    court_id = actor.court_id
    if batch is not None and batch.court_id != court_id:
        raise ValidationFailed([FieldError("batch", "批次不属于本院")])
    digest = hashlib.sha256(content).hexdigest()
    earlier = ReplyImport.objects.filter(court_id=court_id, sha256=digest).first()
    if earlier is not None:
        return ReplyResult(already_imported=True, reply_import=earlier, rows=earlier.rows)
    network = network or query_network()
    today = timezone.localdate()
    items = _Items(checklist_for(court_id))

    raw_rows = _read(network, file_name, content)
    errors: list[FieldError] = []
    parsed: list[tuple[_Row, dict]] = []
    for number, values in raw_rows:
        row = _parse_row(number, values, items, today, errors)
        if row is not None:
            parsed.append((row, values))
    rows = [r for r, _ in parsed]
    by_id, by_identity = _candidates(court_id, rows, batch)

    # query id → (the rows answering it); the verdict per query in this file
    answers: dict[int, list[_Row]] = defaultdict(list)
    queries: dict[int, dict] = {}
    for row, values in parsed:
        targets = _targets(row, by_id, by_identity, items, errors)
        if targets:
            _resolve_kind(row, targets[0], values, items, errors)
        for query in targets:
            if row.replied_on < query["sent_on"]:
                errors.append(FieldError("反馈日期", f"{row.replied_on} 早于查询发送日期 {query['sent_on']}", row.number))
                break
            answers[query["pk"]].append(row)
            queries[query["pk"]] = query
    verdicts = _verdicts(answers, queries, errors)
    if errors:
        errors.sort(key=lambda e: (e.row or 0))
        total = len(errors)
        shown = errors[:MAX_REPORTED]
        more = f"（仅列出前{MAX_REPORTED}处）" if total > MAX_REPORTED else ""
        raise ValidationFailed(shown, message=f"文件中有 {total} 处问题{more}，未导入任何内容：" +
                               "；".join(str(e) for e in shown[:3]) + ("……" if total > 3 else ""))
    try:
        with transaction.atomic():
            record = ReplyImport.objects.create(court_id=court_id, batch=batch, file_name=file_name[:200], sha256=digest,
                                                imported_by=actor, imported_at=timezone.now(), rows=len(rows))
            result = _apply(actor, court_id, record, verdicts, answers, queries, items, today)
    except IntegrityError as exc:  # the same file imported at the same moment by someone else
        raise Conflict("此文件正由他人导入，请稍后查看导入记录") from exc
    result.rows = len(rows)
    return result


@dataclass
class _Verdict:
    state: str
    replied_on: dt.date
    note: str
    changes: bool  # the query's stored state changes


def _verdicts(answers: dict[int, list[_Row]], queries: dict[int, dict], errors: list[FieldError]) -> dict[int, _Verdict]:
    verdicts = {}
    for pk, rows in answers.items():
        states = {r.state for r in rows}
        if len(states) > 1:
            labels = "、".join(sorted(QueryState(s).label for s in states))
            for r in rows:
                errors.append(FieldError("结果", f"同一查询（序号 {pk}）在文件中的结果互相矛盾：{labels}", r.number))
            continue
        state = states.pop()
        query = queries[pk]
        replied_on = max(r.replied_on for r in rows)
        note = "；".join(dict.fromkeys(r.note for r in rows if r.note))[:500]
        if query["state"] == QueryState.SENT or query["state"] == QueryState.FAILED and state != QueryState.FAILED:
            verdicts[pk] = _Verdict(state, replied_on, note, True)
        elif query["state"] == state:
            verdicts[pk] = _Verdict(state, replied_on, note, False)  # a repeat: links only, get-or-create
        else:
            for r in rows:
                errors.append(FieldError("结果", f"该查询（序号 {pk}）已于 {query['replied_on']} 反馈为"
                                         f"“{QueryState(query['state']).label}”，与本行不一致；如系更正，请手工登记", r.number))
    return verdicts


def _apply(actor: User, court_id: int, record: ReplyImport, verdicts: dict[int, _Verdict],
           answers: dict[int, list[_Row]], queries: dict[int, dict], items: _Items, today: dt.date) -> ReplyResult:
    now = timezone.now()
    result = ReplyResult(reply_import=record)
    changed = {pk: v for pk, v in verdicts.items() if v.changes}
    case_ids = sorted({queries[pk]["case_id"] for pk in verdicts})
    for chunk in _chunks(case_ids):  # the row locks log_append_many needs
        list(EnforcementCase.objects.select_for_update().filter(pk__in=chunk).values_list("pk", flat=True))

    # 1. the queries: few distinct (state, date, note) groups, each one UPDATE per chunk
    groups: dict[tuple, list[int]] = defaultdict(list)
    for pk, v in changed.items():
        groups[(v.state, v.replied_on, v.note)].append(pk)
    for (state, replied_on, note), pks in groups.items():
        for chunk in _chunks(sorted(pks)):
            PropertyQuery.objects.filter(pk__in=chunk).update(state=state, replied_on=replied_on, result_note=note,
                                                              recorded_by=actor)
    result.queries_answered = len(changed)
    result.unchanged = sum(len(answers[pk]) for pk, v in verdicts.items() if not v.changes)

    # 2. the assets: one per (kind, identity key) whoever found it
    found: dict[tuple[str, str], dict] = {}
    links: list[tuple[int, tuple[str, str], int, dt.date]] = []  # (case, asset key, query, found on)
    for pk, v in verdicts.items():
        if v.state != QueryState.FOUND:
            continue
        query = queries[pk]
        for row in answers[pk]:
            kind = ASSET_KINDS[row.kind]
            key = (row.kind, identity_key(kind, row.details, query["identity_number"]))
            current = found.get(key)
            if current is None or (row.value_fen is not None and row.replied_on >= current["value_on"]):
                found[key] = {"details": row.details, "value_fen": row.value_fen, "value_on": row.replied_on,
                              "owner_name": row.name or query["name"], "owner_identity": query["identity_number"]}
            links.append((query["case_id"], key, pk, row.replied_on))
    assets = _assets_upsert(found, result)

    # 3. the links of assets to cases (get-or-create: a repeated row adds nothing)
    existing: set[tuple[int, int]] = set()
    link_case_ids = sorted({case_id for case_id, _, _, _ in links})
    for chunk in _chunks(link_case_ids):
        existing.update(CaseAsset.objects.filter(case_id__in=chunk).values_list("case_id", "asset_id"))
    new_links: dict[tuple[int, int], CaseAsset] = {}
    for case_id, key, query_pk, found_on in links:
        asset = assets[key]
        if (case_id, asset.pk) in existing or (case_id, asset.pk) in new_links:
            continue
        new_links[(case_id, asset.pk)] = CaseAsset(court_id=court_id, case_id=case_id, asset_id=asset.pk,
                                                   found_on=found_on, found_via=FoundVia.NETWORK, query_id=query_pk,
                                                   note=f"网络查控反馈（{record.file_name}）"[:300])
    CaseAsset.objects.bulk_create(new_links.values(), batch_size=2000)
    result.assets_found = len(new_links)

    # 4. the batches' progress
    batch_ids = sorted({queries[pk]["batch_id"] for pk in changed if queries[pk]["batch_id"]})
    _batch_progress(batch_ids)

    # 5. flow nodes, execution log, supervision
    events: dict[int, list[LogEvent]] = defaultdict(list)
    summary: dict[int, list[str]] = defaultdict(list)
    for pk, v in sorted(changed.items()):
        query = queries[pk]
        item = items.by_code.get(query["item_code"])
        summary[query["case_id"]].append(f"{query['name']} {item.name if item else query['item_code']}"
                                         f"{QueryState(v.state).label}")
    for case_id, parts in summary.items():
        events[case_id].append(LogEvent(LogAction.QUERY_REPLY, "查询反馈：" + "；".join(parts),
                                        after={"file": record.file_name[:100], "import": record.pk, "answers": len(parts)}))
    found_cases = sorted({case_id for case_id, _ in new_links})
    assets_by_pk = {a.pk: a for a in assets.values()}
    for (case_id, asset_pk), link in new_links.items():
        asset = assets_by_pk[asset_pk]
        events[case_id].append(LogEvent(LogAction.ASSET, f"登记财产（网络查控）：{asset.description}",
                                        after={"asset": asset.pk, "kind": asset.kind, "value_fen": asset.value_fen,
                                               "query": link.query_id}))
    refused = lock_refusals(found_cases, FOUND_NODE)
    node_cases = [pk for pk in found_cases if pk not in refused]
    NodeRecord.objects.bulk_create(
        [NodeRecord(court_id=court_id, case_id=pk, node_code=FOUND_NODE, occurred_on=today, recorded_at=now,
                    recorded_by=actor, note="网络查控反馈发现财产") for pk in node_cases], batch_size=2000)
    for pk in node_cases:
        events[pk].append(LogEvent(LogAction.NODE, "有财产可供执行（网络查控反馈）", node_code=FOUND_NODE,
                                   after={"occurred_on": today.isoformat()}))
    if refused:
        numbers = dict(EnforcementCase.objects.filter(pk__in=list(refused)).values_list("pk", "case_number"))
        result.locked_cases = sorted(numbers.values())
    log_append_many(dict(events), actor=actor, at=now, reason=f"导入查控反馈 {record.file_name}"[:500])
    retriage_cases(found_cases, actor=actor, why=f"查控反馈发现财产（{record.file_name}）", at=now)
    touched = sorted(events)
    supervise_cases(touched, reason="查控反馈后重算")
    result.cases = len(touched)
    record.queries_answered = result.queries_answered
    record.assets_found = result.assets_found
    record.report = {"unchanged_rows": result.unchanged, "assets_created": result.assets_created,
                     "cases": result.cases, "locked_cases": result.locked_cases[:100],
                     "nodes_property_found": len(node_cases)}
    record.save(update_fields=["queries_answered", "assets_found", "report"])
    return result


def _assets_upsert(found: dict[tuple[str, str], dict], result: ReplyResult) -> dict[tuple[str, str], Asset]:
    """assets.asset_upsert for many at once: existing assets are read per kind in chunks, new ones
    bulk-inserted, a newer value (balance) replaces an older one."""
    assets: dict[tuple[str, str], Asset] = {}
    by_kind: dict[str, list[str]] = defaultdict(list)
    for kind, key in found:
        by_kind[kind].append(key)
    for kind, keys in by_kind.items():
        for chunk in _chunks(sorted(keys)):
            for asset in Asset.objects.filter(kind=kind, identity_key__in=chunk):
                assets[(kind, asset.identity_key)] = asset
    new, updated = [], []
    for key, data in found.items():
        asset = assets.get(key)
        if asset is None:
            kind = ASSET_KINDS[key[0]]
            asset = Asset(kind=key[0], identity_key=key[1], owner_name=data["owner_name"][:100],
                          owner_identity=data["owner_identity"], details=data["details"], value_fen=data["value_fen"],
                          value_on=data["value_on"] if data["value_fen"] is not None else None,
                          description=describe(kind, data["details"]))
            new.append(asset)
            assets[key] = asset
        elif takes_newer_value(asset, data["value_fen"], data["value_on"]):
            updated.append(asset)
    Asset.objects.bulk_create(new, batch_size=2000)
    if any(a.pk is None for a in new):  # a database that does not return ids from bulk inserts
        for kind in {a.kind for a in new}:
            keys = [a.identity_key for a in new if a.kind == kind]
            for chunk in _chunks(keys):
                for pk, key in Asset.objects.filter(kind=kind, identity_key__in=chunk).values_list("pk", "identity_key"):
                    assets[(kind, key)].pk = pk
    Asset.objects.bulk_update(updated, ["value_fen", "value_on"], batch_size=500)
    result.assets_created = len(new)
    return assets


def _batch_progress(batch_ids: list[int]) -> None:
    from django.db.models import Count, Q

    for chunk in _chunks(batch_ids):
        counts = (PropertyQuery.objects.filter(batch_id__in=chunk).values("batch_id")
                  .annotate(replied=Count("pk", filter=~Q(state=QueryState.SENT))))
        for row in counts:
            QueryBatch.objects.filter(pk=row["batch_id"]).update(replied=row["replied"])

