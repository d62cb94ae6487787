from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "zhixing.demo"
    verbose_name = "演示数据"
