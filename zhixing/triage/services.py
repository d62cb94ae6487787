"""State changes of triage (繁简分流): the track chosen at registration, re-triage when the facts
change, a judge's override and its clearing, the tags a clerk records, and a court's rules saved as
a new version. Each is one transaction; each change of a case's track is an execution-log entry.

The rules themselves, with their sources, are in rules.py; which rule decided is kept in every
TriageDecision, with the facts it looked at."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhixing.accounts.models import User
from zhixing.cases.choices import CaseStatus, CaseType, LogAction, Track
from zhixing.cases.exceptions import Conflict, DomainError, FieldError, NotAllowed, ValidationFailed
from zhixing.cases.inputs import MAX_AMOUNT_FEN, CaseInput
from zhixing.cases.log import LogEvent, log_append, log_append_many
from zhixing.cases.models import EnforcementCase
from zhixing.cases.services import ensure_can_act, ensure_role, lock_case
from zhixing.courts.models import Court

from .choices import SPECIAL_SUBJECTS, ConditionKind, DecisionSource, Tag
from .facts import facts_at_registration, facts_for_cases
from .models import CaseTag, TriageDecision, TriagePolicy, TriageRule
from .rules import CONDITIONS, HINT_TEAM_TYPES, MAX_WEIGHT, OVERRIDERS, PRESETS, TAGGERS, Rule
from .selectors import (
    CourtRules,
    court_rules,
    court_rules_many,
    latest_decision,
    latest_decisions,
    may_edit_policy,
)

TRACK_LABELS = dict(Track.choices)
CHUNK = 2000


def _ensure_not_locked(case: EnforcementCase, action: str) -> None:
    # 程序锁死 refuses everything but the remedy; changing a track by hand is not a remedy.
    from zhixing.supervision.services import ensure_not_locked

    ensure_not_locked(case, action)


def _ensure_open(case: EnforcementCase) -> None:
    if case.status != CaseStatus.OPEN:
        raise DomainError(f"案件{case.get_status_display()}，不能再调整繁简分流", code="case_closed")


# ---------------------------------------------------------------- at registration


def triage_registered(*, case: EnforcementCase, data: CaseInput, actor: User) -> dict:
    """The track of a case being registered, recorded as its first decision. Called by
    cases.services.case_register inside its transaction, before the registration's log entry, which
    carries what this returns: the registration and its triage are one act, one entry."""
    rules = court_rules(case.court_id)
    facts = facts_at_registration(case, data)
    outcome = rules.decide(facts)
    snapshot = rules.snapshot(outcome)
    now = timezone.now()
    TriageDecision.objects.create(
        court_id=case.court_id, case=case, track=outcome.track, team_type=outcome.team_type, source=DecisionSource.RULES,
        policy_id=rules.policy_id, rule=snapshot, facts=facts.as_dict(), reason="立案", decided_at=now,
    )
    EnforcementCase.objects.filter(pk=case.pk).update(track=outcome.track)
    case.track = outcome.track
    return {"track": outcome.track, "rule": snapshot["text"], "rules": rules.label}


# ---------------------------------------------------------------- re-triage


@dataclass
class RetriageResult:
    checked: int = 0
    changed: int = 0
    recorded: int = 0  # first decision recorded for a case that had none (its track may be unchanged)
    overridden: int = 0  # a judge's override is in force: left as it is
    moves: Counter = field(default_factory=Counter)  # (from, to) → cases

    @property
    def text(self) -> str:
        moves = "，".join(f"{TRACK_LABELS.get(a, '未分流')}→{TRACK_LABELS[b]} {n} 件" for (a, b), n in sorted(self.moves.items()))
        text = f"繁简分流：检查在办案件 {self.checked} 件，分流改变 {self.changed} 件"
        if moves:
            text += f"（{moves}）"
        if self.recorded:
            text += f"，首次记录分流依据 {self.recorded} 件"
        if self.overridden:
            text += f"，法官改定保持 {self.overridden} 件"
        return text

    def add(self, other: RetriageResult) -> None:
        self.checked += other.checked
        self.changed += other.changed
        self.recorded += other.recorded
        self.overridden += other.overridden
        self.moves.update(other.moves)


def retriage(*, case: EnforcementCase, actor: User | None, why: str) -> RetriageResult:
    """Re-triage one case after its facts changed (property found, a tag set…)."""
    return retriage_cases([case.pk], actor=actor, why=why)


def retriage_cases(case_ids, *, actor: User | None, why: str, at: dt.datetime | None = None) -> RetriageResult:
    """Apply each case's court's rules to its facts now. A case whose track changes gets a new
    decision and an execution-log entry; an unchanged one gets nothing (so a second run writes
    nothing); one with a judge's override in force is left alone. Closed cases are skipped.

    Rows are locked in key order (the caller may already hold them: property services, imports)."""
    result = RetriageResult()
    ids = sorted(set(case_ids))
    with transaction.atomic():
        for start in range(0, len(ids), CHUNK):
            result.add(_retriage_chunk(ids[start : start + CHUNK], actor=actor, why=why[:200],
                                       at=at or timezone.now()))
    return result


def _retriage_chunk(ids: list[int], *, actor: User | None, why: str, at: dt.datetime) -> RetriageResult:
    result = RetriageResult()
    cases = list(EnforcementCase.objects.select_for_update().filter(pk__in=ids, status=CaseStatus.OPEN)
                 .order_by("pk").values_list("pk", "court_id", "track"))
    if not cases:
        return result
    open_ids = [pk for pk, _, _ in cases]
    latest = latest_decisions(open_ids)
    facts = facts_for_cases(open_ids)
    rules = court_rules_many({court_id for _, court_id, _ in cases})
    decisions: list[TriageDecision] = []
    events: dict[int, list[LogEvent]] = {}
    by_track: dict[str, list[int]] = defaultdict(list)
    for pk, court_id, track in cases:
        result.checked += 1
        current = latest.get(pk)
        if current is not None and current.source == DecisionSource.OVERRIDE:
            result.overridden += 1
            continue
        court = rules[court_id]
        outcome = court.decide(facts[pk])
        if current is not None and current.track == outcome.track == track:
            continue
        snapshot = court.snapshot(outcome)
        decisions.append(TriageDecision(
            court_id=court_id, case_id=pk, track=outcome.track, team_type=outcome.team_type, source=DecisionSource.RULES,
            policy_id=court.policy_id, rule=snapshot, facts=facts[pk].as_dict(), reason=why, decided_by=actor,
            decided_at=at,
        ))
        if track == outcome.track:
            result.recorded += 1
            continue
        result.changed += 1
        result.moves[(track, outcome.track)] += 1
        by_track[outcome.track].append(pk)
        events[pk] = [LogEvent(
            LogAction.TRIAGE,
            f"繁简分流：{TRACK_LABELS.get(track, '未分流')} → {TRACK_LABELS[outcome.track]}（{snapshot['text']}）",
            before={"track": track}, after={"track": outcome.track, "rule": snapshot.get("position"),
                                            "rules": court.label},
        )]
    TriageDecision.objects.bulk_create(decisions, batch_size=CHUNK)
    for track, pks in by_track.items():
        EnforcementCase.objects.filter(pk__in=pks).update(track=track)
    if events:
        log_append_many(events, actor=actor, at=at, reason=why)
    return result


def retriage_court(*, court: Court | None, actor: User | None, why: str) -> RetriageResult:
    """Every open case of a court (None: of every court), in chunks, each chunk its own transaction
    so that a long run does not hold a court's cases locked."""
    cases = EnforcementCase.objects.filter(status=CaseStatus.OPEN)
    if court is not None:
        cases = cases.filter(court=court)
    ids = list(cases.order_by("pk").values_list("pk", flat=True))
    result = RetriageResult()
    for start in range(0, len(ids), CHUNK):
        result.add(retriage_cases(ids[start : start + CHUNK], actor=actor, why=why))
    return result


