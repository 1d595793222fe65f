from django.core.management.base import BaseCommand, CommandError

from directory.catalogues import expected_files, stale_files


class Command(BaseCommand):
    help = (
        "Generate the Simplified Chinese catalogue from the Traditional Chinese one and compile both "
        "(after editing locale/zh_Hant/LC_MESSAGES/django.po)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Change nothing; fail if any file is out of date.")

    def handle(self, *args, check, **options):
        if check:
            stale = stale_files()
            if stale:
                raise CommandError("Out of date (run build_catalogues): " + ", ".join(map(str, stale)))
            self.stdout.write("Catalogues are up to date.")
            return
        for path, content in expected_files().items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            self.stdout.write(f"Wrote {path}")
