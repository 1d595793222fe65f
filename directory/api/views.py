"""The API's endpoints (django-ninja): the public lists with the same FilterSets, in the same order and pages, their
items, and the sectors and topics.

A list reads its parameters as its page does (clean_query, the FilterSet, the same paging by ranked ids), so it
gives exactly the items the page shows; where the page reports a value it could not use and ignores it, the API
answers 400 naming the parameter, as a program asking for it should be told rather than given more than it asked for.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.core.validators import slug_re
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from ninja import NinjaAPI, Status
from ninja.renderers import JSONRenderer

from ..listing import MAX_PAGES, PAGE_SIZE, ForgivingPaginator, clean_query, list_parameters
from ..models import Sector, Topic
from ..views import GuidanceListView, OrganisationListView, ProgrammeListView
from . import schemas
from .items import Addresses, GuidanceFormat, OrganisationFormat, ProgrammeFormat, terms
from .parameters import openapi_parameters

API_VERSION = "1"


class Utf8JSONRenderer(JSONRenderer):
    # Chinese as itself, not as \u escapes: a third of the size, and readable.
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="HK AI Portal API",
    version=API_VERSION,
    description=(
        "Read-only access to what the HK AI Portal publishes: organisations, programmes and ethics guidance, with "
        "the public lists' filters, search and sorts. Version 1 only ever gains fields and parameters; a change that "
        "could break a client comes as /api/v2/."
    ),
    urls_namespace="api-v1",
    docs_url=None,
    renderer=Utf8JSONRenderer(),
    # The data's licence, the open data releases' (README.md, "Dataset releases").
    openapi_extra={"info": {"license": {"name": settings.DATASET_LICENCE, "url": settings.DATASET_LICENCE_URL}}},
)

# What any endpoint may answer besides its data: a 304 to a matching If-None-Match or If-Modified-Since, and a 429
# past the rate limit (both from directory/api/middleware.py).
ANY_ENDPOINT = {304: None, 429: schemas.Error}


def read(path, **options):
    """Register `view` for GET at `path`, as described in the OpenAPI document, and for HEAD (the same answer's
    headers, to check an ETag without the body), which the description leaves implicit."""

    def register(view):
        api.get(path, **options)(view)
        head_options = {name: value for name, value in options.items() if name not in ("operation_id", "openapi_extra")}
        api.api_operation(["HEAD"], path, include_in_schema=False, **head_options)(view)
        return view

    return register


def errors(status, pairs):
    return Status(status, {"errors": [{"parameter": name, "message": str(message)} for name, message in pairs]})


def with_nul_byte(query):
    """The parameters whose name or a value holds a NUL byte, which no database takes."""
    return [name for name, values in query.lists() if "\x00" in name or any("\x00" in value for value in values)]


def page_number(value):
    """The page asked for as a number of 1 or more, or None for anything else ("2.5", "abc", "-1")."""
    if value is None:
        return 1
    value = value.strip()
    if value.isascii() and value.isdigit() and int(value) >= 1:
        return int(value)
    return None


def published_list(request, list_view, item_format):
    """A page of the list `list_view` shows, as data: (status, body)."""
    with translation.override("en"):
        if bad := with_nul_byte(request.GET):
            return errors(400, [(name.replace("\x00", ""), _("A NUL byte is not allowed.")) for name in bad])
        params = clean_query(request.GET)
        number = page_number(params.get("page"))
        params.pop("page", None)
        filterset = list_view.filterset_class(params or None, queryset=item_format.list_queryset(), request=request)
        if filterset.is_bound and not filterset.is_valid():
            return errors(400, [(name, " ".join(found)) for name, found in filterset.form.errors.items()])
        if number is None:
            return errors(400, [("page", _("Enter a whole number, 1 or more."))])
        paginator = ForgivingPaginator(filterset.qs, PAGE_SIZE, ranked_ids=filterset.ranked_ids)
        paginator.count = filterset.total()
        if number > paginator.num_pages:
            message = _("There is no such page: the list has %(pages)s, and pages past %(most)s are never served.")
            return errors(404, [("page", message % {"pages": paginator.num_pages, "most": MAX_PAGES})])
        page = paginator.page(number)
        addresses = Addresses(request)
        formatted = item_format(addresses)
        canonical = list_parameters(list_view.filterset_class).canonical(params)

        def page_url(number):
            return addresses.absolute(f"{request.path}?{urlencode([*canonical, ('page', number)])}")

        return Status(
            200,
            {
                "count": paginator.count,
                "page": page.number,
                "pages": paginator.num_pages,
                "next": page_url(page.next_page_number()) if page.has_next() else None,
                "previous": page_url(page.previous_page_number()) if page.has_previous() else None,
                "results": [formatted.as_dict(item) for item in page.object_list],
            },
        )


def published_item(request, item_format, slug):
    with translation.override("en"):
        # The path takes any text, a NUL byte included, which no slug holds and PostgreSQL refuses to compare.
        item = item_format.list_queryset().filter(slug=slug).first() if slug_re.match(slug) else None
        if item is None:
            return errors(404, [("slug", _("Nothing published has this slug."))])
        return Status(200, item_format(Addresses(request)).as_detail(item))


# (path, the public list, how its items are shown, a page of the list, one item, what the list and an item are)
LISTS = (
    (
        "organisations",
        OrganisationListView,
        OrganisationFormat,
        schemas.OrganisationPage,
        schemas.OrganisationDetail,
        gettext_noop("Published organisations, as their list shows them"),
        gettext_noop("One published organisation, with what links to it"),
    ),
    (
        "programmes",
        ProgrammeListView,
        ProgrammeFormat,
        schemas.ProgrammePage,
        schemas.ProgrammeDetail,
        gettext_noop("Published programmes, as their list shows them"),
        gettext_noop("One published programme, with what links to it"),
    ),
    (
        "guidance",
        GuidanceListView,
        GuidanceFormat,
        schemas.GuidancePage,
        schemas.GuidanceDetail,
        gettext_noop("Published ethics guidance, as its list shows it"),
        gettext_noop("One published guidance document, with what supersedes it"),
    ),
)


def add_list(prefix, list_view, item_format, page_schema, detail_schema, list_summary, item_summary):
    model_name = item_format.model._meta.model_name

    @read(
        f"/{prefix}/",
        response={200: page_schema, 400: schemas.Error, 404: schemas.Error, **ANY_ENDPOINT},
        url_name=f"{model_name}-list",
        operation_id=f"list_{prefix}",
        summary=list_summary,
        by_alias=True,
        openapi_extra={"parameters": openapi_parameters(list_view.filterset_class)},
    )
    def list_items(request):
        return published_list(request, list_view, item_format)

    @read(
        f"/{prefix}/{{slug}}/",
        response={200: detail_schema, 404: schemas.Error, **ANY_ENDPOINT},
        url_name=f"{model_name}-detail",
        operation_id=f"get_{model_name}",
        summary=item_summary,
        by_alias=True,
    )
    def item(request, slug: str):
        return published_item(request, item_format, slug)


for definition in LISTS:
    add_list(*definition)


@api.get(
    "/sectors/",
    response={200: schemas.TermList, **ANY_ENDPOINT},
    url_name="sector-list",
    operation_id="list_sectors",
    summary=gettext_noop("Every sector, with the lists it filters"),
)
def sectors(request):
    found = terms(Sector, Addresses(request))
    return {"count": len(found), "results": found}


@api.get(
    "/topics/",
    response={200: schemas.TermList, **ANY_ENDPOINT},
    url_name="topic-list",
    operation_id="list_topics",
    summary=gettext_noop("Every topic, with the list it filters"),
)
def topics(request):
    found = terms(Topic, Addresses(request))
    return {"count": len(found), "results": found}