# ---------------------------------------------------------------- a judge's override


def _check_track(track: str, team_type: str) -> list[FieldError]:
    if track not in Track.values:
        return [FieldError("track", f"分流只能是：{'、'.join(TRACK_LABELS.values())}")]
    if team_type and team_type not in HINT_TEAM_TYPES[track]:
        from zhixing.courts.choices import TeamType

        allowed = "、".join(TeamType(t).label for t in HINT_TEAM_TYPES[track])
        return [FieldError("team_type", f"{TRACK_LABELS[track]}案件的优先团队只能是：{allowed}")]
    return []


def triage_override(*, actor: User, case: EnforcementCase, track: str, reason: str, team_type: str = "") -> TriageDecision:
    """A judge or bureau head sets the track by hand, with a reason. It stays until cleared: re-triage
    leaves it alone, and the case page shows what the rules would say meanwhile."""
    ensure_can_act(actor, case.court_id)
    ensure_role(actor, OVERRIDERS, "改定繁简分流")
    errors = _check_track(track, team_type)
    if not reason.strip():
        errors.append(FieldError("reason", "改定繁简分流须说明理由"))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        case = lock_case(case)
        _ensure_open(case)
        _ensure_not_locked(case, "triage_override")
        current = latest_decision(case.pk)
        if current is not None and current.is_override and current.track == track == case.track \
                and current.team_type == team_type:
            raise Conflict(f"本案已改定为{TRACK_LABELS[track]}")
        rules = court_rules(case.court_id)
        facts = facts_for_cases([case.pk])[case.pk]
        outcome = rules.decide(facts)
        decision = TriageDecision.objects.create(
            court_id=case.court_id, case=case, track=track, team_type=team_type, source=DecisionSource.OVERRIDE,
            policy_id=rules.policy_id, rule=rules.snapshot(outcome) | {"rules_track": outcome.track},
            facts=facts.as_dict(), reason=reason.strip()[:500], decided_by=actor, decided_at=timezone.now(),
        )
        before = case.track
        case.track = track
        case.save(update_fields=["track"])
        log_append(
            case=case, actor=actor, action=LogAction.TRIAGE,
            summary=f"繁简分流改定：{TRACK_LABELS.get(before, '未分流')} → {TRACK_LABELS[track]}"
                    f"（规则判定为{TRACK_LABELS[outcome.track]}）",
            before={"track": before}, after={"track": track, "override": True, "rules_track": outcome.track},
            reason=reason.strip()[:500],
        )
    return decision


