"""The review dashboard on the admin index: what waits for the signed-in editor or publisher, counted per kind of
content, each count a link to the changelist filtered to exactly those items, with the first few listed.

A constant number of queries however much content there is: one count query per model and one for all reviews, and
a short list per section and model.
"""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .admin import MissingChineseFilter, VerificationFilter
from .admin_reviews import OPEN_STATES
from .admin_workflow import MyWorkFilter, PublicationFilter
from .bilingual import missing_chinese
from .choices import ReviewKind, ReviewState, Status
from .models import Review
from .previews import CONTENT_MODELS
from .reviews import may_publish
from .scheduling import scheduled_for

SHORT_LIST = 5


@dataclass(frozen=True)
class CountLink:
    count: int
    url: str
    column: str


@dataclass(frozen=True)
class Row:
    item: object
    url: str
    cells: list
    verify_url: str = ""


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    description: str
    columns: list
    counts: list  # a CountLink per model column, or None where it does not apply
    rows: list
    verify: bool = False


@dataclass(frozen=True)
class Dashboard:
    columns: list
    sections: list


def _date(value):
    return formats.date_format(value, "DATE_FORMAT") if value else _("Never")


def _datetime(value):
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


@dataclass(frozen=True)
class ContentQuery:
    """Items of each content model: `select(queryset, user)` gives the ones the changelist gives with `params`."""

    key: str
    title: str
    description: str
    select: Callable
    params: dict
    ordering: str  # "field" or "-field": the short list's order
    column: str
    describe: Callable  # (model admin, item) -> the text of the column
    verify: bool = False


@dataclass(frozen=True)
class ReviewQuery:
    """Reviews matching `condition(user)`, as the reviews' changelist gives them with `params(user)`."""

    key: str
    title: str
    description: str
    condition: Callable
    params: Callable
    columns: list
    describe: Callable  # review -> the texts of the columns
    publishers_only: bool = False


def _draft_state(model_admin, item):
    return model_admin.review_state(item) if item.open_review_state else _("Not submitted")


CONTENT_QUERIES = {
    "drafts": ContentQuery(
        "drafts",
        _("My drafts"),
        _("Drafts you added or changed, latest first, and where their review stands."),
        lambda items, user: items.filter(status=Status.DRAFT).added_or_changed_by(user),
        {"status__exact": Status.DRAFT, MyWorkFilter.parameter_name: "yes"},
        "-updated_at",
        _("Review"),
        _draft_state,
    ),
    "scheduled": ContentQuery(
        "scheduled",
        _("Scheduled"),
        _("Published items that go live by themselves at the time shown (Hong Kong time), soonest first."),
        lambda items, user: items.scheduled(),
        {PublicationFilter.parameter_name: "scheduled"},
        "published_at",
        _("Publication"),
        lambda model_admin, item: scheduled_for(item),
    ),
    "unverified": ContentQuery(
        "unverified",
        _("Not verified for over 12 months"),
        _("Never checked at the source, or not for over a year, oldest first. Check the source, then record it."),
        lambda items, user: items.not_verified_since(),
        {VerificationFilter.parameter_name: "stale"},
        "last_verified_on",
        _("Last verified"),
        lambda model_admin, item: _date(item.last_verified_on),
        verify=True,
    ),
    "untranslated": ContentQuery(
        "untranslated",
        _("Missing Chinese"),
        _("Items with English text whose Chinese is still empty, latest changed first."),
        lambda items, user: items.filter(missing_chinese(items.model)),
        {MissingChineseFilter.parameter_name: "missing"},
        "-updated_at",
        _("Last changed"),
        lambda model_admin, item: _datetime(item.updated_at),
    ),
}

REVIEW_QUERIES = {
    "proposals": ReviewQuery(
        "proposals",
        _("My proposed changes"),
        _("Your changes to live items, oldest first: readers see the published version until a publisher approves."),
        lambda user: Q(author=user, kind=ReviewKind.CHANGE, state__in=OPEN_STATES),
        lambda user: {
            "author__id__exact": user.pk,
            "kind__exact": ReviewKind.CHANGE,
            "state__in": ",".join(OPEN_STATES),
        },
        [_("State"), _("Submitted")],
        lambda review: [review.get_state_display(), _datetime(review.submitted_at)],
    ),
    "waiting": ReviewQuery(
        "waiting",
        _("Waiting for my review"),
        _("Drafts submitted for publication and changes to live items, oldest first."),
        lambda user: Q(state=ReviewState.PENDING),
        lambda user: {"state__exact": ReviewState.PENDING},
        [_("Review"), _("Author"), _("Submitted")],
        lambda review: [
            review.get_kind_display(),
            review.author.get_username() if review.author else "-",
            _datetime(review.submitted_at),
        ],
        publishers_only=True,
    ),
}

