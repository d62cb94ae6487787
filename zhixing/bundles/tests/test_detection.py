"""The detection finds exactly the related open cases that rules.RELATIONS define: every planted
relation (recall), nothing else (precision), on generated data with decoys."""

from __future__ import annotations

from collections import Counter

from zhixing.bundles.choices import RelationKind
from zhixing.bundles.detection import relate
from zhixing.bundles.models import Bundle, BundleCase
from zhixing.bundles.synthetic import expected_groups


def stored_groups() -> dict[tuple[int, bool, str, str], frozenset[int]]:
    members: dict[int, set[int]] = {}
    for bundle_id, case_id in BundleCase.objects.values_list("bundle_id", "case_id"):
        members.setdefault(bundle_id, set()).add(case_id)
    return {
        (b.scope_court_id, b.cross_court, b.kind, b.key): frozenset(members.get(b.pk, ()))
        for b in Bundle.objects.filter(dissolved_at__isnull=True)
    }


def test_it_finds_exactly_the_groups_the_rules_define(generated):
    result = relate()
    found = stored_groups()
    expected = expected_groups(generated)
    assert set(found) - set(expected) == set(), "groups found that the rules do not define"
    assert set(expected) - set(found) == set(), "groups the rules define that were not found"
    wrong = {k for k in expected if found[k] != expected[k]}
    assert not wrong, f"groups with other cases than expected: {sorted(wrong)[:5]}"
    kinds = Counter((kind, cross) for _, cross, kind, _ in found)
    assert all(kinds[(k, False)] > 0 for k in RelationKind), kinds
    assert all(kinds[(k, True)] > 0 for k in (RelationKind.SAME_RESPONDENT, RelationKind.SAME_APPLICANT,
                                               RelationKind.SAME_ASSET, RelationKind.MUTUAL)), kinds
    assert result.created == len(found) and result.changed == result.dissolved == 0


def test_every_planted_relation_is_found_in_its_scope(generated):
    relate()
    found = stored_groups()
    by_kind_key: dict[tuple[str, str, bool], list[frozenset[int]]] = {}
    for (_, cross, kind, key), case_ids in found.items():
        by_kind_key.setdefault((kind, key, cross), []).append(case_ids)
    missed = [p for p in generated.planted
              if not any(p.case_ids <= ids for ids in by_kind_key.get((p.kind, p.key, p.cross), []))]
    assert not missed, [(p.what, p.kind, p.key, sorted(p.case_ids)) for p in missed[:5]]
    assert {p.what for p in generated.planted} >= {"孟州：一公司与五人互负债务（14件）", "跨院同一被执行人", "姓名与出生日期相同"}


def test_decoys_are_not_grouped(generated):
    relate()
    keys = {(kind, key) for _, _, kind, key in stored_groups()}
    assert generated.decoys
    assert not [d for d in generated.decoys if d in keys]
