from django.apps import AppConfig


class DistributionConfig(AppConfig):
    name = "zhixing.distribution"
    label = "distribution"
    verbose_name = "参与分配"
