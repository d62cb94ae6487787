import datetime as dt
from collections import Counter, defaultdict
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Max

from zhixing.accounts.choices import Role
from zhixing.accounts.models import User
from zhixing.cases import deadlines, services
from zhixing.cases.choices import STAGE_ORDER, SUPERVISION_ACTIONS, CaseStatus, ClosingType, Stage
from zhixing.cases.identity import check_credit_code, check_id_number
from zhixing.cases.inputs import parse_case
from zhixing.cases.models import CaseNumberSequence, EnforcementCase, LogEntry, NodeRecord, Party
from zhixing.cases.rules import NODES_BY_CODE
from zhixing.courts.choices import CourtLevel, TeamType
from zhixing.courts.models import Court, Division, Team
from zhixing.demo.builder import database_digest, plan_digest
from zhixing.demo.province import DEMO_LOGINS, DEMO_PASSWORD
from zhixing.testing.fixtures import case_payload
from zhixing.testing.logtamper import log_edits_allowed

TODAY = dt.date(2026, 6, 15)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def build(cases: int = 300, seed: int = 7) -> str:
    out = StringIO()
    call_command("demo", cases=cases, seed=seed, today=TODAY.isoformat(), stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def demo(db):
    return build()


def test_it_builds_a_province_of_nine_courts_with_every_role_and_team_type(demo):
    levels = Counter(Court.objects.values_list("level", flat=True))
    assert levels == {CourtLevel.HIGH: 1, CourtLevel.INTERMEDIATE: 2, CourtLevel.BASIC: 6}
    assert Court.objects.get(court_code="浙0106").parent.court_code == "浙01"
    for court in Court.objects.all():
        assert set(Division.objects.filter(court=court).values_list("name", flat=True)) == {"执行局", "执行指挥中心"}
    for court in Court.objects.filter(level=CourtLevel.BASIC):
        assert set(Team.objects.filter(court=court).values_list("team_type", flat=True)) == set(TeamType.values)
    assert set(User.objects.exclude(role="").values_list("role", flat=True)) == set(Role.values)
    supervisor_levels = set(User.objects.filter(role=Role.SUPERVISOR).values_list("court__level", flat=True))
    assert supervisor_levels == {CourtLevel.HIGH, CourtLevel.INTERMEDIATE}
    assert EnforcementCase.objects.count() == 300


def test_the_demo_logins_work_and_are_printed(demo, client):
    for username, court_code, role in DEMO_LOGINS:
        user = User.objects.get(username=username)
        assert (user.court.court_code, user.role) == (court_code, role)
        assert user.full_name and user.username in demo
    assert User.objects.get(username="admin").is_superuser
    assert client.login(username="judge", password=DEMO_PASSWORD)
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "supervisor" in out.getvalue() and "杭州市中级人民法院" in out.getvalue() and DEMO_PASSWORD in out.getvalue()


def test_it_refuses_a_database_that_already_has_courts(demo):
    with pytest.raises(CommandError, match="已有数据"):
        build(cases=10)
    assert EnforcementCase.objects.count() == 300


def test_the_same_seed_gives_the_same_numbers_and_log_hashes(demo):
    written = database_digest()
    assert written == plan_digest(cases=300, seed=7, today=TODAY)
    assert plan_digest(cases=300, seed=8, today=TODAY) != written


def test_case_numbers_follow_filing_order_and_registration_continues_after_them(demo):
    last = defaultdict(int)
    for court_id, year, case_type, sequence in EnforcementCase.objects.order_by("filed_on", "created_at").values_list(
        "court_id", "year", "case_type", "sequence"
    ):
        assert sequence > last[(court_id, year, case_type)]
        last[(court_id, year, case_type)] = sequence
    stored = {(s.court_id, s.year, s.case_type): s.last_value for s in CaseNumberSequence.objects.all()}
    assert stored == dict(last)

    judge = User.objects.get(username="judge")
    filed_on = TODAY - dt.timedelta(days=1)
    case = services.case_register(actor=judge, data=parse_case(case_payload("浙0106", filed_on=filed_on), today=TODAY))
    before = EnforcementCase.objects.filter(court=judge.court, year=filed_on.year, case_type="执").exclude(pk=case.pk)
    assert case.sequence == before.aggregate(m=Max("sequence"))["m"] + 1


def test_case_histories_respect_the_rules(demo):
    for case in EnforcementCase.objects.all():
        assert case.filed_on < TODAY
        assert 0 <= case.performed_amount_fen <= case.claim_amount_fen
        assert case.close_due == deadlines.registration_deadlines(case.filed_on)["close_due"]
        if case.status == CaseStatus.OPEN:
            assert case.stage != Stage.ARCHIVE and not case.closing_type
            assert case.performed_amount_fen == 0 or case.stage == Stage.PAYOUT  # money arrived, payout prepared
            continue
        assert case.filed_on <= case.closed_on < TODAY and case.stage == Stage.ARCHIVE
        assert case.archive_due == deadlines.archive_deadline(case.closed_on)
        if case.closing_type == ClosingType.PERFORMED:
            assert case.performed_amount_fen == case.claim_amount_fen
        if case.closing_type == ClosingType.TERMINATE_CURRENT:
            assert case.closed_on >= deadlines.earliest_zhongben(case.filed_on)
        if case.status == CaseStatus.ARCHIVED:
            assert case.closed_on < case.archived_on < TODAY


def test_nodes_follow_the_catalogue_and_the_log_follows_the_nodes(demo):
    users = {u.pk: u for u in User.objects.all()}
    nodes_by_case = defaultdict(list)
    for record in NodeRecord.objects.order_by("case_id", "recorded_at", "id"):
        nodes_by_case[record.case_id].append(record)
    logs_by_case = defaultdict(list)
    # The demo's month of nightly supervision appends lock entries after the built history.
    assert LogEntry.objects.filter(action="lock", actor__isnull=True).exists()
    # Case money's fee and approvals are entries without a node, as in the money services.
    for entry in LogEntry.objects.exclude(action__in=SUPERVISION_ACTIONS).order_by("case_id", "seq"):
        if entry.node_code or entry.action not in ("money", "money_order"):
            logs_by_case[entry.case_id].append(entry)
    for case in EnforcementCase.objects.all():
        records, entries = nodes_by_case[case.pk], logs_by_case[case.pk]
        assert [r.node_code for r in records] == [e.node_code for e in entries]
        assert records[0].node_code == "register" and records[0].occurred_on == case.filed_on
        seen, stage = set(), Stage.QUERY
        for record in records:
            node = NODES_BY_CODE[record.node_code]
            assert users[record.recorded_by_id].role in node.roles, (case, node.code)
            assert not (node.once and node.code in seen)
            assert not node.requires or seen.intersection(node.requires), (case, node.code)
            assert case.filed_on <= record.occurred_on < TODAY
            seen.add(node.code)
            if node.stage and STAGE_ORDER[Stage(node.stage)] > STAGE_ORDER[Stage(stage)]:
                stage = node.stage
        assert case.stage == stage
        assert ("assign" in seen) == (case.handler_id is not None)
        times = [e.at for e in entries]
        assert times == sorted(times) and len(set(times)) == len(times)
        for at in times:
            local = at.astimezone(SHANGHAI).time()
            assert dt.time(8, 30) <= local < dt.time(19, 0)
        assert case.created_at == entries[0].at


def test_every_identity_number_is_valid(demo):
    for kind, id_number, credit_code in Party.objects.values_list("kind", "id_number", "credit_code"):
        if kind == "natural_person":
            assert not check_id_number(id_number, today=TODAY).warnings
        else:
            check_credit_code(credit_code)


def test_verify_log_passes_on_the_demo_and_names_a_tampered_case(demo):
    out = StringIO()
    call_command("verify_log", stdout=out)
    assert "已核验" in out.getvalue() and "300 个案件" in out.getvalue()

    entry = LogEntry.objects.filter(seq=3).order_by("case_id").first()
    with log_edits_allowed():
        LogEntry.objects.filter(pk=entry.pk).update(summary=entry.summary + "（已改）")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_log", stdout=out)
    assert out.getvalue().splitlines() == [f"{entry.case.case_number}\t第3条\t内容与摘要不符（日志被篡改）"]


def test_proportions_on_two_thousand_cases_look_like_a_real_bureau(db):
    build(cases=2000, seed=3)
    cases = EnforcementCase.objects.all()
    closed = cases.exclude(status=CaseStatus.OPEN)
    assert 0.44 <= closed.count() / 2000 <= 0.56
    kinds = Counter(closed.values_list("closing_type", flat=True))
    assert 0.34 <= kinds[ClosingType.PERFORMED] / closed.count() <= 0.46
    assert 0.39 <= kinds[ClosingType.TERMINATE_CURRENT] / closed.count() <= 0.51
    assert set(kinds) == set(ClosingType.values)
    assert set(cases.filter(status=CaseStatus.OPEN).values_list("stage", flat=True)) == {
        Stage.QUERY, Stage.CONTROL, Stage.DISPOSAL, Stage.PAYOUT}
    assert 0.7 <= cases.filter(status=CaseStatus.ARCHIVED).count() / closed.count() <= 0.95
    # Older cases are more often closed.
    old = cases.filter(filed_on__lt=TODAY - dt.timedelta(days=730))
    young = cases.filter(filed_on__gte=TODAY - dt.timedelta(days=365))
    assert old.exclude(status=CaseStatus.OPEN).count() / old.count() > young.exclude(status=CaseStatus.OPEN).count() / young.count()
    amounts = sorted(cases.values_list("claim_amount_fen", flat=True))
    assert 3_000_000 <= amounts[1000] <= 8_000_000  # median ≈ 50,000 yuan
    assert amounts[-1] >= 1_000_000_000  # a tail into the tens of millions at least


def test_its_measures_are_records_supervision_watches(demo):
    from zhixing.cases.models import NodeRecord
    from zhixing.property.measures import statutory_end
    from zhixing.property.models import ControlMeasure
    from zhixing.property.rules import PERIOD_CLASSES
    from zhixing.supervision.models import Deadline

    measure_nodes = NodeRecord.objects.filter(node_code__in=["freeze", "network_freeze", "seal", "detain", "deduct"])
    measures = list(ControlMeasure.objects.all())
    assert measures and len(measures) <= measure_nodes.count()  # one per node (cases without an ID'd respondent: none)
    for m in measures:
        if m.status == "queued" or not m.period_class:
            assert m.ends_on is None
        else:
            assert m.ends_on == statutory_end(PERIOD_CLASSES[m.period_class], m.started_on)
    running = ControlMeasure.objects.filter(status="active", period_class="deposit").values_list("case_id", flat=True)
    assert set(running) <= set(Deadline.objects.filter(rule_code="measure_bank").values_list("case_id", flat=True))


# ---------------------------------------------------------------- case money


def test_every_court_has_a_finance_desk_and_its_books_verify(demo):
    from zhixing.money import ledger
    from zhixing.money.choices import AccountKind, ReceiptStatus
    from zhixing.money.models import Account, Receipt

    for court in Court.objects.all():
        assert User.objects.filter(court=court, role=Role.FINANCE).count() == 1
        unidentified = Receipt.objects.filter(court=court, status=ReceiptStatus.UNIDENTIFIED)
        assert unidentified.count() >= 3
        suspense = Account.objects.get(court=court, kind=AccountKind.SUSPENSE).balance_fen
        assert suspense == sum(r.amount_fen for r in unidentified)
    assert Receipt.objects.filter(status=ReceiptStatus.UNIDENTIFIED, assign_due__lt=TODAY).exists()  # some overdue
    assert Receipt.objects.filter(status=ReceiptStatus.UNIDENTIFIED, assign_due__gte=TODAY).exists()
    assert ledger.verify() == []


def test_case_money_follows_the_money_nodes_and_performed_is_what_arrived(demo):
    from zhixing.money import services
    from zhixing.money.choices import JournalKind, OrderStatus, ReceiptStatus
    from zhixing.money.models import Account, Journal, PayoutOrder, Receipt
    from zhixing.money.rules import DEFAULT_APPROVAL_CHAIN, application_fee_fen

    nodes = defaultdict(Counter)
    for case_id, code in NodeRecord.objects.filter(node_code__in=["funds_received", "payout_prepared", "payout_done"]
                                                   ).values_list("case_id", "node_code"):
        nodes[case_id][code] += 1
    received = defaultdict(list)
    for receipt in Receipt.objects.exclude(case=None):
        received[receipt.case_id].append(receipt)
    users = {u.pk: u for u in User.objects.all()}
    kinds = Counter()
    for case in EnforcementCase.objects.all():
        receipts = received[case.pk]
        assert nodes[case.pk]["funds_received"] == len(receipts)
        assert {r.status for r in receipts} <= {ReceiptStatus.BOOKED, ReceiptStatus.ASSIGNED}
        assert case.performed_amount_fen == sum(r.amount_fen for r in receipts)
        if not receipts:
            assert not Account.objects.filter(case=case).exists()
            assert case.status != CaseStatus.OPEN or not nodes[case.pk]["payout_prepared"]
            continue
        fee = application_fee_fen(case.performed_amount_fen)
        assert services.fee_status(case)["outstanding_fen"] == 0
        assert Journal.objects.get(case=case, kind=JournalKind.FEE).postings.get(amount_fen__gt=0).amount_fen == fee
        order = PayoutOrder.objects.get(case=case)
        assert order.amount_fen == case.performed_amount_fen - fee
        chain = [s.role for s in DEFAULT_APPROVAL_CHAIN if order.amount_fen >= s.min_fen]
        assert [step["role"] for step in order.chain] == chain
        approvals = list(order.approvals.all())
        assert [a.step for a in approvals] == list(range(order.next_step))
        approvers = [a.approver_id for a in approvals]
        assert order.ordered_by_id not in approvers and len(set(approvers)) == len(approvers)  # separation of duties
        assert all(users[a.approver_id].role == a.role == chain[a.step] for a in approvals)
        balance = Account.objects.get(case=case).balance_fen
        if case.status == CaseStatus.OPEN:
            assert case.stage == Stage.PAYOUT and order.status in (OrderStatus.PENDING, OrderStatus.APPROVED)
            assert (order.status == OrderStatus.APPROVED) == (order.next_step == len(chain))
            assert balance == order.amount_fen == services.held_fen(case.pk)  # all of it promised to the order
            assert nodes[case.pk]["payout_done"] == 0
        else:
            assert order.status == OrderStatus.PAID and order.journal.kind == JournalKind.PAYOUT
            assert balance == 0 and nodes[case.pk]["payout_done"] == 1
            assert users[order.paid_by_id].role == Role.FINANCE
        kinds[(case.status == CaseStatus.OPEN, order.status)] += 1
    assert kinds[(False, OrderStatus.PAID)] and kinds[(True, OrderStatus.PENDING)] and kinds[(True, OrderStatus.APPROVED)]


def test_the_money_services_carry_on_from_the_demo(demo):
    from zhixing.money import ledger, services
    from zhixing.money.choices import OrderStatus
    from zhixing.money.models import PayoutOrder, Receipt

    court = Court.objects.get(court_code="浙0106")
    finance = User.objects.get(username="finance")
    pending = PayoutOrder.objects.filter(court=court, status=OrderStatus.PENDING).first()
    while pending.status == OrderStatus.PENDING:
        approver = next(u for u in User.objects.filter(court=court, role=pending.step_role)
                        if services.decide_refusal(u, pending) is None)
        pending = services.order_decide(actor=approver, order=pending, approve=True)
    services.order_pay(actor=finance, order=pending, bank_reference="DEMO-TEST-1")
    assert services.available_fen(pending.case) == 0 and ledger.verify() == []
    waiting = Receipt.objects.filter(court=court, case=None).first()
    services.receipt_assign(actor=finance, receipt=waiting, case=pending.case)
    case = EnforcementCase.objects.get(pk=pending.case_id)
    number = ledger.case_account(case).number
    assert services.case_by_sub_account(court.pk, number) == case
    assert ledger.verify() == []
