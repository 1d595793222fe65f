from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from directory import backups


class Command(BaseCommand):
    help = (
        "Replace everything in the database with a backup written by backup_database "
        "(pg_restore --clean on PostgreSQL, SQLite's backup API on SQLite). Stop the web server first."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The backup file.")
        parser.add_argument(
            "--no-input", "--noinput", action="store_false", dest="interactive", help="Do not ask for confirmation."
        )

    def handle(self, *args, path, interactive=True, **options):
        backups.check_backup(path)
        if interactive:
            name = connection.settings_dict["NAME"]
            answer = input(f"This replaces everything in the database {name} with {path}. Type 'yes' to go on: ")
            if answer.strip() != "yes":
                raise CommandError("Restore cancelled: nothing was changed.")
        backups.restore(path)
        self.stdout.write(self.style.SUCCESS(f"Restored the database from {path}"))
