"""State changes of bundles: handing a bundle to one team (打包交办) and running the detection for a court.

Each is one transaction. A hand-over reassigns every open case of the acting court through
cases.services.case_assign — so each case gets its own execution-log entry naming the bundle and the
reason, its flow node and its supervision recomputed — and records the hand-over (append-only)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from zhixing.accounts.models import User
from zhixing.cases.exceptions import DomainError, FieldError, ValidationFailed
from zhixing.cases.models import EnforcementCase
from zhixing.cases.rules import HANDLING
from zhixing.cases.services import case_assign, ensure_can_act, ensure_role
from zhixing.courts.models import Team

from . import detection, rules, selectors
from .models import Bundle, BundleCase, BundleHandover


def _handler_for(team: Team, handler: User | None) -> User:
    handler = handler or team.leader
    if handler is None:
        raise ValidationFailed([FieldError("handler", f"{team.name}未设团队负责人，请指定承办人")])
    if handler.court_id != team.court_id or not handler.is_active:
        raise ValidationFailed([FieldError("handler", f"承办人须为{team.court.name}在职人员")])
    if handler.role not in HANDLING:
        raise ValidationFailed([FieldError("handler", f"{handler.display_name}（{handler.get_role_display()}）不能承办案件，"
                                                      "请选择执行法官或法官助理")])
    return handler


def bundle_handover(*, actor: User, bundle: Bundle, team: Team, handler: User | None = None, reason: str) -> BundleHandover:
    """打包交办: every open case of the bundle in the team's court goes to `team` (and `handler`, by
    default the team's leader), in one transaction through case_assign; if any case refuses (a lock,
    say) none is reassigned. Cases of other courts are left to their courts: a court assigns only its
    own cases (cases.services.ensure_can_act). Who may: rules.HANDOVER_ROLES (seed 003, Mengzhou).
    A retry that finds every case already with that team and handler changes nothing."""
    ensure_role(actor, rules.HANDOVER_ROLES, "打包交办")
    if not actor.is_superuser and team.court_id != actor.court_id:
        raise ValidationFailed([FieldError("team", "只能交由本院的执行团队")])
    ensure_can_act(actor, team.court_id)
    reason = (reason or "").strip()
    errors = []
    if not reason:
        errors.append(FieldError("reason", "打包交办须说明理由（将记入每件案件的执行日志）"))
    if not team.active:
        errors.append(FieldError("team", f"{team.name}已停用"))
    if errors:
        raise ValidationFailed(errors)
    handler = _handler_for(team, handler)
    court = team.court
    with transaction.atomic():
        bundle = Bundle.objects.select_for_update().get(pk=bundle.pk)  # one hand-over of a bundle at a time
        if not bundle.is_active:
            raise DomainError(f"该关联组已于 {timezone.localtime(bundle.dissolved_at):%Y-%m-%d} 解散（案件已不再关联），不能交办",
                              code="bundle_dissolved")
        ids = BundleCase.objects.filter(bundle_id=bundle.pk).values("case_id")
        cases = list(EnforcementCase.objects.filter(pk__in=ids).select_related("court").order_by("pk"))
        own = [c for c in cases if c.court_id == court.pk and c.is_open]
        skipped = [{"case_id": c.pk, "case_number": c.case_number,
                    "why": "已结案" if c.is_open is False else f"属于{c.court.name}，由该院分案（本院不能改派其他法院的案件）"}
                   for c in cases if c not in own]
        if not own:
            raise DomainError(f"本组没有{court.name}的在办案件可交办", code="nothing_to_hand_over")
        if len(own) > rules.HANDOVER_MAX_CASES:
            raise DomainError(f"本组有本院在办案件 {len(own)} 件，超过一次打包交办的上限 {rules.HANDOVER_MAX_CASES} 件，"
                              "请按团队或承办人分批分案", code="too_many_cases")
        to_move = [c for c in own if (c.team_id, c.handler_id) != (team.pk, handler.pk)]
        last = bundle.last_handover
        if not to_move and last is not None and (last.team_id, last.handler_id) == (team.pk, handler.pk):
            return last  # a retry: everything is already where this hand-over puts it
        note = f"打包交办（关联组#{bundle.pk} {bundle.get_kind_display()}：{bundle.label}，共{len(own)}件）：{reason}"[:500]
        for case in to_move:
            try:
                case_assign(actor=actor, case=case, handler=handler, team=team, reason=note)
            except ValidationFailed as exc:
                raise ValidationFailed(exc.errors, message=f"{case.case_number}：{exc.message}；本次打包交办未执行") from exc
            except DomainError as exc:
                raise type(exc)(f"{case.case_number}：{exc.message}；本次打包交办未执行（各案均未改派）", code=exc.code) from exc
        handover = BundleHandover.objects.create(
            bundle=bundle, court=court, team=team, handler=handler, actor=actor, at=timezone.now(), reason=reason[:500],
            reassigned=[c.pk for c in to_move], unchanged=[c.pk for c in own if c not in to_move], skipped=skipped,
        )
        bundle.last_handover = handover
        bundle.save(update_fields=["last_handover"])
        store_totals([c.pk for c in to_move])
    return handover


def store_totals(case_ids: list[int]) -> None:
    """Bring the worklist's figures (teams, unassigned cases) of every bundle holding one of `case_ids`
    up to date now, rather than at the next run: the hand-over has just moved them."""
    bundle_ids = list(BundleCase.objects.filter(case_id__in=case_ids).order_by().values_list("bundle_id", flat=True)
                      .distinct())
    totals = selectors.bundle_totals(bundle_ids)
    bundles = list(Bundle.objects.filter(pk__in=bundle_ids, dissolved_at__isnull=True))
    for b in bundles:
        t = totals[b.pk]
        b.claim_fen, b.outstanding_fen, b.unassigned, b.teams = t.claim_fen, t.outstanding_fen, t.unassigned, "、".join(t.teams)[:300]
    Bundle.objects.bulk_update(bundles, ["claim_fen", "outstanding_fen", "unassigned", "teams"])


def handover_message(handover: BundleHandover) -> str:
    """What the page and the API say after a hand-over."""
    parts = [f"已将 {len(handover.reassigned)} 件案件交由{handover.team.name}（承办人 {handover.handler.display_name}）办理"]
    if handover.unchanged:
        parts.append(f"{len(handover.unchanged)} 件原已由该团队和承办人办理")
    other_courts = [s for s in handover.skipped if not s["why"].startswith("已结案")]
    closed = len(handover.skipped) - len(other_courts)
    if other_courts:
        parts.append(f"其他法院的 {len(other_courts)} 件未改派：案件只能由其所属法院分案，请通知该院或由上级法院协调")
    if closed:
        parts.append(f"{closed} 件已结案")
    return "；".join(parts) + "。"


def relate_court(*, actor: User) -> detection.RunResult:
    """Run the detection now for the actor's own court (and the courts below it), instead of waiting
    for the nightly `zhixing relate`."""
    ensure_role(actor, rules.RELATE_ROLES, "立即检测关联案件")
    ensure_can_act(actor, actor.court_id)
    return detection.relate(court=actor.court, actor=actor)
