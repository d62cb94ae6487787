"""System administration of supervision: a court's own rule only if it is stricter than the law, lock
settings naming real rules, and the logged re-base of a deadline onto the current rule version."""

from __future__ import annotations

import pytest

from zhixing.cases.models import LogEntry
from zhixing.supervision import engine
from zhixing.supervision.models import Deadline, RuleVersion, SupervisionPolicy

from .support import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_25_november_2026")]


def rule_form(court, **overrides) -> dict:
    data = {"court": court.pk, "rule_code": "payout", "amount": "7", "unit": "working_days", "extra_days": "0",
            "citation": "浙江高院《关于进一步加强执行工作的意见》（七个工作日内发放完毕）", "effective_from": "",
            "reason": "采用浙江规则"}
    data.update(overrides)
    return data


def test_a_court_rule_looser_than_the_law_is_refused_with_the_reason(admin_client, courts):
    response = admin_client.post("/admin/supervision/ruleversion/add/", rule_form(
        courts["court"], rule_code="clue_verification", amount="7", unit="working_days", citation="浙江高院意见"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "本院规则不得宽于法定期限" in page and "财产调查" in page
    assert not RuleVersion.objects.filter(court=courts["court"]).exists()


def test_a_stricter_court_rule_is_added_as_a_new_version(admin_client, admin_user, courts):
    response = admin_client.post("/admin/supervision/ruleversion/add/", rule_form(courts["court"]))
    assert response.status_code == 302, response.content.decode()[:2000]
    version = RuleVersion.objects.get(court=courts["court"])
    assert (version.rule_code, version.amount, version.unit, version.version) == ("payout", 7, "working_days", 1)
    assert version.created_by == admin_user and version.effective_from == TODAY
    listing = admin_client.get("/admin/supervision/ruleversion/").content.decode()
    assert "7工作日" in listing


def test_a_rule_version_cannot_be_edited_or_deleted(admin_client, courts, recent_case):
    version = RuleVersion.objects.filter(court__isnull=True, rule_code="payout").first()
    url = f"/admin/supervision/ruleversion/{version.pk}/change/"
    assert admin_client.get(url).status_code == 200  # shown read-only
    admin_client.post(url, {"amount": "99"})
    version.refresh_from_db()
    assert version.amount == 30
    assert admin_client.post(f"/admin/supervision/ruleversion/{version.pk}/delete/", {"post": "yes"}).status_code == 403


def test_lock_rules_must_name_real_rules(admin_client, courts):
    data = {"court": courts["court"].pk, "yellow_lead_days": "3", "team_lead_after_days": "2",
            "division_head_after_days": "5", "president_after_days": "10", "lock_from": "2026-12-01",
            "lock_after_red_days": "15", "lock_rules": "close_period, no_such_rule"}
    response = admin_client.post("/admin/supervision/supervisionpolicy/add/", data)
    assert response.status_code == 200 and "没有这些期限规则：no_such_rule" in response.content.decode()
    assert not SupervisionPolicy.objects.exists()
    response = admin_client.post("/admin/supervision/supervisionpolicy/add/", {**data, "lock_rules": "close_period，payout"})
    assert response.status_code == 302
    assert SupervisionPolicy.objects.get().lock_rules == "close_period,payout"


def test_a_deadline_is_re_based_on_the_current_version_with_a_logged_reason(admin_client, admin_user, courts, recent_case, bureau_head):
    from zhixing.supervision import policies

    # The court adopts a 2-day notice period after the case started: the case keeps the national 3 days.
    policies.court_rule_adopt(actor=bureau_head, court=courts["court"], rule_code="enforcement_notice", amount=2,
                              unit="days", citation="本院执行工作规程第3条")
    engine.supervise_cases([recent_case.pk])
    deadline = Deadline.objects.get(case=recent_case, rule_code="enforcement_notice")
    assert deadline.rule_version.court_id is None and deadline.due_on.isoformat() == "2026-11-19"

    action = {"action": "rebase", "_selected_action": [deadline.pk], "index": "0"}
    response = admin_client.post("/admin/supervision/deadline/", {**action, "reason": ""}, follow=True)
    assert "请在“重算理由”中写明理由" in response.content.decode()
    deadline.refresh_from_db()
    assert deadline.rule_version.court_id is None

    response = admin_client.post("/admin/supervision/deadline/", {**action, "reason": "本院规程施行，统一适用"}, follow=True)
    assert "已按现行规则版本重算 1 项期限" in response.content.decode()
    deadline.refresh_from_db()
    assert deadline.rule_version.court_id == courts["court"].pk
    assert deadline.due_on.isoformat() == "2026-11-18"  # 11-16 + 2 days
    entry = LogEntry.objects.filter(case=recent_case, action="rebase").get()
    assert entry.reason == "本院规程施行，统一适用" and entry.actor_id == admin_user.pk

    response = admin_client.post("/admin/supervision/deadline/", {**action, "reason": "再次重算"}, follow=True)
    assert "该期限已适用现行规则版本" in response.content.decode()


@pytest.mark.parametrize("model", ["ruleversion", "supervisionpolicy", "deadline", "caselock", "unlockrequest",
                                   "suspension", "extension", "supervisionrun", "dailydigest"])
def test_every_supervision_list_opens(admin_client, recent_case, model):
    engine.supervise(as_of=TODAY)
    assert admin_client.get(f"/admin/supervision/{model}/").status_code == 200


def test_deadlines_cannot_be_added_or_changed_by_hand(admin_client, recent_case):
    deadline = Deadline.objects.filter(case=recent_case).first()
    assert admin_client.get("/admin/supervision/deadline/add/").status_code == 403
    admin_client.post(f"/admin/supervision/deadline/{deadline.pk}/change/", {"due_on": "2030-01-01"})
    deadline.refresh_from_db()
    assert deadline.due_on.year == 2026
