from django.db import models


class AccountKind(models.TextChoices):
    """Accounts of a court's enforcement money. Asset accounts hold what the bank holds; the others
    say whose it is. At every moment the bank account equals the sum of the others (double entry)."""

    BANK = "bank", "执行款专户（银行存款）"
    CASE = "case", "案款子账户"
    SUSPENSE = "suspense", "不明款挂账"
    FEE = "fee", "执行费收入"
    NONCASH = "noncash", "非现金清偿（抵销）"


# Debit-normal accounts: a debit raises their balance. The rest are credit-normal.
ASSET_KINDS = frozenset({AccountKind.BANK, AccountKind.NONCASH})


class JournalKind(models.TextChoices):
    RECEIPT = "receipt", "到账"
    ASSIGN = "assign", "不明款认领"
    RETURN = "return", "不明款退回"
    FEE = "fee", "结算执行费"
    PAYOUT = "payout", "发放"
    REFUND = "refund", "退款"
    TRANSFER = "transfer", "案件间划转"
    REMIT = "remit", "执行费上缴"
    REVERSAL = "reversal", "冲正"


class ReceiptChannel(models.TextChoices):
    VOLUNTARY = "voluntary", "主动履行"
    DEDUCTION = "deduction", "扣划"
    AUCTION = "auction", "拍卖价款"
    SALE = "sale", "变卖价款"
    SET_OFF = "set_off", "抵销"
    OTHER = "other", "其他"


class ReceiptStatus(models.TextChoices):
    BOOKED = "booked", "已入案款账户"
    UNIDENTIFIED = "unidentified", "不明款待认领"
    ASSIGNED = "assigned", "不明款已认领"
    RETURNED = "returned", "不明款已退回"
    REVERSED = "reversed", "已冲正"


class OrderKind(models.TextChoices):
    PAYOUT = "payout", "发放执行款"
    REFUND = "refund", "退还款项"
    TRANSFER = "transfer", "划转至他案"


class OrderStatus(models.TextChoices):
    PENDING = "pending", "审批中"
    APPROVED = "approved", "已批准待支付"
    PAID = "paid", "已支付"
    REJECTED = "rejected", "未批准"
    CANCELLED = "cancelled", "已撤回"


OPEN_ORDER_STATUSES = (OrderStatus.PENDING, OrderStatus.APPROVED)


class DeferralReason(models.TextChoices):
    """The grounds on which payout may be deferred (法发〔2017〕6号; rules.md §8)."""

    DISTRIBUTION = "distribution", "需要进行案款分配"
    FROZEN_ELSEWHERE = "frozen_elsewhere", "案款被其他法院或有关机关冻结"
    NOT_COLLECTING = "not_collecting", "申请执行人经通知未领取"
    SUSPENDED = "suspended", "案件中止执行或暂缓执行"
    OTHER = "other", "其他正当理由"


class DeferralStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    ACTIVE = "active", "暂缓发放中"
    REJECTED = "rejected", "未批准"
    ENDED = "ended", "事由消除，恢复发放"


OPEN_DEFERRAL_STATUSES = (DeferralStatus.PENDING, DeferralStatus.ACTIVE)