def triage_override_clear(*, actor: User, case: EnforcementCase, reason: str = "") -> TriageDecision:
    """Lift an override: the rules decide again, from today's facts."""
    ensure_can_act(actor, case.court_id)
    ensure_role(actor, OVERRIDERS, "撤销繁简分流改定")
    with transaction.atomic():
        case = lock_case(case)
        _ensure_open(case)
        _ensure_not_locked(case, "triage_override")
        current = latest_decision(case.pk)
        if current is None or not current.is_override:
            raise Conflict("本案没有法官改定的分流")
        rules = court_rules(case.court_id)
        facts = facts_for_cases([case.pk])[case.pk]
        outcome = rules.decide(facts)
        snapshot = rules.snapshot(outcome)
        decision = TriageDecision.objects.create(
            court_id=case.court_id, case=case, track=outcome.track, team_type=outcome.team_type,
            source=DecisionSource.CLEARED, policy_id=rules.policy_id, rule=snapshot, facts=facts.as_dict(),
            reason=reason.strip()[:500], decided_by=actor, decided_at=timezone.now(),
        )
        before = case.track
        case.track = outcome.track
        case.save(update_fields=["track"])
        log_append(
            case=case, actor=actor, action=LogAction.TRIAGE,
            summary=f"撤销繁简分流改定，按规则分流：{TRACK_LABELS.get(before, '未分流')} → {TRACK_LABELS[outcome.track]}"
                    f"（{snapshot['text']}）",
            before={"track": before}, after={"track": outcome.track, "override": False}, reason=reason.strip()[:500],
        )
    return decision


# ---------------------------------------------------------------- tags


def case_tag_add(*, actor: User, case: EnforcementCase, tag: str, note: str = "") -> CaseTag:
    """标记 a case (涉金融…, 被执行人下落不明), logged; the case is re-triaged at once."""
    ensure_can_act(actor, case.court_id)
    ensure_role(actor, TAGGERS, "标记案件")
    if tag not in Tag.values:
        raise ValidationFailed([FieldError("tag", f"标记只能是：{'、'.join(Tag.labels)}")])
    with transaction.atomic():
        case = lock_case(case)
        _ensure_open(case)
        _ensure_not_locked(case, "triage_tag")
        label = Tag(tag).label
        try:
            with transaction.atomic():
                row = CaseTag.objects.create(court_id=case.court_id, case=case, tag=tag, note=note.strip()[:300],
                                             added_by=actor, added_at=timezone.now())
        except IntegrityError as exc:
            raise Conflict(f"本案已标记“{label}”") from exc
        log_append(case=case, actor=actor, action=LogAction.TRIAGE, summary=f"标记案件：{label}",
                   after={"tag": tag}, reason=note.strip()[:300])
        retriage(case=case, actor=actor, why=f"标记“{label}”")
    return row


