"""Case money: a double-entry ledger in integer fen, one account per case (一案一账号).

`Journal` (记账凭证) and its `Posting` lines are append-only — the database refuses UPDATE and
DELETE (migration 0002); a mistake is corrected by a reversing journal. Every journal's postings sum
to zero. `Account.balance_fen` is the running balance on the account's normal side, kept in the
same transaction as the postings and never below zero (a database check, so not even a bug or a
race can overdraw an account); `ledger.verify` recomputes it from the postings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhixing.documents.formatting import yuan_text

from .choices import (
    OPEN_DEFERRAL_STATUSES,
    AccountKind,
    DeferralReason,
    DeferralStatus,
    JournalKind,
    OrderKind,
    OrderStatus,
    ReceiptChannel,
    ReceiptStatus,
)


class MoneySettings(models.Model):
    """A court's enforcement account and its payout approval chain."""

    court = models.OneToOneField("courts.Court", verbose_name="法院", on_delete=models.PROTECT, related_name="money_settings")
    bank_name = models.CharField("开户银行", max_length=100, blank=True)
    account_name = models.CharField("户名", max_length=100, blank=True)
    account_number = models.CharField("执行款专户账号", max_length=40, blank=True)
    # Virtual sub-account numbers are this prefix + the case's number + a check digit (Luhn), so a
    # payer's typing mistake is caught when the bank statement is imported.
    sub_account_prefix = models.CharField("子账号前缀", max_length=12, default="9558")
    approval_chain = models.JSONField("发款审批流程", default=list, blank=True,
                                      help_text='[{"role": "judge", "min_fen": 0}, …]；空：默认流程')
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "案款设置"

    def __str__(self) -> str:
        return f"{self.court} 案款设置"


