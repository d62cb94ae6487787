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
