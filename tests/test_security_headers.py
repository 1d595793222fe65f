import ast
import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from .factories import make_guidance, make_organisation, make_programme, make_user
from .test_logos import image_bytes
from .test_settings import run_django
from .urlconf import urlconf_with

pytestmark = pytest.mark.django_db

# path -> the status it answers with
PUBLIC_URLS = {
    "/en/": 200,
    "/en/organisations/": 200,
    "/en/organisations/?kind=university": 200,
    "/en/programmes/": 200,
    "/en/programmes/?kind=funding_scheme&state=open": 200,
    "/en/guidance/": 200,
    "/en/guidance/?binding=voluntary": 200,
    "/en/organisations/harbour-university/": 200,
    "/en/programmes/ai-sandbox/": 200,
    "/en/guidance/ethical-ai-framework/": 200,
    "/en/search/?q=harbour": 200,
    "/sitemap.xml": 200,
    "/sitemap-organisations.xml": 200,
    "/robots.txt": 200,
    "/healthz": 200,
    "/no-such-page/": 404,
    "/admin/login/": 200,
}


@pytest.fixture
def content():
    harbour = make_organisation("Harbour University")
    make_programme("AI Sandbox", lead_organisation=harbour)
    make_guidance("Ethical AI Framework", publisher=harbour)


def csp_directives(response):
    return {
        name: values
        for name, *values in (directive.split() for directive in response["Content-Security-Policy"].split(";"))
    }


@pytest.mark.parametrize(("path", "status"), PUBLIC_URLS.items())
def test_every_public_url_sends_the_security_headers_over_https(client, content, path, status):
    response = client.get(path, secure=True)
    assert response.status_code == status

    csp = csp_directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_hsts_is_only_sent_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/en/")
    assert "Strict-Transport-Security" in client.get("/en/", secure=True)


def test_session_and_csrf_cookies_are_secure_and_out_of_reach_of_scripts(client):
    make_user("editor", is_superuser=True)
    csrf = client.get("/admin/login/", secure=True).cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "editor", "password": "a-long-test-password"}, secure=True
    )
    assert response.status_code == 302 and SESSION_KEY in client.session
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*\btype=\"application/(?:ld\+)?json\")[^>]*>", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle=", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+=", re.I)


def admin_pages():
    pages = ["admin:index", "admin:password_change", "admin:auth_user_changelist", "admin:auth_user_add"]
    for model in ("organisation", "programme", "guidance", "sector", "topic"):
        pages += [f"admin:directory_{model}_changelist", f"admin:directory_{model}_add"]
    return pages + ["admin:directory_organisation_change", "admin:directory_programme_change"]


@pytest.mark.parametrize("name", admin_pages())
def test_admin_pages_need_no_inline_script_or_style_so_the_policy_does_not_break_them(client, name):
    organisation = make_organisation(logo=SimpleUploadedFile("logo.png", image_bytes()))
    programme = make_programme(lead_organisation=organisation)
    args = {
        "admin:directory_organisation_change": [organisation.pk],
        "admin:directory_programme_change": [programme.pk],
    }
    client.force_login(make_user(is_superuser=True))
    response = client.get(reverse(name, args=args.get(name)))
    assert response.status_code == 200
    text = response.content.decode()
    assert not INLINE_SCRIPT.findall(text)
    assert not STYLE_ATTRIBUTE.findall(text)
    assert not EVENT_HANDLER.findall(text)


def test_public_pages_have_no_inline_script_or_style_only_json_ld_data(client, content):
    for path in PUBLIC_URLS:
        text = client.get(path).content.decode()
        assert not INLINE_SCRIPT.findall(text), path
        assert not STYLE_ATTRIBUTE.findall(text), path
        assert not EVENT_HANDLER.findall(text), path
    assert '<script type="application/ld+json">' in client.get("/en/organisations/harbour-university/").content.decode()


def test_uploaded_logos_are_served_in_development_as_images_that_are_never_sniffed(client):
    organisation = make_organisation(logo=SimpleUploadedFile("logo.png", image_bytes()))
    with urlconf_with(DEBUG=True):
        response = client.get(organisation.logo.url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == organisation.logo.read()
    # With debug off, Django leaves logos to the web server or the storage service.
    assert client.get(organisation.logo.url).status_code == 404


def test_a_separate_media_host_is_allowed_for_images_and_nothing_else():
    script = "import hkai_portal.settings as s; print(s.CONTENT_SECURITY_POLICY['DIRECTIVES'])"
    result = run_django("-c", script, DJANGO_DEBUG="1", DJANGO_MEDIA_URL="https://media.example.hk/portal/")
    directives = ast.literal_eval(result.stdout)
    assert directives["img-src"] == ["'self'", "data:", "https://media.example.hk"]
    assert "media.example.hk" not in str({name: v for name, v in directives.items() if name != "img-src"})