class Account(models.Model):
    court = models.ForeignKey("courts.Court", verbose_name="法院", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("账户类型", max_length=10, choices=AccountKind.choices)
    case = models.OneToOneField("cases.EnforcementCase", verbose_name="案件", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="money_account")
    number = models.CharField("账号", max_length=40, unique=True)
    name = models.CharField("账户名称", max_length=200)
    balance_fen = models.BigIntegerField("余额（分）", default=0)
    opened_at = models.DateTimeField("开立时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "账户"
        constraints = [
            models.CheckConstraint(condition=Q(balance_fen__gte=0), name="money_account_never_negative"),
            models.UniqueConstraint(fields=["court", "kind"], condition=~Q(kind=AccountKind.CASE),
                                    name="money_one_ledger_account_per_kind"),
            models.CheckConstraint(condition=Q(kind=AccountKind.CASE, case__isnull=False) | (~Q(kind=AccountKind.CASE) & Q(case__isnull=True)),
                                   name="money_case_account_has_case"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.number}）"


class Journal(models.Model):
    """记账凭证: one business event, its postings summing to zero."""

    court = models.ForeignKey("courts.Court", verbose_name="法院", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类型", max_length=15, choices=JournalKind.choices)
    case = models.ForeignKey("cases.EnforcementCase", verbose_name="案件", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="money_journals")
    value_on = models.DateField("记账日期")
    posted_at = models.DateTimeField("记账时间")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField("经办人", max_length=50)
    memo = models.CharField("摘要", max_length=300)
    reason = models.CharField("理由", max_length=500, blank=True)
    reverses = models.OneToOneField("self", verbose_name="冲正的凭证", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="reversed_by")
    # Retries are idempotent: the same key posts once.
    key = models.CharField("幂等键", max_length=100, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = verbose_name_plural = "记账凭证"
        indexes = [models.Index(fields=["court", "value_on"], name="money_journal_court_day")]

    def __str__(self) -> str:
        return f"凭证{self.pk} {self.get_kind_display()} {self.memo}"


class Posting(models.Model):
    """One line of a journal: debit positive, credit negative."""

    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(Account, verbose_name="账户", on_delete=models.PROTECT, related_name="postings")
    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+", db_index=False)
    case = models.ForeignKey("cases.EnforcementCase", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", db_index=False)
    amount_fen = models.BigIntegerField("金额（分，借正贷负）")
    value_on = models.DateField("记账日期")

    class Meta:
        verbose_name = verbose_name_plural = "分录"
        indexes = [
            models.Index(fields=["account", "value_on"], name="money_posting_account_day"),
            models.Index(fields=["court", "value_on"], name="money_posting_court_day"),
        ]
        constraints = [models.CheckConstraint(condition=~Q(amount_fen=0), name="money_posting_not_zero")]

    def __str__(self) -> str:
        return f"{'借' if self.amount_fen > 0 else '贷'} {yuan_text(abs(self.amount_fen))}"


class Receipt(models.Model):
    """到账: money the bank says arrived on the enforcement account. Without a case it is 不明款 and
    waits in suspense until assigned to its case or returned, by `assign_due`."""

    court = models.ForeignKey("courts.Court", verbose_name="法院", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.EnforcementCase", verbose_name="案件", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="receipts")
    channel = models.CharField("来源", max_length=10, choices=ReceiptChannel.choices)
    status = models.CharField("状态", max_length=12, choices=ReceiptStatus.choices)
    amount_fen = models.BigIntegerField("金额（分）")
    received_on = models.DateField("到账日期")
    payer_name = models.CharField("付款人", max_length=100, blank=True)
    payer_account = models.CharField("付款账号", max_length=40, blank=True)
    sub_account_number = models.CharField("收款子账号", max_length=40, blank=True)
    bank_reference = models.CharField("银行流水号", max_length=60, blank=True)
    note = models.CharField("附言", max_length=300, blank=True)
    assign_due = models.DateField("认领期限", null=True, blank=True)
    journal = models.OneToOneField(Journal, on_delete=models.PROTECT, related_name="receipt")
    assign_journal = models.ForeignKey(Journal, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # 不明款退回: the bank reference of the payment back, matched against the statement's debit line.
    return_journal = models.ForeignKey(Journal, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    return_reference = models.CharField("退回流水号", max_length=60, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "到账记录"
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="money_receipt_positive"),
            models.UniqueConstraint(fields=["court", "bank_reference"], condition=~Q(bank_reference=""),
                                    name="money_receipt_unique_bank_reference"),
        ]
        indexes = [models.Index(fields=["court", "status", "received_on"], name="money_receipt_court_status")]

    def __str__(self) -> str:
        return f"到账 {yuan_text(self.amount_fen)}（{self.received_on}）"


class PayoutOrder(models.Model):
    """付款单: pay out to an applicant, refund a payer, or move money to another case — ordered by the
    case team, approved step by step along the court's chain, then paid by the finance desk."""

    court = models.ForeignKey("courts.Court", verbose_name="法院", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.EnforcementCase", verbose_name="案件", on_delete=models.PROTECT, related_name="payout_orders")
    kind = models.CharField("类型", max_length=10, choices=OrderKind.choices, default=OrderKind.PAYOUT)
    status = models.CharField("状态", max_length=10, choices=OrderStatus.choices, default=OrderStatus.PENDING)
    amount_fen = models.BigIntegerField("金额（分）")
    payee_name = models.CharField("收款人", max_length=100, blank=True)
    payee_account = models.CharField("收款账号", max_length=40, blank=True)
    payee_bank = models.CharField("开户行", max_length=100, blank=True)
    target_case = models.ForeignKey("cases.EnforcementCase", verbose_name="划入案件", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    non_cash = models.BooleanField("非现金清偿（抵销）", default=False)
    reason = models.CharField("事由", max_length=500)
    chain = models.JSONField("审批流程", default=list)  # the court's steps that apply, copied when ordered
    next_step = models.PositiveSmallIntegerField("待审批步骤", default=0)
    ordered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+")
    ordered_at = models.DateTimeField("申请时间")
    paid_on = models.DateField("支付日期", null=True, blank=True)
    bank_reference = models.CharField("银行流水号", max_length=60, blank=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    journal = models.OneToOneField(Journal, null=True, blank=True, on_delete=models.PROTECT, related_name="order")
    closed_note = models.CharField("撤回或不予批准理由", max_length=500, blank=True)
    key = models.CharField("幂等键", max_length=100, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = verbose_name_plural = "付款单"
        ordering = ["-ordered_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="money_order_positive"),
            models.UniqueConstraint(fields=["court", "bank_reference"], condition=~Q(bank_reference=""),
                                    name="money_order_unique_bank_reference"),
        ]
        indexes = [models.Index(fields=["court", "status"], name="money_order_court_status")]

    def __str__(self) -> str:
        return f"付款单{self.pk} {self.get_kind_display()} {yuan_text(self.amount_fen)}"

    @property
    def step_role(self) -> str | None:
        return self.chain[self.next_step]["role"] if self.status == OrderStatus.PENDING and self.next_step < len(self.chain) else None


class Approval(models.Model):
    order = models.ForeignKey(PayoutOrder, on_delete=models.PROTECT, related_name="approvals")
    step = models.PositiveSmallIntegerField("步骤")
    role = models.CharField("审批角色", max_length=20)
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", on_delete=models.PROTECT, related_name="+")
    approved = models.BooleanField("同意")
    note = models.CharField("意见", max_length=500, blank=True)
    at = models.DateTimeField("审批时间")

    class Meta:
        verbose_name = verbose_name_plural = "审批记录"
        ordering = ["order", "step"]
        constraints = [models.UniqueConstraint(fields=["order", "step"], name="money_approval_one_per_step")]

    def __str__(self) -> str:
        return f"付款单{self.order_id} 第{self.step + 1}步 {'同意' if self.approved else '不予批准'}"


class PayoutDeferral(models.Model):
    """暂缓发放: the case team asks, the bureau head or a court leader approves; while it runs the
    payout deadline does not run, and when its reason ends the money is due within 10 days."""

    court = models.ForeignKey("courts.Court", verbose_name="法院", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.EnforcementCase", verbose_name="案件", on_delete=models.PROTECT,
                             related_name="payout_deferrals")
    reason_kind = models.CharField("暂缓事由", max_length=20, choices=DeferralReason.choices)
    reason = models.CharField("具体理由", max_length=500)
    status = models.CharField("状态", max_length=10, choices=DeferralStatus.choices, default=DeferralStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("申请时间")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=500, blank=True)
    started_on = models.DateField("暂缓起始日", null=True, blank=True)
    ended_on = models.DateField("事由消除日", null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    end_note = models.CharField("事由消除情况", max_length=500, blank=True)
    resume_due = models.DateField("恢复发放期限", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "暂缓发放"
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(status__in=OPEN_DEFERRAL_STATUSES),
                                    name="money_one_open_deferral_per_case"),
        ]

    def __str__(self) -> str:
        return f"暂缓发放 {self.case} {self.get_status_display()}"


class FeeRemittance(models.Model):
    """执行费上缴: fee income leaves the enforcement account for the treasury; its bank reference
    matches the statement's debit line."""

    court = models.ForeignKey("courts.Court", verbose_name="法院", on_delete=models.PROTECT, related_name="+")
    amount_fen = models.BigIntegerField("金额（分）")
    remitted_on = models.DateField("上缴日期")
    bank_reference = models.CharField("银行流水号", max_length=60)
    note = models.CharField("说明", max_length=300, blank=True)
    journal = models.OneToOneField(Journal, on_delete=models.PROTECT, related_name="remittance")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "执行费上缴"
        ordering = ["-remitted_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="money_remittance_positive"),
            models.UniqueConstraint(fields=["court", "bank_reference"], name="money_remittance_unique_bank_reference"),
        ]

    def __str__(self) -> str:
        return f"执行费上缴 {yuan_text(self.amount_fen)}（{self.remitted_on}）"


class StatementImport(models.Model):
    """An imported bank statement of the court's enforcement account (对账单). The same file twice is
    one import; a line already seen (same bank reference) is never booked again."""

    court = models.ForeignKey("courts.Court", verbose_name="法院", on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField("文件名", max_length=255)
    sha256 = models.CharField("文件摘要", max_length=64)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)
    first_on = models.DateField("起始日期", null=True)
    last_on = models.DateField("截止日期", null=True)
    line_count = models.PositiveIntegerField("行数", default=0)
    new_line_count = models.PositiveIntegerField("新增行数", default=0)
    credit_fen = models.BigIntegerField("收入合计（分）", default=0)
    debit_fen = models.BigIntegerField("支出合计（分）", default=0)
    # The bank's own balances, when the file carries them: after the first line and the last line
    # (in date order), and the closing balance of each day ({"2026-03-01": fen}) for reconciliation.
    opening_balance_fen = models.BigIntegerField("期初余额（分）", null=True, blank=True)
    closing_balance_fen = models.BigIntegerField("期末余额（分）", null=True, blank=True)
    report = models.JSONField("导入结果", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "银行对账单"
        ordering = ["-imported_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["court", "sha256"], name="money_statement_unique_file")]

    def __str__(self) -> str:
        return f"对账单 {self.file_name}"


class LineStatus(models.TextChoices):
    MATCHED_RECEIPT = "matched_receipt", "与已登记到账相符"
    BOOKED = "booked", "已据此入案款账户"
    SUSPENSE = "suspense", "已据此挂不明款"
    MATCHED_PAYOUT = "matched_payout", "与已支付付款单相符"
    MATCHED_RETURN = "matched_return", "与不明款退回相符"
    MATCHED_REMIT = "matched_remit", "与执行费上缴相符"
    UNMATCHED = "unmatched", "未匹配"


class StatementLine(models.Model):
    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+", db_index=False)
    statement = models.ForeignKey(StatementImport, on_delete=models.PROTECT, related_name="lines")
    line_no = models.PositiveIntegerField("行号")
    value_on = models.DateField("交易日期")
    amount_fen = models.BigIntegerField("金额（分，收入为正）")
    counterparty_name = models.CharField("对方户名", max_length=100, blank=True)
    counterparty_account = models.CharField("对方账号", max_length=40, blank=True)
    sub_account_number = models.CharField("子账号", max_length=40, blank=True)
    bank_reference = models.CharField("银行流水号", max_length=60)
    summary = models.CharField("摘要", max_length=200, blank=True)
    status = models.CharField("对账状态", max_length=20, choices=LineStatus.choices)
    receipt = models.ForeignKey(Receipt, null=True, blank=True, on_delete=models.PROTECT, related_name="statement_lines")
    order = models.ForeignKey(PayoutOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="statement_lines")
    balance_fen = models.BigIntegerField("余额（分）", null=True, blank=True)
    # The ledger journal that moved the bank account for this line (the receipt's, the payment's or the
    # return's): a bank movement of the ledger with no line pointing at it is unmatched.
    journal = models.ForeignKey(Journal, null=True, blank=True, on_delete=models.PROTECT, related_name="statement_lines")
    note = models.CharField("对账说明", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "对账单明细"
        ordering = ["statement", "line_no"]
        constraints = [models.UniqueConstraint(fields=["court", "bank_reference"], name="money_statement_line_unique_reference")]
        indexes = [
            models.Index(fields=["court", "value_on"], name="money_statement_line_day"),
            models.Index(fields=["court", "status", "value_on"], name="money_statement_line_status"),
        ]

    def __str__(self) -> str:
        return f"{self.value_on} {yuan_text(self.amount_fen)} {self.bank_reference}"
