import pytest


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
