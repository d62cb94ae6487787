from django.core.management.base import BaseCommand

from zhixing.demo.province import print_demo_logins


class Command(BaseCommand):
    help = "Print the demo logins (username, 姓名, 法院, 角色, password) of a database built by `zhixing demo`."

    def handle(self, *args, **options):
        print_demo_logins(self.stdout)
