from django.core.management.base import BaseCommand, CommandError

from directory.datasets import ReleaseError, publish


class Command(BaseCommand):
    help = (
        "Make today's dataset release: every published organisation, programme and guidance document as CSV and JSON "
        "in one ZIP with SHA-256 checksums, listed on /data/ with what changed since the previous release."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="The site address that item URLs start with. Default: http://127.0.0.1:8000.",
        )

    def handle(self, *args, base_url, **options):
        try:
            release = publish(base_url=base_url)
        except ReleaseError as error:
            raise CommandError(str(error)) from error
        counts = ", ".join(f"{count} {content}" for content, count in release.manifest["counts"].items())
        self.stdout.write(self.style.SUCCESS(f"Released {release.name}: {counts}; {release.zip['name']}."))
