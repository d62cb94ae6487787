from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "zhixing.workdays"
    verbose_name = "工作日历"
