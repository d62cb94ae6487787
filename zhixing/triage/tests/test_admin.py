"""系统管理 → 繁简分流设置: a new version with its rules inline, checked like the rules page; a saved
version can be viewed but not changed or deleted."""

from __future__ import annotations

from zhixing.accounts.models import User
from zhixing.triage.models import TriagePolicy


def admin_post(court, **rule) -> dict:
    data = {"court": court.pk, "default_track": "ordinary", "weight_fast": "1", "weight_ordinary": "2",
            "weight_special": "3", "note": "管理员设置",
            "rules-TOTAL_FORMS": "1", "rules-INITIAL_FORMS": "0", "rules-MIN_NUM_FORMS": "0", "rules-MAX_NUM_FORMS": "1000",
            "rules-0-position": "1", "rules-0-kind": "amount_at_most", "rules-0-params": '{"max_fen": 5000000}',
            "rules-0-track": "fast", "rules-0-team_type": "", "rules-0-reason": "小额快执", "rules-0-citation": "孟州"}
    data.update({f"rules-0-{k}": v for k, v in rule.items()})
    return data


def test_an_administrator_adds_a_version_and_cannot_change_it(client, courts):
    admin = User.objects.create_superuser("root", password="zhixing-test-pw")
    client.force_login(admin)
    bad = client.post("/admin/triage/triagepolicy/add/", admin_post(courts["court"], params='{"max_fen": 0}'))
    assert bad.status_code == 200 and "须在 1 至" in bad.content.decode() and not TriagePolicy.objects.exists()
    response = client.post("/admin/triage/triagepolicy/add/", admin_post(courts["court"]))
    assert response.status_code == 302
    policy = TriagePolicy.objects.get()
    assert (policy.version, policy.created_by, policy.rules.get().court_id) == (1, admin, courts["court"].pk)
    client.post("/admin/triage/triagepolicy/add/", admin_post(courts["court"], reason="第二版"))
    assert list(TriagePolicy.objects.order_by("version").values_list("version", flat=True)) == [1, 2]
    change = client.post(f"/admin/triage/triagepolicy/{policy.pk}/change/", admin_post(courts["court"], reason="改"))
    assert change.status_code == 403 and policy.rules.get().reason == "小额快执"
    assert client.get(f"/admin/triage/triagepolicy/{policy.pk}/delete/").status_code == 403