def case_tag_remove(*, actor: User, tag: CaseTag, reason: str) -> CaseTag:
    """Withdraw a tag (the respondent was found, the subject was recorded in error), with the reason."""
    ensure_can_act(actor, tag.court_id)
    ensure_role(actor, TAGGERS, "撤销案件标记")
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", "撤销标记须说明理由")])
    with transaction.atomic():
        case = lock_case(tag.case)
        _ensure_open(case)
        _ensure_not_locked(case, "triage_tag")
        tag = CaseTag.objects.select_for_update().get(pk=tag.pk)
        if tag.removed_at is not None:
            raise Conflict(f"该标记已于 {timezone.localtime(tag.removed_at):%Y-%m-%d} 撤销")
        tag.removed_by, tag.removed_at, tag.removal_reason = actor, timezone.now(), reason.strip()[:300]
        tag.save(update_fields=["removed_by", "removed_at", "removal_reason"])
        log_append(case=case, actor=actor, action=LogAction.TRIAGE, summary=f"撤销案件标记：{tag.get_tag_display()}",
                   before={"tag": tag.tag}, reason=tag.removal_reason)
        retriage(case=case, actor=actor, why=f"撤销标记“{tag.get_tag_display()}”")
    return tag


# ---------------------------------------------------------------- a court's rules


def _int_param(value, where: str, label: str, low: int, high: int, errors: list[FieldError]) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        errors.append(FieldError(where, f"{label}须为整数"))
        return None
    if not low <= value <= high:
        errors.append(FieldError(where, f"{label}须在 {low} 至 {high} 之间"))
        return None
    return value


def _clean_params(kind: str, raw, where: str, found: list[FieldError], number: str) -> dict:
    raw = raw if isinstance(raw, dict) else {}
    errors: list[FieldError] = []
    params: dict = {}
    for param in CONDITIONS[kind].params:
        value = raw.get(param.name, param.default)
        at = f"{where}.params.{param.name}"
        if param.kind == "fen":
            if value is None:
                errors.append(FieldError(at, f"请填写{param.label}（元）"))
            elif (v := _int_param(value, at, param.label + "（分）", 1, MAX_AMOUNT_FEN, errors)) is not None:
                params[param.name] = v
        elif param.kind == "count":
            if (v := _int_param(value, at, param.label, 2, 1000, errors)) is not None:
                params[param.name] = v
        elif param.kind == "percent":
            if (v := _int_param(value, at, param.label, 1, 1000, errors)) is not None:
                params[param.name] = v
        elif param.kind == "subjects":
            values = list(value or [])
            unknown = [v for v in values if v not in SPECIAL_SUBJECTS]
            if unknown:
                errors.append(FieldError(at, f"未知的特殊主体：{'、'.join(map(str, unknown))}"))
            params[param.name] = [s for s in SPECIAL_SUBJECTS if s in values]
        elif param.kind == "case_types":
            values = list(value or [])
            unknown = [v for v in values if v not in CaseType.values]
            if unknown or not values:
                errors.append(FieldError(at, "请选择至少一种案件类型" if not values else
                                         f"未知的案件类型：{'、'.join(map(str, unknown))}"))
            params[param.name] = [t for t in CaseType.values if t in values]
    found.extend(FieldError(e.field, f"{number}：{e.message}") for e in errors)
    return params


