import pytest
from django.conf import settings as project_settings
from django.utils import translation

from .factories import make_user


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """Serve static files unhashed: the manifest only exists after collectstatic, which the tests do not run."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def page_cache_off(settings):
    """Most tests inspect response.context, which a page served from the cache has not: tests/test_page_cache.py
    turns the cache back on to test it."""
    settings.PAGE_CACHE = False


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in English: a request to a /zh-hant/ or /zh-hans/ page leaves its language active in the test
    client's thread, and reverse() in the next test would build Chinese addresses."""
    translation.activate(project_settings.LANGUAGE_CODE)
    yield
    translation.activate(project_settings.LANGUAGE_CODE)


@pytest.fixture
def editor_client(client):
    """A client signed in as a member of the Editors group."""
    client.force_login(make_user(groups=["Editors"]))
    return client


@pytest.fixture
def content_saves():
    """The content items saved during the test, as (model name, pk), in order: what a recorder of saves would see."""
    from django.db.models.signals import post_save

    from directory.previews import CONTENT_MODELS

    saves = []

    def record(sender, instance, **kwargs):
        saves.append((sender._meta.model_name, instance.pk))

    for model in CONTENT_MODELS:
        post_save.connect(record, sender=model, dispatch_uid=f"content_saves_{model._meta.model_name}")
    yield saves
    for model in CONTENT_MODELS:
        post_save.disconnect(sender=model, dispatch_uid=f"content_saves_{model._meta.model_name}")
