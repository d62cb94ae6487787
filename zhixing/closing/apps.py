from django.apps import AppConfig


class ClosingConfig(AppConfig):
    name = "zhixing.closing"
    verbose_name = "结案、终本与执转破"
