from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "zhixing.cases"
    verbose_name = "执行案件"
