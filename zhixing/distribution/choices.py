from django.db import models


class PlanStatus(models.TextChoices):
    """A plan version's life: edited only as a draft; once served never changed again."""

    DRAFT = "draft", "草稿"
    SERVED = "served", "已送达，异议期中"
    OBJECTED = "objected", "有异议"
    FINAL = "final", "已生效"
    EXECUTED = "executed", "已执行（已申请发放）"
    SUPERSEDED = "superseded", "已被新版本取代"
    WITHDRAWN = "withdrawn", "草稿已撤销"


# A case has at most one plan in these states (a database constraint): the one being worked on.
OPEN_PLAN_STATUSES = (PlanStatus.DRAFT, PlanStatus.SERVED, PlanStatus.OBJECTED, PlanStatus.FINAL)
# Served and not yet executed: objections may still be lodged (a posted one counts by its postmark).
OBJECTABLE_STATUSES = (PlanStatus.SERVED, PlanStatus.OBJECTED, PlanStatus.FINAL)


class Method(models.TextChoices):
    PRO_RATA = "pro_rata", "按债权比例受偿"
    BY_SEIZURE = "by_seizure", "按查封、扣押、冻结先后顺序受偿"


class Tier(models.TextChoices):
    """The order the proceeds pay in: costs, then priority claims, then ordinary claims."""

    COST = "cost", "执行费用"
    PRIORITY = "priority", "优先受偿债权"
    ORDINARY = "ordinary", "普通债权"


class PriorityKind(models.TextChoices):
    SECURED = "secured", "担保物权（抵押、质押、留置）"
    WAGE = "wage", "劳动报酬"
    CONSTRUCTION = "construction", "建设工程价款"
    OTHER = "other", "其他优先受偿权"


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", "待处理"
    WITHDRAWN = "withdrawn", "已撤回"
    UPHELD = "upheld", "异议成立，须修改方案"
    STANDS = "stands", "有反对意见，异议人未起诉，按原方案分配"
    SUIT = "suit", "异议人已起诉，争议款项暂缓发放"
    SUIT_ENDED = "suit_ended", "诉讼已结束"


# Decided: nothing left to do about them before the plan is carried out.
SETTLED_OBJECTION_STATUSES = (ObjectionStatus.WITHDRAWN, ObjectionStatus.STANDS, ObjectionStatus.SUIT,
                              ObjectionStatus.SUIT_ENDED)