ORDER = ("drafts", "proposals", "waiting", "scheduled", "unverified", "untranslated")


def _ordered(ordering):
    """The database ordering for "field" or "-field", never-set values first."""
    name = ordering.lstrip("-")
    return F(name).desc(nulls_last=True) if ordering.startswith("-") else F(name).asc(nulls_first=True)


def _merged(rows, ordering):
    """The first few rows of several models' short lists, in the lists' own order."""
    name, descending = ordering.lstrip("-"), ordering.startswith("-")
    rows.sort(key=lambda row: (getattr(row.item, name) is not None, getattr(row.item, name)), reverse=descending)
    return rows[:SHORT_LIST]


def _column(model):
    return capfirst(model._meta.verbose_name_plural)


def _admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _content_section(request, query, models, counts):
    rows = []
    for model in models:
        model_admin = admin.site.get_model_admin(model)
        # The admin's own queryset: it carries each item's open review, for the drafts' state.
        items = query.select(model_admin.get_queryset(request), request.user)
        for item in items.order_by(_ordered(query.ordering), "pk")[:SHORT_LIST]:
            cells = [capfirst(model._meta.verbose_name), query.describe(model_admin, item)]
            verify_url = _admin_url(model, "verified_today", item.pk) if query.verify else ""
            rows.append(Row(item, _admin_url(model, "change", item.pk), cells, verify_url))
    links = [
        CountLink(
            counts[model][query.key], f"{_admin_url(model, 'changelist')}?{urlencode(query.params)}", _column(model)
        )
        for model in models
    ]
    columns = [_("Type"), query.column]
    return Section(
        query.key, query.title, query.description, columns, links, _merged(rows, query.ordering), query.verify
    )


def _review_section(request, query, models, content_types, counts):
    allowed = [model for model in models if not query.publishers_only or may_publish(request.user, model)]
    if not allowed:
        return None
    reviews = (
        Review.objects.filter(query.condition(request.user), content_type__in=[content_types[m] for m in allowed])
        .select_related("content_type", "author")
        .prefetch_related("item")
        .order_by("submitted_at", "pk")[:SHORT_LIST]
    )
    rows = [
        Row(
            review.item,
            _admin_url(review.content_type.model_class(), "change", review.object_id),
            [capfirst(review.content_type.model_class()._meta.verbose_name), *query.describe(review)],
        )
        for review in reviews
    ]
    changelist = reverse("admin:directory_review_changelist")
    links = []
    for model in models:
        content_type = content_types[model]
        params = {**query.params(request.user), "content_type__id__exact": content_type.pk}
        count = counts[f"{query.key}_{content_type.pk}"]
        url = f"{changelist}?{urlencode(params)}"
        links.append(CountLink(count, url, _column(model)) if model in allowed else None)
    return Section(query.key, query.title, query.description, [_("Type"), *query.columns], links, rows)


def dashboard_for(request):
    """Return the dashboard's context for the signed-in user, or None for those who change no content."""
    models = [model for model in CONTENT_MODELS if admin.site.get_model_admin(model).has_change_permission(request)]
    if not models:
        return None
    user = request.user
    content_counts = {
        model: model._default_manager.aggregate(
            **{
                query.key: Count("pk", filter=Q(pk__in=query.select(model._default_manager.all(), user).values("pk")))
                for query in CONTENT_QUERIES.values()
            }
        )
        for model in models
    }
    content_types = ContentType.objects.get_for_models(*models)
    review_counts = Review.objects.aggregate(
        **{
            f"{query.key}_{content_types[model].pk}": Count(
                "pk", filter=query.condition(user) & Q(content_type=content_types[model])
            )
            for query in REVIEW_QUERIES.values()
            for model in models
        }
    )
    sections = {key: _content_section(request, query, models, content_counts) for key, query in CONTENT_QUERIES.items()}
    for key, query in REVIEW_QUERIES.items():
        sections[key] = _review_section(request, query, models, content_types, review_counts)
    return Dashboard(
        columns=[_column(model) for model in models],
        sections=[sections[key] for key in ORDER if sections[key] is not None],
    )
