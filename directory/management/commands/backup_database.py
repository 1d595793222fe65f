from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from directory import backups


class Command(BaseCommand):
    help = (
        "Write a consistent copy of the database to backups/ (or --output): pg_dump's custom format on PostgreSQL, "
        "SQLite's online backup on SQLite. restore_database brings it back."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", type=Path, help="Where to write it (default: backups/<database>-<date>-<time>.<dump|sqlite3>)."
        )

    def handle(self, *args, output=None, **options):
        if output is None:
            vendor = backups.supported_vendor()
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            output = Path(settings.BASE_DIR) / "backups" / f"{vendor}-{stamp}{backups.SUFFIXES[vendor]}"
        backups.backup(output)
        self.stdout.write(self.style.SUCCESS(f"Backed up the database to {output}"))
