from django.apps import AppConfig


class NettingConfig(AppConfig):
    name = "zhixing.netting"
    label = "netting"
    verbose_name = "抵销"
