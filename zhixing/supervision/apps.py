from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "zhixing.supervision"
    verbose_name = "督办与预警"
