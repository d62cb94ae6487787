"""智能终本: each condition of the 2016 终本 rules (rules.ZHONGBEN_CONDITIONS, 法〔2016〕373号) checked
against the case's own records — flow nodes, generated and served documents, the 5+X+Y checklist,
clues, assets and control measures, leads to a missing respondent, the judge's findings — with the
record that proves it ("镜像比对", seed 001 case 1).

`case_facts` reads (a fixed handful of queries); `evaluate` is pure: the same facts give the same
answer, so the case page, the refusal in `case_close` and the element-style ruling cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone

from zhixing.cases import deadlines
from zhixing.cases.choices import ClosingType, PartyKind, PartyRole
from zhixing.cases.exceptions import FieldError, ValidationFailed
from zhixing.cases.models import EnforcementCase, LogEntry, NodeRecord, Party
from zhixing.cases.rules import NODES_BY_CODE

from .models import ConditionFinding
from .rules import MINOR_AGE, MINOR_CITATION, ZHONGBEN_CONDITIONS, ZHONGBEN_RULES, Condition, Kind

SERVICE_DOCUMENT = "proof_of_service"
SALE_FAILED_NODES = ("sale_started",)  # 二拍流拍后变卖: auction and sale tried (Art. 4)


@dataclass(frozen=True)
class Proof:
    """A record that proves (part of) a condition, with where to see it."""

    kind: str  # node | document | query | clue | asset | measure | lead | finding | filing
    label: str
    on: dt.date | None = None
    url: str = ""
    log_seq: int | None = None  # the execution-log entry, when there is one

    def as_dict(self) -> dict:
        return {"kind": self.kind, "label": self.label, "on": self.on, "url": self.url, "log_seq": self.log_seq}


@dataclass(frozen=True)
class ConditionResult:
    condition: Condition
    met: bool
    missing: str = ""  # what is still missing, in the refusal's words
    proofs: tuple[Proof, ...] = ()
    not_applicable: bool = False  # met because the condition does not apply here (a finding, a minor)

    @property
    def state_label(self) -> str:
        if not self.met:
            return "未满足"
        return "不适用" if self.not_applicable else "已满足"

    def refusal_line(self) -> str:
        c = self.condition
        return f"{c.title}：{self.missing}（{c.citation}）"


@dataclass
class ZhongbenCheck:
    case: EnforcementCase
    on: dt.date
    results: list[ConditionResult]
    facts: CaseFacts | None = None

    @property
    def met(self) -> bool:
        return all(r.met for r in self.results)

    @property
    def missing(self) -> list[ConditionResult]:
        return [r for r in self.results if not r.met]

    @property
    def summary(self) -> str:
        done = sum(1 for r in self.results if r.met)
        return f"终本条件 {done}/{len(self.results)} 项已满足" + ("" if self.met else f"，尚缺 {len(self.missing)} 项")


# ---------------------------------------------------------------- facts


@dataclass(frozen=True)
class DocumentFact:
    pk: int
    kind: str
    title: str
    version: int
    generated_on: dt.date
    signed: bool
    sealed: bool
    served_document: str = ""  # a 送达回证's "送达文书"


@dataclass
class CaseFacts:
    case: EnforcementCase
    respondents: list[Party] = field(default_factory=list)
    nodes: dict[str, list[dt.date]] = field(default_factory=dict)  # node code → dates, earliest first
    node_log: dict[str, int] = field(default_factory=dict)  # node code → first log seq
    documents: dict[str, list[DocumentFact]] = field(default_factory=dict)
    checklist: object = None  # property.checklist.CaseChecklist
    query_batches: dict[int, str] = field(default_factory=dict)  # query id → batch number
    clues: list = field(default_factory=list)
    assets: list = field(default_factory=list)  # property.CaseAsset with asset
    measures: dict[int, list] = field(default_factory=dict)  # asset id → ControlMeasure of this case
    leads: list = field(default_factory=list)
    findings: dict[str, ConditionFinding] = field(default_factory=dict)  # the latest per condition


def case_facts(case: EnforcementCase) -> CaseFacts:
    """Everything the conditions look at, for one case: about ten queries whatever the case holds."""
    from zhixing.documents.models import GeneratedDocument
    from zhixing.property.checklist import case_checklist
    from zhixing.property.models import CaseAsset, Clue, ControlMeasure, PersonLead, PropertyQuery

    facts = CaseFacts(case)
    facts.respondents = list(Party.objects.filter(case_id=case.pk, role=PartyRole.RESPONDENT).order_by("position", "id"))
    for code, on in NodeRecord.objects.filter(case_id=case.pk).order_by("occurred_on", "id").values_list(
            "node_code", "occurred_on"):
        facts.nodes.setdefault(code, []).append(on)
    for code, seq in LogEntry.objects.filter(case_id=case.pk).exclude(node_code="").order_by("seq").values_list(
            "node_code", "seq"):
        facts.node_log.setdefault(code, seq)
    for doc in GeneratedDocument.objects.filter(case_id=case.pk).order_by("generated_at", "id").only(
            "pk", "kind", "title", "version", "generated_at", "signed_at", "sealed_at", "extras"):
        facts.documents.setdefault(doc.kind, []).append(DocumentFact(
            doc.pk, doc.kind, doc.title, doc.version, timezone.localtime(doc.generated_at).date(),
            doc.signed_at is not None, doc.sealed_at is not None, str((doc.extras or {}).get("served_document") or "")))
    facts.checklist = case_checklist(case)
    query_ids = [row.query_id for _, row in facts.checklist.rows if row.query_id]
    facts.query_batches = dict(PropertyQuery.objects.filter(pk__in=query_ids, batch__isnull=False)
                               .values_list("pk", "batch__number"))
    facts.clues = list(Clue.objects.filter(case_id=case.pk).order_by("received_on", "id"))
    facts.assets = list(CaseAsset.objects.filter(case_id=case.pk).select_related("asset").order_by("found_on", "id"))
    for measure in ControlMeasure.objects.filter(case_id=case.pk).order_by("started_on", "id"):
        facts.measures.setdefault(measure.asset_id, []).append(measure)
    facts.leads = list(PersonLead.objects.filter(case_id=case.pk).order_by("received_on", "id"))
    for finding in ConditionFinding.objects.filter(case_id=case.pk).order_by("recorded_at", "id").select_related(
            "recorded_by"):
        facts.findings[finding.condition] = finding  # the last one wins; a withdrawal is a row too
    return facts


# ---------------------------------------------------------------- evaluation (pure)


def _case_url(facts: CaseFacts) -> str:
    return reverse("cases:detail", args=[facts.case.pk])


def _property_url(facts: CaseFacts) -> str:
    return reverse("property:case", args=[facts.case.pk])


def _node_proofs(facts: CaseFacts, codes) -> list[Proof]:
    return [Proof("node", f"流程节点“{NODES_BY_CODE[code].name}”", facts.nodes[code][0], _case_url(facts),
                  facts.node_log.get(code)) for code in codes if code in facts.nodes]


def _document_proofs(facts: CaseFacts, kinds) -> list[Proof]:
    proofs = []
    for kind in kinds:
        for doc in facts.documents.get(kind, []):
            proofs.append(Proof("document", f"{doc.title}第{doc.version}版", doc.generated_on,
                                reverse("documents:preview", args=[doc.pk])))
    return proofs


def _finding(facts: CaseFacts, condition: Condition) -> ConditionFinding | None:
    finding = facts.findings.get(condition.code)
    return finding if finding is not None and not finding.withdrawn and condition.findable else None


def _finding_proof(facts: CaseFacts, finding: ConditionFinding) -> Proof:
    who = finding.recorded_by.display_name if finding.recorded_by_id else ""
    return Proof("finding", f"承办人认定（{who}）：{finding.text}", timezone.localtime(finding.recorded_at).date(),
                 _case_url(facts))


def _served(facts: CaseFacts, condition: Condition) -> list[DocumentFact]:
    """Signed 送达回证 that name the document (an empty name is the default: 执行通知书、报告财产令)."""
    return [d for d in facts.documents.get(SERVICE_DOCUMENT, [])
            if d.signed and (not d.served_document or condition.served_as in d.served_document)]


def _age(party: Party, on: dt.date) -> int | None:
    birth = party.birth_on
    if birth is None and party.kind == PartyKind.NATURAL_PERSON and len(party.id_number) == 18:
        try:
            birth = dt.date(int(party.id_number[6:10]), int(party.id_number[10:12]), int(party.id_number[12:14]))
        except ValueError:
            return None
    if birth is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _record(facts: CaseFacts, c: Condition, on: dt.date) -> ConditionResult:
    proofs = _node_proofs(facts, c.nodes) + _document_proofs(facts, c.documents)
    if proofs:
        return ConditionResult(c, True, proofs=tuple(proofs))
    finding = _finding(facts, c)
    if finding is not None:
        return ConditionResult(c, True, proofs=(_finding_proof(facts, finding),), not_applicable=True)
    return ConditionResult(c, False, f"未见记录：{c.requirement}" + (f"；不适用的，请记录{c.finding_label}" if c.findable else ""))


def _served_record(facts: CaseFacts, c: Condition, on: dt.date) -> ConditionResult:
    proofs = _node_proofs(facts, c.nodes) + _document_proofs(facts, c.documents)
    if not proofs:
        return ConditionResult(c, False, f"未发出{c.served_as}")
    served = _served(facts, c)
    if not served:
        finding = _finding(facts, c)
        if finding is not None:  # served otherwise (electronic service, public notice), as the judge recorded
            return ConditionResult(c, True, proofs=(*proofs, _finding_proof(facts, finding)))
        return ConditionResult(c, False, f"{c.served_as}尚无受送达人签收的送达回证（其他方式送达的，请记录{c.finding_label}）",
                               tuple(proofs))
    proofs += [Proof("document", f"送达回证第{d.version}版（受送达人已签收）", d.generated_on,
                     reverse("documents:preview", args=[d.pk])) for d in served]
    return ConditionResult(c, True, proofs=tuple(proofs))


def _listing(facts: CaseFacts, c: Condition, on: dt.date) -> ConditionResult:
    proofs = _node_proofs(facts, c.nodes)
    if proofs:
        return ConditionResult(c, True, proofs=tuple(proofs))
    ages = [_age(p, on) for p in facts.respondents]
    if facts.respondents and all(age is not None and age < MINOR_AGE for age in ages):
        return ConditionResult(c, True, proofs=(Proof("filing", f"被执行人均为未成年人，不得纳入失信名单（{MINOR_CITATION}）",
                                                      None, _case_url(facts)),), not_applicable=True)
    return _record(facts, c, on)


def _checklist(facts: CaseFacts, c: Condition, on: dt.date) -> ConditionResult:
    from zhixing.property.rules import Group

    cl = facts.checklist
    proofs = []
    for party, row in cl.rows:
        if row.item.group != Group.FIVE or not row.done:
            continue
        batch = facts.query_batches.get(row.query_id)
        label = f"{party.name} {row.item.name}：{row.state_label}" + (f"（批次 {batch}）" if batch else "")
        proofs.append(Proof("query", label, row.replied_on, _property_url(facts)))
    if not cl.respondents:
        return ConditionResult(c, False, "本案没有被执行人可供查询")
    if cl.five_done < cl.five_total:
        missing = [f"{party.name} {row.item.name}（{row.state_label}）" for party, row in cl.rows
                   if row.item.group == Group.FIVE and not row.done]
        return ConditionResult(c, False, "尚未完成的网络查控：" + "、".join(missing[:10]) + ("等" if len(missing) > 10 else ""),
                               tuple(proofs))
    return ConditionResult(c, True, proofs=tuple(proofs))


def _clues(facts: CaseFacts, c: Condition, on: dt.date) -> ConditionResult:
    from zhixing.property.models import ClueOutcome

    proofs = tuple(Proof("clue", f"线索“{clue.description[:40]}”：{clue.get_outcome_display()}", clue.verified_on or clue.received_on,
                         _property_url(facts)) for clue in facts.clues)
    pending = [clue for clue in facts.clues if clue.outcome == ClueOutcome.PENDING]
    if pending:
        return ConditionResult(c, False, f"{len(pending)} 条财产线索尚未核查（最早于 {pending[0].received_on} 收到）", proofs)
    if not facts.clues:
        proofs = (Proof("clue", "未收到申请执行人或他人提供的财产线索", None, _property_url(facts)),)
    return ConditionResult(c, True, proofs=proofs)


def _offline(facts: CaseFacts, c: Condition, on: dt.date) -> ConditionResult:
    from zhixing.property.rules import Group

    proofs = _node_proofs(facts, c.nodes)
    proofs += [Proof("query", f"{party.name} {row.item.name}：{row.state_label}", row.replied_on, _property_url(facts))
               for party, row in facts.checklist.rows if row.item.group == Group.Y and row.done]
    if proofs:
        return ConditionResult(c, True, proofs=tuple(proofs))
    started = "traditional_query" in facts.nodes
    return ConditionResult(c, False, "已启动传统查控但未记录“完成传统查控”" if started else
                           "未进行线下调查（未记录“完成传统查控”，社保、户籍、居委会等拓展调查亦无结果）")


def _disposal(facts: CaseFacts, c: Condition, on: dt.date) -> ConditionResult:
    from zhixing.property.models import MeasureKind, MeasureStatus

    def deducted(link) -> bool:
        return any(m.kind == MeasureKind.DEDUCT and m.status == MeasureStatus.DONE for m in facts.measures.get(link.asset_id, []))

    proofs = _node_proofs(facts, c.nodes)
    undisposed = [link for link in facts.assets if not deducted(link)]
    for link in facts.assets:
        measures = facts.measures.get(link.asset_id, [])
        state = "、".join(f"{m.get_kind_display()}（{m.get_status_display()}）" for m in measures) or "未采取控制措施"
        proofs.append(Proof("asset", f"{link.asset.description}：{state}", link.found_on, _property_url(facts)))
    if not undisposed:
        if "no_property_found" in facts.nodes:
            return ConditionResult(c, True, proofs=tuple(proofs))
        return ConditionResult(c, False, "未记录“无财产可供执行”节点", tuple(proofs))
    uncontrolled = [link.asset.description for link in undisposed if not facts.measures.get(link.asset_id)]
    if uncontrolled:
        return ConditionResult(c, False, "已发现的财产未采取控制措施：" + "、".join(uncontrolled[:5]), tuple(proofs))
    proofs += _node_proofs(facts, SALE_FAILED_NODES)
    finding = _finding(facts, c)
    if finding is not None:
        proofs.append(_finding_proof(facts, finding))
    if finding is None and not any(code in facts.nodes for code in SALE_FAILED_NODES):
        return ConditionResult(c, False, f"已发现 {len(undisposed)} 项财产尚未处置：须经拍卖、变卖不成，或记录{c.finding_label}",
                               tuple(proofs))
    return ConditionResult(c, True, proofs=tuple(proofs))


def _time(facts: CaseFacts, c: Condition, on: dt.date) -> ConditionResult:
    earliest = deadlines.earliest_zhongben(facts.case.filed_on)
    proof = Proof("filing", f"立案日期 {facts.case.filed_on:%Y-%m-%d}，{earliest:%Y-%m-%d} 起可以终本", facts.case.filed_on,
                  _case_url(facts))
    if on < earliest:
        return ConditionResult(c, False, f"立案未满三个月，{earliest:%Y年%m月%d日}前不得终结本次执行程序", (proof,))
    return ConditionResult(c, True, proofs=(proof,))


def _search(facts: CaseFacts, c: Condition, on: dt.date) -> ConditionResult:
    if facts.leads:
        return ConditionResult(c, True, proofs=tuple(
            Proof("lead", f"查人线索（{lead.get_source_display()}）：{lead.get_outcome_display()}", lead.outcome_on or lead.received_on,
                  _property_url(facts)) for lead in facts.leads))
    return _record(facts, c, on)


EVALUATORS = {
    Kind.RECORD: _record, Kind.SERVED: _served_record, Kind.LISTING: _listing, Kind.CHECKLIST: _checklist,
    Kind.CLUES: _clues, Kind.OFFLINE: _offline, Kind.DISPOSAL: _disposal, Kind.TIME: _time, Kind.SEARCH: _search,
}


def evaluate(facts: CaseFacts, on: dt.date) -> ZhongbenCheck:
    """Every condition of rules.ZHONGBEN_CONDITIONS against the facts, as of `on` (the closing date)."""
    return ZhongbenCheck(facts.case, on, [EVALUATORS[c.kind](facts, c, on) for c in ZHONGBEN_CONDITIONS], facts)


def zhongben_check(case: EnforcementCase, on: dt.date | None = None) -> ZhongbenCheck:
    return evaluate(case_facts(case), on or timezone.localdate())


# ---------------------------------------------------------------- the refusal (called by cases.services.case_close)


class ZhongbenRefused(ValidationFailed):
    """终本 refused: the missing conditions, each with its article. 409: the case is not ready, the
    request itself is well-formed."""

    code = "zhongben_conditions_missing"
    http_status = 409


def ensure_zhongben_allowed(case: EnforcementCase, on: dt.date | None = None) -> ZhongbenCheck:
    """Refuse 终本 while any condition of 法〔2016〕373号 is missing, listing each with its citation."""
    check = zhongben_check(case, on)
    if not check.met:
        errors = [FieldError(f"conditions.{r.condition.code}", r.refusal_line()) for r in check.missing]
        message = (f"不符合终结本次执行程序的条件（{ZHONGBEN_RULES}），尚缺 {len(errors)} 项：" +
                   "；".join(e.message for e in errors))
        raise ZhongbenRefused(errors, message=message)
    return check


def ensure_close_allowed(case: EnforcementCase, *, closing_type: str, closed_on: dt.date) -> None:
    """The closing app's preconditions of a closing type (cases.services.case_close calls it under
    the case lock): 终本 needs every condition of 法〔2016〕373号."""
    if closing_type == ClosingType.TERMINATE_CURRENT:
        ensure_zhongben_allowed(case, closed_on)


# ---------------------------------------------------------------- the element-style ruling


def ruling_rows(case: EnforcementCase, on: dt.date | None = None) -> list[dict]:
    """The 终本 conditions as the element-style ruling tabulates them (documents field `zhongben_checks`):
    the same evaluation as the case page and the closing refusal."""
    rows = []
    for r in zhongben_check(case, on).results:
        proof = "；".join(p.label for p in r.proofs[:4]) + ("等" if len(r.proofs) > 4 else "")
        rows.append({"title": r.condition.title, "article": r.condition.article, "result": r.state_label,
                     "proof": proof or r.missing})
    return rows


def results_by_code(check: ZhongbenCheck) -> dict[str, ConditionResult]:
    return {r.condition.code: r for r in check.results}
