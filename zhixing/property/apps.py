from django.apps import AppConfig


class PropertyConfig(AppConfig):
    name = "zhixing.property"
    label = "property"
    verbose_name = "财产查控"
