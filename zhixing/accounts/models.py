import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from .choices import READ_ONLY_ROLES, Role


class User(AbstractUser):
    """A member of a court's staff. `first_name` is unused: Chinese names are kept whole in `full_name`."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    court = models.ForeignKey(
        "courts.Court", verbose_name="所在法院", null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices, blank=True)
    team = models.ForeignKey(
        "courts.Team", verbose_name="所在团队", null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def is_read_only(self) -> bool:
        return self.role in READ_ONLY_ROLES


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def user_for(self, token: str) -> "User | None":
        row = self.filter(key_hash=_hash(token), revoked_at__isnull=True).select_related("user").first()
        if row is None or not row.user.is_active:
            return None
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        return row.user


class ApiToken(models.Model):
    """A bearer token for programs. Only its hash is stored; the token is shown once at creation."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=100, blank=True)
    prefix = models.CharField("前缀", max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "API令牌"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @classmethod
    def issue(cls, *, user: User, name: str = "") -> tuple["ApiToken", str]:
        token = "zx_" + secrets.token_urlsafe(32)
        row = cls.objects.create(user=user, name=name, prefix=token[:10], key_hash=_hash(token))
        return row, token
