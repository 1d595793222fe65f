"""Which address of a list a search engine should index, so that filter combinations do not become duplicate pages.

A list is indexed unfiltered, or filtered by one value of one facet (`?kind=university`, `?topic=privacy`: the entry
points the home page and the detail pages link to, each a page of its own), with its page number beyond the first.
Everything else names the unfiltered list's first page as canonical: a search (`q`), a sort, a year range, several
values or several filters together, and any value the list did not understand.
"""

from urllib.parse import urlencode

from .languages import on_site_path


def list_canonical_path(request, filterset, page_number):
    """Return the path and query a list page at `request` names as its canonical address."""
    path = on_site_path(request.path)
    pairs = [(name, value) for name, values in request.GET.lists() if name != "page" for value in values]
    if filterset.ignored or len(pairs) > 1 or (pairs and pairs[0][0] not in filterset.facets):
        return path
    if page_number > 1:
        pairs.append(("page", page_number))
    return f"{path}?{urlencode(pairs)}" if pairs else path
