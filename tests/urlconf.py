import contextlib
import importlib

from django.conf import settings
from django.test import override_settings
from django.urls import clear_url_caches


def _reload_urlconf():
    clear_url_caches()
    importlib.reload(importlib.import_module(settings.ROOT_URLCONF))


@contextlib.contextmanager
def urlconf_with(**overrides):
    """Override settings that hkai_portal/urls.py reads when it is imported, and rebuild the URLs with them."""
    try:
        with override_settings(**overrides):
            _reload_urlconf()
            yield
    finally:
        # Rebuilt once the settings are back, so later tests get the usual URLs.
        _reload_urlconf()
