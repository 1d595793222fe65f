"""Review in the admin: editors' changes to live items wait for a publisher, drafts are submitted for publication.

Enforced in save_model and save_related, which every change form save goes through whatever the POST holds; the
decisions are POST-only URLs that check the publish permission themselves.
"""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from .choices import ReviewKind, ReviewState, Status
from .exports import base_url
from .models import Review
from .previews import CONTENT_MODELS, preview_url
from .reviews import (
    ReviewError,
    approve,
    changes_from_form,
    may_publish,
    needs_review,
    propose_changes,
    request_changes,
    submit_for_review,
)

OPEN_STATES = (ReviewState.PENDING, ReviewState.CHANGES_REQUESTED)


class ReviewStateFilter(admin.SimpleListFilter):
    title = _("review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("publication", _("Submitted for publication")),
            ("change", _("Changes awaiting review")),
            ("changes_requested", _("Changes requested")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value in ("publication", "change"):
            return queryset.filter(open_review_kind=value, open_review_state=ReviewState.PENDING)
        if value == "changes_requested":
            return queryset.filter(open_review_state=ReviewState.CHANGES_REQUESTED)
        return queryset


def _open_reviews(model):
    return Review.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=OuterRef("pk"), state__in=OPEN_STATES
    ).order_by("-submitted_at", "-pk")


class ReviewAdminMixin:
    """The editorial review of a content model's admin: mixed in before PublishingAdmin."""

    review_link_names = ("submit_review", "approve_review", "request_changes")

    def get_queryset(self, request):
        # The latest open review of each item, in the changelist's own query rather than one query per row.
        reviews = _open_reviews(self.model)
        return (
            super()
            .get_queryset(request)
            .annotate(
                open_review_state=Subquery(reviews.values("state")[:1]),
                open_review_kind=Subquery(reviews.values("kind")[:1]),
            )
        )

    def get_list_display(self, request):
        return (*super().get_list_display(request), "review_state")

    def get_list_filter(self, request):
        return (*super().get_list_filter(request), ReviewStateFilter)

    @admin.display(description=_("review"), ordering="open_review_state")
    def review_state(self, obj):
        if obj.open_review_state == ReviewState.CHANGES_REQUESTED:
            return ReviewState.CHANGES_REQUESTED.label
        if obj.open_review_state == ReviewState.PENDING:
            if obj.open_review_kind == ReviewKind.CHANGE:
                return _("Changes awaiting review")
            return ReviewState.PENDING.label
        return "-"

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and needs_review(request.user, obj) and "logo" in {f.name for f in obj._meta.fields}:
            return (*fields, "logo")
        return fields

    def save_model(self, request, obj, form, change):
        if change:
            stored = type(obj)._default_manager.get(pk=obj.pk)
            if needs_review(request.user, stored):
                changes = changes_from_form(form)
                request.proposed_review = propose_changes(stored, changes, request.user, base_url(request))
                return
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if getattr(request, "proposed_review", None) is None:
            super().save_related(request, form, formsets, change)

    def response_change(self, request, obj):
        if getattr(request, "proposed_review", None) is None:
            return super().response_change(request, obj)
        self.message_user(
            request,
            _(
                "Your changes are awaiting a publisher's review. Readers still see the published version until a "
                "publisher approves them."
            ),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(request.path)

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/submit-review/", wrap(require_POST(self.submit_view)), name=f"{info}_submit_review"),
            path("reviews/<int:review_id>/approve/", wrap(require_POST(self.approve_view)), name=f"{info}_approve"),
            path(
                "reviews/<int:review_id>/request-changes/",
                wrap(require_POST(self.request_changes_view)),
                name=f"{info}_request_changes",
            ),
            *super().get_urls(),
        ]

    def _change_url(self, pk):
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[pk])

    def _review(self, request, review_id):
        review = get_object_or_404(
            Review.objects.select_related("content_type", "author"),
            pk=review_id,
            content_type=ContentType.objects.get_for_model(self.model),
        )
        if not may_publish(request.user, self.model):
            raise PermissionDenied
        return review

    def _decide(self, request, object_id, decision, success):
        try:
            decision()
        except ReviewError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, success, messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(object_id))

    def submit_view(self, request, object_id):
        item = self.get_object(request, object_id)
        if item is None or not self.has_change_permission(request, item):
            raise PermissionDenied
        return self._decide(
            request,
            item.pk,
            lambda: submit_for_review(item, request.user, base_url(request)),
            _("Submitted for review: a publisher will publish it or ask for changes."),
        )

    def approve_view(self, request, review_id):
        review = self._review(request, review_id)
        return self._decide(
            request,
            review.object_id,
            lambda: approve(review, request.user, base_url(request)),
            _("Approved: readers see it now."),
        )

    def request_changes_view(self, request, review_id):
        review = self._review(request, review_id)
        comment = request.POST.get("comment", "")
        return self._decide(
            request,
            review.object_id,
            lambda: request_changes(review, request.user, comment, base_url(request)),
            _("Changes requested: the editor sees your comment."),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        item = self.get_object(request, object_id)
        if item is not None:
            extra_context = {**(extra_context or {}), **self.review_context(request, item)}
        return super().change_view(request, object_id, form_url, extra_context)

    def review_context(self, request, item):
        reviews = list(
            Review.objects.of(item)
            .filter(state__in=OPEN_STATES)
            .select_related("author", "reviewer")
            .order_by("submitted_at", "pk")
        )
        for review in reviews:
            review.changed_fields = describe_changes(item, review.changes)
            review.preview_url = f"{preview_url(item)}?{urlencode({'review': review.pk})}"
        return {
            "reviews": reviews,
            "may_decide": may_publish(request.user, self.model),
            "may_submit": item.status == Status.DRAFT
            and not may_publish(request.user, self.model)
            and not any(r.kind == ReviewKind.PUBLICATION and r.state == ReviewState.PENDING for r in reviews),
        }


def describe_changes(item, changes):
    """Return [(label, live value, proposed value)] for a review's changes, related items by name."""
    rows = []
    for name, value in changes.items():
        field = item._meta.get_field(name)
        if field.many_to_many:
            live = ", ".join(str(related) for related in getattr(item, name).all())
            proposed = ", ".join(str(related) for related in field.related_model._default_manager.filter(pk__in=value))
        elif field.many_to_one:
            live = str(getattr(item, name) or "")
            proposed = str(field.related_model._default_manager.filter(pk=value).first() or "")
        else:
            live = field.value_to_string(item)
            proposed = "" if value is None else str(value)
        rows.append((field.verbose_name, live, proposed))
    return rows


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    """What waits for review, oldest first: every review for publishers, their own for editors. Decided on the
    item's change form, where the changes are shown beside the published values."""

    list_display = ("reviewed_item", "kind", "state", "author", "submitted_at", "reviewer", "reviewed_at")
    list_filter = ("state", "kind", "content_type")
    list_select_related = ("content_type", "author", "reviewer")
    ordering = ("submitted_at", "pk")

    def get_queryset(self, request):
        reviews = super().get_queryset(request).prefetch_related("item")
        if any(may_publish(request.user, model) for model in CONTENT_MODELS):
            return reviews
        return reviews.filter(author=request.user)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff and (obj is None or obj in self.get_queryset(request))

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("item"))
    def reviewed_item(self, review):
        if review.item is None:
            return _("(deleted)")
        url = reverse(f"admin:directory_{review.content_type.model}_change", args=[review.object_id])
        return format_html('<a href="{}">{}</a>', url, review.item)
