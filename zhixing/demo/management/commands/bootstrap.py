from django.core.management import call_command
from django.core.management.base import BaseCommand

from zhixing.courts.models import Court


class Command(BaseCommand):
    help = "For `make run`: build the demo province when the database is empty, else print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--demo-cases", type=int, default=2000)

    def handle(self, demo_cases: int, **options):
        if Court.objects.exists():
            self.stdout.write("数据库已有数据，沿用现有数据。")
            call_command("demo_logins", stdout=self.stdout)
        else:
            self.stdout.write(f"数据库为空，正在生成演示省份与 {demo_cases} 件案件……")
            call_command("demo", cases=demo_cases, stdout=self.stdout)
