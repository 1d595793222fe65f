import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

DEMO_ACCOUNTS = {"editor": "Editors", "publisher": "Publishers", "exporter": "Exporters"}


class Command(BaseCommand):
    help = "Development only: create one staff account per role and print each generated password once."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo accounts are for development only; refusing with DJANGO_DEBUG off.")
        User = get_user_model()
        for username, group_name in DEMO_ACCOUNTS.items():
            if User.objects.filter(username=username).exists():
                self.stdout.write(f"{username}: already exists (password unchanged)")
                continue
            password = secrets.token_urlsafe(12)
            user = User.objects.create_user(username=username, password=password, is_staff=True)
            user.groups.add(Group.objects.get(name=group_name))
            self.stdout.write(f"{username}: password {password}  ({group_name})")
