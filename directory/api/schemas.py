"""What the API answers, as pydantic schemas: django-ninja describes them in the OpenAPI document and checks every
response against them before it leaves.

Field names are the models' (and the CSV exports'): a Chinese twin is `<field>_zh_hant`, as editors wrote it in
Traditional Chinese; Simplified Chinese pages convert it as they show it. Descriptions are marked for translation
(gettext_noop): the description stays English, and the API's page shows them in the reader's language.
"""

import datetime

from django.utils.translation import gettext_noop
from ninja import Schema
from pydantic import ConfigDict, Field


class PageUrls(Schema):
    """The public page of an item in each language of the site, absolute."""

    model_config = ConfigDict(populate_by_name=True)

    en: str
    zh_hant: str = Field(alias="zh-hant")
    zh_hans: str = Field(alias="zh-hans")


class KindLabel(Schema):
    """A kind as a page names it, in English and Traditional Chinese."""

    en: str
    zh_hant: str


class Term(Schema):
    """A sector or a topic."""

    slug: str
    name: str
    name_zh_hant: str


class Link(Schema):
    """A related item readers may see: never a draft, an archived or a future-dated one."""

    slug: str
    name: str = Field(description=gettext_noop("The name, or a guidance document's title."))
    name_zh_hant: str
    url: str = Field(description=gettext_noop("This item in the API."))
    urls: PageUrls


class Published(Schema):
    slug: str
    url: str = Field(description=gettext_noop("This item in the API."))
    urls: PageUrls
    kind: str
    kind_label: KindLabel
    summary: str
    summary_zh_hant: str
    description: str
    description_zh_hant: str
    summary_zh_hant_status: str
    description_zh_hant_status: str
    source_url: str = Field(description=gettext_noop("Where the facts come from; empty if not recorded."))
    last_verified_on: datetime.date | None = Field(
        description=gettext_noop("When an editor last checked the facts at the source.")
    )
    published_at: datetime.datetime
    updated_at: datetime.datetime


class Organisation(Published):
    name: str
    name_zh_hant: str
    name_zh_hant_status: str
    aliases: list[str]
    website: str
    founded_year: int | None
    logo: str | None = Field(description=gettext_noop("The logo's absolute URL, if it has one."))
    parent: Link | None
    part_of: list[Link]
    part_of_programmes: list[Link]
    established_by: list[Link]
    sectors: list[Term]


class OrganisationDetail(Organisation):
    children: list[Link]
    members: list[Link]
    established: list[Link]
    led_programmes: list[Link]
    partnered_programmes: list[Link]
    guidance: list[Link] = Field(description=gettext_noop("Guidance it publishes."))


class Programme(Published):
    name: str
    name_zh_hant: str
    name_zh_hant_status: str
    aliases: list[str]
    website: str
    start_date: datetime.date | None
    end_date: datetime.date | None
    dates_precision: str = Field(description=gettext_noop("day, month or year: how precisely the dates are known."))
    applications_open_on: datetime.date | None = Field(
        description=gettext_noop("When applications open, where the source states it.")
    )
    applications_close_on: datetime.date | None = Field(
        description=gettext_noop("When applications close, where the source states it.")
    )
    applications_rolling: bool = Field(description=gettext_noop("Applications are taken at any time."))
    next_intake: str = Field(description=gettext_noop("The next intake or round as the source names it."))
    next_intake_zh_hant: str
    lead_organisation: Link | None
    partners: list[Link]
    part_of: Link | None
    supersedes: Link | None
    sectors: list[Term]


class ProgrammeDetail(Programme):
    components: list[Link]
    superseded_by: list[Link]
    member_organisations: list[Link]


class Guidance(Published):
    title: str
    title_zh_hant: str
    title_zh_hant_status: str
    publisher: Link | None
    co_publishers: list[Link]
    topics: list[Term]
    sectors: list[Term]
    binding: bool
    date_published: datetime.date | None
    date_precision: str = Field(description=gettext_noop("day, month or year: how precisely the date is known."))
    supersedes: Link | None
    document_url: str


class GuidanceDetail(Guidance):
    superseded_by: list[Link]


class Page(Schema):
    count: int = Field(description=gettext_noop("How many items the filters let through."))
    page: int
    pages: int = Field(description=gettext_noop("How many pages may be asked for (at most the lists' cap)."))
    next: str | None = Field(description=gettext_noop("The next page's absolute URL, or null on the last."))
    previous: str | None


class OrganisationPage(Page):
    results: list[Organisation]


class ProgrammePage(Page):
    results: list[Programme]


class GuidancePage(Page):
    results: list[Guidance]


class ListUrls(Schema):
    """The API's lists filtered by this term."""

    organisations: str | None
    programmes: str | None
    guidance: str


class TermEntry(Term):
    urls: ListUrls


class TermList(Schema):
    count: int
    results: list[TermEntry]


class ParameterError(Schema):
    parameter: str | None = Field(description=gettext_noop("The parameter at fault; null when it is none of them."))
    message: str


class Error(Schema):
    errors: list[ParameterError]
