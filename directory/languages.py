"""The page in every language the portal speaks: the language switcher and the hreflang alternates."""

from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, to_locale


def html_lang(code):
    """The BCP 47 tag for a Django language code, as HTML's lang and hreflang want it: zh-hant -> zh-Hant."""
    return to_locale(code).replace("_", "-")


def language_links(request):
    """Template context: `language_links`, this page (path and query) in each language; `html_lang`; and
    `any_language_url`, the page's unprefixed address, which redirects to the reader's language."""
    current = get_language()
    query = request.META.get("QUERY_STRING", "")
    links = []
    for code, name in settings.LANGUAGES:
        url = translate_url(request.path, code)
        links.append(
            {
                "name": name,
                "lang": html_lang(code),
                "url": f"{url}?{query}" if query else url,
                "current": code == current,
            }
        )
    prefix = f"/{current}/"
    # The unprefixed path picks the reader's language itself: what hreflang calls the default.
    default = "/" + request.path.removeprefix(prefix) if request.path.startswith(prefix) else None
    return {
        "language_links": links,
        "html_lang": html_lang(current or settings.LANGUAGE_CODE),
        "any_language_url": f"{default}?{query}" if default and query else default,
    }
