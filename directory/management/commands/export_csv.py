import getpass
import os
import sys
from contextlib import closing, contextmanager, nullcontext
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from directory.choices import ExportSource, Publication
from directory.exports import EXPORTS, CsvExport

PROGRESS_WIDTH = 30


def shell_user():
    """Return the name of the account running the command, for the export's record."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in the environment nor in the password database
        return ""


@contextmanager
def private_file(path):
    """Yield a binary file that appears at `path` once the block completes, readable by its owner only throughout."""
    path = Path(path)
    # As backups are written: under another name until complete, so a failed run never leaves a file that looks like a
    # whole export (nor spoils an older one), and private from the start, since an export may hold unpublished drafts.
    partial = path.with_name(f"{path.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as file:
            yield file
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


class Command(BaseCommand):
    help = (
        "Export organisations, programmes or guidance as CSV, in the format of the public lists' export links: "
        "--filter takes the lists' query parameters (kind=university, q=robotics, sort=newest ...)."
    )

    def add_arguments(self, parser):
        parser.add_argument("content", choices=list(EXPORTS))
        parser.add_argument(
            "--filter",
            dest="filters",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="A list parameter; repeat it for more, or for more values of one: --filter kind=a --filter kind=b.",
        )
        parser.add_argument(
            "--publication",
            choices=Publication.values,
            default=Publication.PUBLISHED,
            help="Which items by status: what readers see (the default), drafts, archived items or all of them.",
        )
        parser.add_argument("--output", help="The file to write; standard output if left out.")
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="The site address that item URLs start with. Default: http://127.0.0.1:8000.",
        )

    def handle(self, *args, content, filters, publication, output, base_url, **options):
        definition = EXPORTS[content]
        known = definition.filterset_class.base_filters
        params = QueryDict(mutable=True)
        for item in filters:
            key, equals, value = item.partition("=")
            if not equals or key not in known:
                raise CommandError(f"--filter {item!r}: expected KEY=VALUE with KEY one of {', '.join(known)}.")
            params.appendlist(key, value)
        params["publication"] = publication
        filterset = definition.list_filterset(params, user=None)
        for label, message in filterset.ignored:
            self.stderr.write(f"Ignored {label}: {message}", style_func=self.style.WARNING)

        export = CsvExport(
            definition,
            filterset.qs,
            source=ExportSource.COMMAND,
            filters=definition.list_filters(params, user=None),
            base_url=base_url,
            username=shell_user(),
        )
        total = filterset.qs.count() if self.stderr.isatty() else None
        destination = private_file(output) if output else nullcontext(sys.stdout.buffer)
        with destination as stream, closing(export.stream()) as chunks:
            for data in chunks:
                stream.write(data)
                if total is not None:
                    self.progress(export.rows_written, total)
        if total is not None:
            self.stderr.write("", style_func=str)
        self.stderr.write(
            f"Exported {export.rows_written} {definition.content} to {output or 'standard output'}.",
            style_func=self.style.SUCCESS,
        )

    def progress(self, done, total):
        filled = PROGRESS_WIDTH * done // total if total else PROGRESS_WIDTH
        bar = "#" * filled + "-" * (PROGRESS_WIDTH - filled)
        self.stderr.write(f"\r[{bar}] {done:,}/{total:,} rows", style_func=str, ending="")
        self.stderr.flush()
