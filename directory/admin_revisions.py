"""Revisions in the admin: each item's history (its revisions, a comparison of any two, a revert to one) and, for
publishers, the audit of every change across the site, with its CSV export.

The revert is a POST-only URL that checks the change permission itself; reverts.revert decides whether it applies or
is proposed for review.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import PAGE_VAR
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from .audit import audit_response
from .exports import base_url
from .forms import ConcurrencySafeForm
from .models import Review, Revision
from .revision_recording import grouped, set_message
from .revisions import compare, revert

HISTORY_PAGE_SIZE = 50


class RevisionMessageForm(ConcurrencySafeForm):
    revision_message = forms.CharField(
        label=_("Change message"),
        required=False,
        max_length=300,
        help_text=_("Optional: what you changed and why. The item's history shows it beside your change."),
    )


def field_labels(model, names):
    """Return the verbose names of `model`'s fields `names`, for a list of what changed."""
    labels = []
    for name in names or ():
        try:
            labels.append(str(model._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:
            labels.append(name)
    return labels


class RevisionAdminMixin:
    """A content model's history: mixed in before ReviewAdminMixin, whose save_model may propose instead of save."""

    form = RevisionMessageForm
    revision_fieldset = (_("Change message"), {"fields": ("revision_message",)})

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            return fieldsets
        return [*fieldsets, self.revision_fieldset]

    def _changeform_view(self, request, object_id, form_url, extra_context):
        # Inside changeform_view's transaction: the item's save and its relations' are recorded as one revision.
        with grouped():
            return super()._changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        set_message(form.cleaned_data.get("revision_message", ""))
        super().save_model(request, obj, form, change)

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/history/compare/", wrap(self.compare_view), name=f"{info}_compare"),
            path(
                "<path:object_id>/history/<int:revision_id>/revert/",
                wrap(require_POST(self.revert_view)),
                name=f"{info}_revert",
            ),
            *super().get_urls(),
        ]

    def _item(self, request, object_id):
        item = self.get_object(request, unquote(object_id))
        if item is not None and not self.has_view_or_change_permission(request, item):
            raise PermissionDenied
        return item

    def _history_url(self, item):
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_history", args=[item.pk])

    def _context(self, request, item, title):
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "subtitle": None,
            "object": item,
            "opts": self.opts,
            "module_name": self.opts.verbose_name_plural,
            "may_revert": self.has_change_permission(request, item),
        }

    def history_view(self, request, object_id, extra_context=None):
        item = self._item(request, object_id)
        if item is None:
            # Deleted since (the audit still lists its revisions): to the changelist, with Django's message.
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        revisions = Revision.objects.of(item).only(
            "pk", "created_at", "username", "message", "changed_fields", "object_repr"
        )
        page = Paginator(revisions, HISTORY_PAGE_SIZE).get_page(request.GET.get(PAGE_VAR))
        rows = list(page)
        for revision in rows:
            revision.changed_labels = field_labels(self.model, revision.changed_fields)
        context = {
            **self._context(request, item, _("History: %s") % item),
            "page_obj": page,
            "revisions": rows,
            "latest_pk": rows[0].pk if rows and page.number == 1 else None,
            "page_var": PAGE_VAR,
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/directory/revision_history.html", context)

    def compare_view(self, request, object_id):
        item = self._item(request, object_id)
        if item is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        revisions = Revision.objects.of(item)
        newer = get_object_or_404(revisions, pk=request.GET.get("b") or 0) if request.GET.get("b") else None
        older = get_object_or_404(revisions, pk=request.GET.get("a")) if request.GET.get("a") else None
        if newer is None:
            newer = revisions.first()
        if older is None and newer is not None:
            older = revisions.filter(pk__lt=newer.pk).first()
        if older is None or newer is None:
            self.message_user(request, _("Choose two revisions to compare."), messages.WARNING)
            return HttpResponseRedirect(self._history_url(item))
        if (older.created_at, older.pk) > (newer.created_at, newer.pk):
            older, newer = newer, older
        context = {
            **self._context(request, item, _("Compare revisions: %s") % item),
            "older": older,
            "newer": newer,
            "differences": compare(self.model, older, newer),
            "history_url": self._history_url(item),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/directory/revision_compare.html", context)

    def revert_view(self, request, object_id, revision_id):
        item = self.get_object(request, unquote(object_id))
        if item is None or not self.has_change_permission(request, item):
            raise PermissionDenied
        revision = get_object_or_404(Revision.objects.of(item), pk=revision_id)
        outcome = revert(item, revision, request.user, base_url(request))
        if outcome is None:
            self.message_user(request, _("The item already has this revision's content."), messages.INFO)
        elif isinstance(outcome, Review):
            self.message_user(
                request,
                _(
                    "The revert is awaiting a publisher's review. Readers still see the published version until a "
                    "publisher approves it."
                ),
                messages.SUCCESS,
            )
        else:
            self.message_user(request, _("Reverted: the item has this revision's content again."), messages.SUCCESS)
        if isinstance(outcome, Review) and revision.state.get("logo", "") != (item.logo.name or ""):
            self.message_user(request, _("The logo was not reverted: ask a publisher to change it."), messages.WARNING)
        return HttpResponseRedirect(self._history_url(item))


class DateRangeForm(forms.Form):
    since = forms.DateField(required=False)
    until = forms.DateField(required=False)


class DateRangeFilter(admin.ListFilter):
    """Changes saved from one day to another, both included, in the portal's time zone."""

    title = _("date range")
    template = "admin/directory/date_range_filter.html"
    parameters = ("since", "until")

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        for name in self.parameters:
            if name in params:
                self.used_parameters[name] = params.pop(name)[-1]
        form = DateRangeForm(self.used_parameters)
        self.dates = form.cleaned_data if form.is_valid() else {}
        self.other_parameters = [
            (name, value)
            for name, values in request.GET.lists()
            if name not in self.parameters and name != PAGE_VAR
            for value in values
        ]

    def has_output(self):
        return True

    def choices(self, changelist):
        return ()

    def expected_parameters(self):
        return list(self.parameters)

    def queryset(self, request, queryset):
        if self.dates.get("since"):
            queryset = queryset.filter(created_at__date__gte=self.dates["since"])
        if self.dates.get("until"):
            queryset = queryset.filter(created_at__date__lte=self.dates["until"])
        return queryset


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    """Every change across the site, newest first, for those with view_revision (publishers): written only by the
    saves themselves, so read-only for everyone."""

    list_display = ("created_at", "author_name", "item_model", "history_link", "changes", "message")
    list_filter = (
        DateRangeFilter,
        ("author", admin.RelatedOnlyFieldListFilter),
        ("content_type", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("content_type",)
    search_fields = ("object_repr", "username", "message")
    list_per_page = 100
    change_list_template = "admin/directory/revision_change_list.html"
    fields = (
        "created_at",
        "username",
        "content_type",
        "object_id",
        "object_repr",
        "message",
        "changed_fields",
        "deleted",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        export = path("export.csv", self.admin_site.admin_view(self.export_view), name="directory_revision_export")
        return [export, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        query = request.GET.copy()
        query.pop(PAGE_VAR, None)
        export_url = reverse("admin:directory_revision_export") + (f"?{query.urlencode()}" if query else "")
        return super().changelist_view(request, {**(extra_context or {}), "export_url": export_url})

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        # PostgreSQL's JSON cannot store a NUL byte, which no real filter holds.
        filters = {
            name: [value for value in values if "\x00" not in value]
            for name, values in request.GET.lists()
            if "\x00" not in name
        }
        return audit_response(changelist.queryset, request.user, filters)

    @admin.display(description=_("author"), ordering="username")
    def author_name(self, revision):
        return revision.username or _("system")

    @admin.display(description=_("kind of item"), ordering="content_type")
    def item_model(self, revision):
        return revision.content_type.model_class()._meta.verbose_name

    @admin.display(description=_("item"), ordering="object_repr")
    def history_link(self, revision):
        url = reverse(f"admin:directory_{revision.content_type.model}_history", args=[revision.object_id])
        return format_html('<a href="{}">{}</a>', url, revision.object_repr)

    @admin.display(description=_("changed fields"))
    def changes(self, revision):
        if revision.deleted:
            return _("(deleted)")
        if revision.changed_fields is None:
            return _("(first revision)")
        return ", ".join(field_labels(revision.content_type.model_class(), revision.changed_fields)) or "-"