def _clean_rules(rules: list[dict], errors: list[FieldError]) -> list[dict]:
    cleaned = []
    for index, raw in enumerate(rules):
        where = f"rules[{index}]"
        number = f"第{index + 1}条规则"
        if not isinstance(raw, dict):
            errors.append(FieldError(where, f"{number}格式不对"))
            continue
        kind = raw.get("kind")
        if kind not in CONDITIONS:
            errors.append(FieldError(f"{where}.kind", f"{number}的条件未知；可选：{'、'.join(ConditionKind.labels)}"))
            continue
        track, team_type = raw.get("track") or "", raw.get("team_type") or ""
        errors.extend(FieldError(f"{where}.{e.field}", f"{number}：{e.message}") for e in _check_track(track, team_type))
        reason, citation = str(raw.get("reason") or "").strip(), str(raw.get("citation") or "").strip()
        if not reason:
            errors.append(FieldError(f"{where}.reason", f"{number}须写明理由（页面上显示为何这样分流）"))
        elif len(reason) > 300:
            errors.append(FieldError(f"{where}.reason", f"{number}的理由最多 300 字"))
        if len(citation) > 300:
            errors.append(FieldError(f"{where}.citation", f"{number}的依据最多 300 字"))
        params = _clean_params(kind, raw.get("params"), where, errors, number)
        cleaned.append({"kind": kind, "params": params, "track": track, "team_type": team_type,
                        "reason": reason, "citation": citation})
    return cleaned


def _same_as(current: CourtRules, rules: list[dict], default_track: str, weights: dict[str, int]) -> bool:
    if current.policy_id is None:
        return False
    mine = [{"kind": r.kind, "params": dict(r.params), "track": r.track, "team_type": r.team_type, "reason": r.reason,
             "citation": r.citation} for r in current.rules]
    return mine == rules and current.default_track == default_track and current.weights == weights


MAX_RULES = 30


def triage_policy_save(*, actor: User, court: Court, rules: list[dict], default_track: str, weights: dict[str, int],
                       note: str = "") -> TriagePolicy:
    """Save a court's rules as a new version (the old ones stay, with the decisions they made). Each
    rule: {kind, params, track, team_type, reason, citation}; amounts in fen. Saving the same rules
    again changes nothing. Open cases are not re-triaged here: the rules page and `zhixing triage` do it."""
    if not may_edit_policy(actor, court.pk):
        raise NotAllowed("只有本院执行局长、院长或系统管理员可以修改繁简分流规则")
    errors: list[FieldError] = []
    if len(rules) > MAX_RULES:
        errors.append(FieldError("rules", f"规则最多 {MAX_RULES} 条"))
    cleaned = _clean_rules(rules, errors)
    if default_track not in Track.values:
        errors.append(FieldError("default_track", f"默认分流只能是：{'、'.join(TRACK_LABELS.values())}"))
    clean_weights = {}
    for track in Track.values:
        value = (weights or {}).get(track)
        where, label = f"weights.{track}", f"{TRACK_LABELS[track]}案件权重"
        if (v := _int_param(value, where, label, 1, MAX_WEIGHT, errors)) is not None:
            clean_weights[track] = v
    if len(note) > 500:
        errors.append(FieldError("note", "修改说明最多 500 字"))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        current = court_rules(court.pk)
        if _same_as(current, cleaned, default_track, clean_weights):
            return TriagePolicy.objects.get(pk=current.policy_id)
        try:
            with transaction.atomic():
                policy = TriagePolicy.objects.create(
                    court=court, version=(current.version or 0) + 1, default_track=default_track,
                    weight_fast=clean_weights[Track.FAST], weight_ordinary=clean_weights[Track.ORDINARY],
                    weight_special=clean_weights[Track.SPECIAL], note=note.strip(), created_by=actor,
                )
        except IntegrityError as exc:
            raise Conflict("他人刚刚保存了新的规则版本，请刷新后再改") from exc
        TriageRule.objects.bulk_create([
            TriageRule(court=court, policy=policy, position=i, **rule) for i, rule in enumerate(cleaned, start=1)
        ])
    return policy


def rule_as_dict(rule: Rule) -> dict:
    return {"kind": rule.kind, "params": dict(rule.params), "track": rule.track, "team_type": rule.team_type,
            "reason": rule.reason, "citation": rule.citation}


def triage_policy_from_preset(*, actor: User, court: Court, preset: str, note: str = "") -> TriagePolicy:
    if preset not in PRESETS:
        raise ValidationFailed([FieldError("preset", f"未知的规则模板；可选：{'、'.join(p[0] for p in PRESETS.values())}")])
    label, rules, default_track = PRESETS[preset]
    weights = court_rules(court.pk).weights
    return triage_policy_save(actor=actor, court=court, rules=[rule_as_dict(r) for r in rules],
                              default_track=default_track, weights=weights, note=note or f"采用{label}")
