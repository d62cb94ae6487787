from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "zhixing.indicators"
    verbose_name = "质效指标"
