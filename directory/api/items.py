"""Published items as the API gives them: every field a reader sees, the Chinese twins, and related items readers may
see by slug and address. The querysets prefetch what the items show, so a list costs the same number of queries at
any size; related items come only from published querysets, so a draft's name never leaks through a relation."""

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import translation

from ..bilingual import chinese_field, status_field
from ..models import Guidance, Organisation, Programme, Sector, Topic
from ..views import published_organisations, published_programmes

SLUG_PLACEHOLDER = "--slug--"
API_NAMESPACE = "api-v1"


def published_guidance():
    return Guidance.objects.published().only("title", "title_zh_hant", "slug", "kind", "status", "published_at")


class Addresses:
    """Absolute addresses of items, in the API and on the site in each language, for one request.

    Each address is made from the item's slug and a template reversed once per model and language, not once per item.
    """

    def __init__(self, request):
        self.origin = f"{request.scheme}://{request.get_host()}"
        self.templates = {}

    def absolute(self, path):
        return self.origin + path

    def template(self, url_name, language):
        key = (url_name, language)
        if key not in self.templates:
            with translation.override(language):
                path = reverse(url_name, kwargs={"slug": SLUG_PLACEHOLDER})
            self.templates[key] = self.absolute(path).split(SLUG_PLACEHOLDER)
        return self.templates[key]

    def fill(self, url_name, slug, language=None):
        prefix, suffix = self.template(url_name, language)
        return f"{prefix}{slug}{suffix}"

    def api(self, item):
        return self.fill(f"{API_NAMESPACE}:{item._meta.model_name}-detail", item.slug)

    def pages(self, item):
        url_name = f"directory:{item._meta.model_name}-detail"
        return {code: self.fill(url_name, item.slug, code) for code, _name in settings.LANGUAGES}

    def link(self, item):
        """A related item, or None if readers may not see it."""
        if item is None or not item.is_public:
            return None
        name_field = item.slug_source_field
        return {
            "slug": item.slug,
            "name": getattr(item, name_field),
            "name_zh_hant": getattr(item, chinese_field(name_field)),
            "url": self.api(item),
            "urls": self.pages(item),
        }

    def links(self, items):
        return [link for link in map(self.link, items) if link is not None]


def term(item):
    return {"slug": item.slug, "name": item.name, "name_zh_hant": item.name_zh_hant}


def kind_labels(model):
    """{kind: {"en": label, "zh_hant": label}} for every kind of `model`, translated once."""
    labels = {}
    for code in ("en", "zh_hant"):
        with translation.override(code.replace("_", "-")):
            for value, label in model.kind_choices.choices:
                labels.setdefault(value, {})[code] = str(label)
    return labels


def published_fields(item, addresses, kinds):
    """What every published item has."""
    translated = {}
    for field in item.translated_fields:
        for name in (field, chinese_field(field), status_field(field)):
            translated[name] = getattr(item, name)
    return {
        "slug": item.slug,
        "url": addresses.api(item),
        "urls": addresses.pages(item),
        "kind": item.kind,
        "kind_label": kinds[item.kind],
        **translated,
        "source_url": item.source_url,
        "last_verified_on": item.last_verified_on,
        "published_at": item.published_at,
        "updated_at": item.updated_at,
    }


class ItemFormat:
    """How one model's items are read and shown: `list_queryset()` (a class method) gives the published items with
    what `as_dict(item)` reads prefetched, and `as_detail(item)` adds what links to the item."""

    model = None

    def __init__(self, addresses):
        self.addresses = addresses
        self.kinds = kind_labels(self.model)


