from django.apps import AppConfig


class DisposalConfig(AppConfig):
    name = "zhixing.disposal"
    label = "disposal"
    verbose_name = "财产处置"
