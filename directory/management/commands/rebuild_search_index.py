from django.core.management.base import BaseCommand

from directory import search_index


class Command(BaseCommand):
    help = "Rebuild the search document of every item (after upgrading the stemmer or OpenCC, for instance)."

    def handle(self, *args, **options):
        counts = search_index.rebuild_all()
        self.stdout.write(", ".join(f"{count} {name}" for name, count in counts.items()) + " indexed.")
