from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "zhixing.documents"
    label = "documents"
    verbose_name = "执行文书"
