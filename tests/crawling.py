"""A crawler for the conformance tests: it walks the site as a search engine's would, through Django's test client.

From its start addresses it follows every same-site link it finds (`<a href>`, `<link href>`, `<img src>`,
`<script src>`, a sitemap's `<loc>` and alternates), never one that robots.txt disallows, and stops at a cap. Each
address is fetched once, without following redirects, so that every redirect and where it leads is seen.
"""

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

ORIGIN = "http://testserver"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML_NS = "{http://www.w3.org/1999/xhtml}"
MAX_REDIRECTS = 10


@dataclass(frozen=True)
class Link:
    source: str  # the address of the page the link is on
    target: str
    element: str  # "a", "link", "img", "script", "sitemap"
    rel: str = ""
    hreflang: str = ""

    @property
    def is_navigation(self):
        """Whether a reader or a crawler is sent there: every link but the x-default alternate, which may point at the
        language chooser (an address that redirects to the reader's language)."""
        return not (self.element == "link" and self.hreflang == "x-default")


@dataclass
class Page:
    url: str
    status: int
    content_type: str = ""
    location: str = ""  # where a redirect leads, absolute
    body: bytes = b""
    canonical: str = ""
    links: list = field(default_factory=list)
    xml_error: str = ""

    @property
    def is_html(self):
        return self.status == 200 and self.content_type.startswith("text/html")


class _LinkParser(HTMLParser):
    def __init__(self, base):
        super().__init__(convert_charrefs=True)
        self.base = base
        self.found = []  # (element, url, rel, hreflang)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "base" and attrs.get("href"):
            self.base = urljoin(self.base, attrs["href"])
        attribute = {"a": "href", "link": "href", "img": "src", "script": "src"}.get(tag)
        if attribute and attrs.get(attribute) is not None:
            self.found.append(
                (tag, urljoin(self.base, attrs[attribute]), attrs.get("rel") or "", attrs.get("hreflang") or "")
            )


def html_links(url, body):
    """Return the Links of an HTML page, and its canonical address ("" when it names none)."""
    parser = _LinkParser(url)
    parser.feed(body.decode("utf-8"))
    links = [Link(url, urldefrag(target)[0], tag, rel, hreflang) for tag, target, rel, hreflang in parser.found]
    canonical = next((link.target for link in links if link.element == "link" and link.rel == "canonical"), "")
    return links, canonical


def xml_links(url, body):
    """Return the Links of a sitemap (index or section): its <loc>s and hreflang alternates."""
    root = ET.fromstring(body)
    links = [Link(url, loc.text.strip(), "sitemap") for loc in root.iter(f"{SITEMAP_NS}loc")]
    links += [
        Link(url, alternate.get("href"), "sitemap", "alternate", alternate.get("hreflang") or "")
        for alternate in root.iter(f"{XHTML_NS}link")
    ]
    return links


@dataclass
class Crawl:
    """Everything a crawl saw: each address fetched (`pages`), in order, and every link found."""

    pages: dict = field(default_factory=dict)
    skipped_by_robots: set = field(default_factory=set)
    capped: bool = False

    def __repr__(self):
        return f"<Crawl of {len(self.pages)} addresses>"

    @property
    def links(self):
        return [link for page in self.pages.values() for link in page.links]

    def html_pages(self):
        return [page for page in self.pages.values() if page.is_html]

    def final(self, url):
        """Return the page `url` ends on after its redirects, and whether they loop (or run past MAX_REDIRECTS)."""
        seen = [url]
        page = self.pages.get(url)
        while page is not None and page.location:
            if page.location in seen or len(seen) > MAX_REDIRECTS:
                return page, True
            seen.append(page.location)
            page = self.pages.get(page.location)
        return page, False


def crawl(client, start, extra=(), max_urls=3000):
    """Crawl from the addresses in `start` (paths), and fetch each of `extra` too: states no link leads to (a 404, a
    search without results), whose links are followed like any other page's."""
    robots = RobotFileParser()
    robots.parse(client.get("/robots.txt").content.decode().splitlines())
    result = Crawl()
    queue = [urljoin(ORIGIN, path) for path in (*start, *extra)]
    while queue:
        url = queue.pop(0)
        if url in result.pages:
            continue
        if not robots.can_fetch("*", url):
            result.skipped_by_robots.add(url)
            continue
        if len(result.pages) >= max_urls:
            result.capped = True
            break
        page = fetch(client, url)
        result.pages[url] = page
        for target in [page.location] if page.location else [link.target for link in page.links]:
            if urlsplit(target).netloc == urlsplit(ORIGIN).netloc and target not in result.pages:
                queue.append(target)
    return result


def fetch(client, url):
    parts = urlsplit(url)
    response = client.get(parts.path, query_string=parts.query, follow=False)
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    page = Page(url, response.status_code, content_type, body=body)
    if 300 <= response.status_code < 400:
        page.location = urljoin(url, response["Location"])
    elif response.status_code == 200 and content_type.startswith("text/html"):
        page.links, page.canonical = html_links(url, body)
    elif response.status_code == 200 and ("xml" in content_type or content_type.startswith("image/svg")):
        try:
            root = ET.fromstring(body)
        except ET.ParseError as error:
            page.xml_error = str(error)
        else:
            if root.tag.startswith(SITEMAP_NS):
                page.links = xml_links(url, body)
    return page