class OrganisationFormat(ItemFormat):
    model = Organisation

    @classmethod
    def list_queryset(cls):
        return Organisation.objects.published().prefetch_related(
            Prefetch("parent", queryset=published_organisations()),
            Prefetch("part_of", queryset=published_organisations()),
            Prefetch("part_of_programmes", queryset=published_programmes()),
            Prefetch("established_by", queryset=published_organisations()),
            "sectors",
        )

    def as_dict(self, item):
        links = self.addresses
        return {
            **published_fields(item, links, self.kinds),
            "aliases": item.alias_list,
            "website": item.website,
            "founded_year": item.founded_year,
            "logo": links.absolute(item.logo.url) if item.logo else None,
            "parent": links.link(item.public_related("parent")),
            "part_of": links.links(item.part_of.all()),
            "part_of_programmes": links.links(item.part_of_programmes.all()),
            "established_by": links.links(item.established_by.all()),
            "sectors": [term(sector) for sector in item.sectors.all()],
        }

    def as_detail(self, item):
        links = self.addresses
        return {
            **self.as_dict(item),
            "children": links.links(published_organisations().filter(parent=item)),
            "members": links.links(published_organisations().filter(part_of=item)),
            "established": links.links(published_organisations().filter(established_by=item)),
            "led_programmes": links.links(published_programmes().filter(lead_organisation=item)),
            "partnered_programmes": links.links(published_programmes().filter(partners=item)),
            "guidance": links.links(published_guidance().filter(publisher=item)),
        }


class ProgrammeFormat(ItemFormat):
    model = Programme

    @classmethod
    def list_queryset(cls):
        return Programme.objects.published().prefetch_related(
            Prefetch("lead_organisation", queryset=published_organisations()),
            Prefetch("partners", queryset=published_organisations()),
            Prefetch("part_of", queryset=published_programmes()),
            Prefetch("supersedes", queryset=published_programmes()),
            "sectors",
        )

    def as_dict(self, item):
        links = self.addresses
        return {
            **published_fields(item, links, self.kinds),
            "aliases": item.alias_list,
            "website": item.website,
            "start_date": item.start_date,
            "end_date": item.end_date,
            "dates_precision": item.dates_precision,
            "applications_open_on": item.applications_open_on,
            "applications_close_on": item.applications_close_on,
            "applications_rolling": item.applications_rolling,
            "next_intake": item.next_intake,
            "next_intake_zh_hant": item.next_intake_zh_hant,
            "lead_organisation": links.link(item.public_related("lead_organisation")),
            "partners": links.links(item.partners.all()),
            "part_of": links.link(item.public_related("part_of")),
            "supersedes": links.link(item.public_related("supersedes")),
            "sectors": [term(sector) for sector in item.sectors.all()],
        }

    def as_detail(self, item):
        links = self.addresses
        return {
            **self.as_dict(item),
            "components": links.links(published_programmes().filter(part_of=item)),
            "superseded_by": links.links(published_programmes().filter(supersedes=item)),
            "member_organisations": links.links(published_organisations().filter(part_of_programmes=item)),
        }


class GuidanceFormat(ItemFormat):
    model = Guidance

    @classmethod
    def list_queryset(cls):
        return Guidance.objects.published().prefetch_related(
            Prefetch("publisher", queryset=published_organisations()),
            Prefetch("co_publishers", queryset=published_organisations()),
            Prefetch("supersedes", queryset=published_guidance()),
            "topics",
            "sectors",
        )

    def as_dict(self, item):
        links = self.addresses
        return {
            **published_fields(item, links, self.kinds),
            "publisher": links.link(item.public_related("publisher")),
            "co_publishers": links.links(item.co_publishers.all()),
            "topics": [term(topic) for topic in item.topics.all()],
            "sectors": [term(sector) for sector in item.sectors.all()],
            "binding": item.binding,
            "date_published": item.date_published,
            "date_precision": item.date_precision,
            "supersedes": links.link(item.public_related("supersedes")),
            "document_url": item.document_url,
        }

    def as_detail(self, item):
        return {
            **self.as_dict(item),
            "superseded_by": self.addresses.links(published_guidance().filter(supersedes=item)),
        }


# The API lists each kind of term filters, by the parameter named after it.
FILTERED_LISTS = {Sector: ("organisations", "programmes", "guidance"), Topic: ("guidance",)}


def terms(model, addresses):
    """Every sector or topic, with the API's lists filtered by it (null for a list it does not filter)."""
    parameter = model._meta.model_name
    paths = {name: reverse(f"{API_NAMESPACE}:{name.removesuffix('s')}-list") for name in FILTERED_LISTS[Sector]}
    found = []
    for item in model.objects.order_by("name"):
        urls = dict.fromkeys(paths)
        for name in FILTERED_LISTS[model]:
            urls[name] = addresses.absolute(f"{paths[name]}?{parameter}={item.slug}")
        found.append({**term(item), "urls": urls})
    return found
