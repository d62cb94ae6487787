from django.apps import AppConfig


class BundlesConfig(AppConfig):
    name = "zhixing.bundles"
    label = "bundles"
    verbose_name = "关联案件与捆绑执行"
