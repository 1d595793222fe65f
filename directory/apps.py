from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def install_database_objects(sender, using, **kwargs):
    from . import database

    database.install(using)


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = _("Directory")

    def ready(self):
        post_migrate.connect(install_database_objects, sender=self)
        from . import revision_recording

        revision_recording.connect()
