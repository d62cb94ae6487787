from django.core.management.base import BaseCommand, CommandError

from zhixing.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Issue a bearer token for USERNAME (shown once; only its hash is kept)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the token is for")

    def handle(self, username, name, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"用户 {username} 不存在") from exc
        _row, token = ApiToken.issue(user=user, name=name)
        self.stdout.write(token)
