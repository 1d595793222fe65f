import pytest
from django.core.management import call_command
from django.templatetags.static import static


@pytest.fixture
def collected_static(settings, tmp_path):
    """Static files as production has them: collected, hashed and compressed, with the manifest."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)


def test_hashed_static_files_are_cached_for_ever_and_unhashed_ones_briefly(client, collected_static):
    hashed = static("css/site.css")
    assert hashed != "/static/css/site.css"
    response = client.get(hashed)
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    assert response["X-Content-Type-Options"] == "nosniff"
    # A name without its hash can change under the same URL, so caches must check it again soon.
    assert client.get("/static/css/site.css")["Cache-Control"] == "max-age=60, public"


def test_static_files_are_compressed_for_browsers_that_accept_it(client, collected_static):
    response = client.get(static("css/site.css"), headers={"Accept-Encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert response["Vary"] == "Accept-Encoding"
