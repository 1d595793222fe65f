"""The page in every language the portal speaks: the language switcher and the hreflang alternates."""

from django.conf import settings
from django.urls import translate_url
from django.utils.encoding import escape_uri_path
from django.utils.translation import get_language, to_locale


def html_lang(code):
    """The BCP 47 tag for a Django language code, as HTML's lang and hreflang want it: zh-hant -> zh-Hant."""
    return to_locale(code).replace("_", "-")


def on_site_path(path):
    """Return `path` as a link that stays on this site, whatever a crafted request put in it.

    A request for //evil.example/en/ (or /%5Cevil.example/en/, /%09/evil.example/en/) reaches the 404 page with that
    path, and a link to it as written is protocol-relative: browsers treat a backslash as a slash and drop tabs and
    newlines, so they would go to evil.example. Escaped, with one leading slash, it is a path on this site.
    """
    return "/" + escape_uri_path(path).lstrip("/")


def language_links(request):
    """Template context: `language_links`, this page (path and query) in each language, for the language switch; and
    `html_lang`."""
    current = get_language()
    query = request.META.get("QUERY_STRING", "")
    path = on_site_path(request.path)
    links = []
    for code, name in settings.LANGUAGES:
        url = translate_url(path, code)
        links.append(
            {
                "name": name,
                "lang": html_lang(code),
                "url": f"{url}?{query}" if query else url,
                "current": code == current,
            }
        )
    return {"language_links": links, "html_lang": html_lang(current or settings.LANGUAGE_CODE)}


def alternates(path):
    """Return the canonical `path` (with its query) in each language, as (hreflang, path) pairs, then the x-default:
    the unprefixed address, which redirects to the reader's language (None where `path` has no language prefix)."""
    pairs = [(html_lang(code), translate_url(path, code)) for code, _name in settings.LANGUAGES]
    prefix = f"/{get_language()}/"
    default = ("x-default", on_site_path(path.removeprefix(prefix))) if path.startswith(prefix) else None
    return pairs + [default] if default else pairs
