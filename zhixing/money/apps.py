from django.apps import AppConfig


class MoneyConfig(AppConfig):
    name = "zhixing.money"
    label = "money"
    verbose_name = "案款管理"
