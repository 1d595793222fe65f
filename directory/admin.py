import logging

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG, PAGE_VAR
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, models, transaction
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .admin_previews import PreviewAdminMixin
from .admin_reviews import ReviewAdminMixin
from .admin_revisions import RevisionAdminMixin
from .admin_workflow import WorkflowAdminMixin
from .bilingual import CHINESE_SUFFIX, chinese_field, lacks_chinese, missing_chinese
from .choices import ExportSource, Status
from .exports import EXPORTS_BY_MODEL, CsvExport, base_url, csv_response
from .forms import (
    ConcurrencySafeForm,
    IdCheckedModelMultipleChoiceField,
    SafeAutocompleteSelect,
    SafeAutocompleteSelectMultiple,
)
from .models import ExportRecord, Guidance, Organisation, Programme, Sector, Topic
from .revision_recording import record

logger = logging.getLogger(__name__)

admin.site.site_header = _("HK AI Portal administration")
admin.site.site_title = _("HK AI Portal")
admin.site.index_title = _("Content")


class VerificationFilter(admin.SimpleListFilter):
    title = _("verification")
    parameter_name = "verification"

    def lookups(self, request, model_admin):
        return [("stale", _("Not verified for over a year")), ("fresh", _("Verified within a year"))]

    def queryset(self, request, queryset):
        stale = queryset.not_verified_since()
        if self.value() == "stale":
            return stale
        if self.value() == "fresh":
            return queryset.exclude(pk__in=stale.values("pk"))
        return queryset


class MissingChineseFilter(admin.SimpleListFilter):
    title = _("Chinese translation")
    parameter_name = "chinese"

    def lookups(self, request, model_admin):
        return [("missing", _("Missing Chinese")), ("complete", _("Translated"))]

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.filter(missing_chinese(queryset.model))
        if self.value() == "complete":
            return queryset.exclude(missing_chinese(queryset.model))
        return queryset


# Where each Chinese text comes from: official, editorial or missing (choices.TranslationStatus).
TRANSLATION_FILTERS = ("name_zh_hant_status", "summary_zh_hant_status")


class BilingualAdmin(admin.ModelAdmin):
    """English and Chinese side by side, and which items still lack Chinese (a column and a filter)."""

    class Media:
        css = {"all": ("css/admin-bilingual.css",)}

    texts_fieldset = (
        _("Summary and description, in English and Chinese"),
        {
            "fields": (
                ("summary", "summary_zh_hant", "summary_zh_hant_status"),
                ("description", "description_zh_hant", "description_zh_hant_status"),
            )
        },
    )

    @admin.display(boolean=True, description=_("Chinese"))
    def translated(self, obj):
        return not lacks_chinese(obj)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name.endswith(CHINESE_SUFFIX):
            # Browsers and screen readers then use Chinese fonts, input and pronunciation for it.
            field.widget.attrs["lang"] = "zh-Hant"
        return field


class PublishingAdmin(BilingualAdmin):
    """Drafting for editors, publishing only for those with the model's publish permission, on every path."""

    actions = ("publish", "unpublish", "archive")
    form = ConcurrencySafeForm
    list_per_page = 50
    # A URL typed without a scheme means https (Django 6.0's default, opted into now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ("created_at", "updated_at")
    prepopulated_fields = {"slug": ("name",)}
    provenance_fieldset = (
        _("Publication and provenance"),
        {"fields": ("status", "published_at", "source_url", "last_verified_on", "created_at", "updated_at")},
    )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not self.has_change_permission(request, obj):
            return fieldsets
        # The admin renders only the fields its fieldsets name, so the version must ride along in one of them.
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": (*options["fields"], "loaded_version")}), *rest]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault("widget", SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using")))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            widget = SafeAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
            kwargs.setdefault("widget", widget)
        kwargs.setdefault("form_class", IdCheckedModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in ("summary", chinese_field("summary")):
            kwargs["widget"] = forms.Textarea(attrs={"rows": 3, "maxlength": db_field.max_length})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_publish_permission(self, request):
        return request.user.has_perm(f"{self.opts.app_label}.publish_{self.opts.model_name}")

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if self.has_publish_permission(request):
            return fields
        if obj is not None and obj.status != Status.DRAFT:
            return (*fields, "status", "published_at")
        return (*fields, "published_at")

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status" and not self.has_publish_permission(request):
            kwargs["choices"] = [(Status.DRAFT.value, Status.DRAFT.label)]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # The form already refuses other statuses; this guards every other path into save_model.
        if not self.has_publish_permission(request):
            stored = type(obj)._default_manager.filter(pk=obj.pk).values_list("status", flat=True).first()
            obj.status = stored if change and stored else Status.DRAFT
        super().save_model(request, obj, form, change)

    def _set_status(self, request, queryset, status, message):
        now = timezone.now()
        changes = {"status": status, "updated_at": now}
        if status == Status.PUBLISHED:
            changes["published_at"] = Coalesce("published_at", Value(now))
        try:
            with transaction.atomic():
                pks = list(queryset.values_list("pk", flat=True))
                count = queryset.update(**changes)
                # update() sends no signal: the revisions are recorded here, in the same transaction.
                record(self.model, dict.fromkeys(pks), message(count) % {"count": count})
        except DatabaseError:
            logger.exception("Bulk status change to %s failed on %s", status, self.opts.label)
            self.message_user(
                request,
                _(
                    "Nothing was changed: the database refused the change. Try again, and tell an administrator if it "
                    "keeps failing."
                ),
                messages.ERROR,
            )
            return
        self.message_user(request, message(count) % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Publish selected %(verbose_name_plural)s"), permissions=["publish"])
    def publish(self, request, queryset):
        self._set_status(
            request,
            queryset,
            Status.PUBLISHED,
            lambda n: ngettext("%(count)d item published.", "%(count)d items published.", n),
        )

    @admin.action(description=_("Unpublish selected %(verbose_name_plural)s (back to draft)"), permissions=["publish"])
    def unpublish(self, request, queryset):
        self._set_status(
            request,
            queryset,
            Status.DRAFT,
            lambda n: ngettext("%(count)d item unpublished.", "%(count)d items unpublished.", n),
        )

    @admin.action(description=_("Archive selected %(verbose_name_plural)s"), permissions=["publish"])
    def archive(self, request, queryset):
        self._set_status(
            request,
            queryset,
            Status.ARCHIVED,
            lambda n: ngettext("%(count)d item archived.", "%(count)d items archived.", n),
        )


class CsvExportAdmin(admin.ModelAdmin):
    """CSV export for users with the model's export permission: of the selected items (an action), or of every item
    the changelist matches with its current filters, search and order (a link above it)."""

    change_list_template = "admin/directory/change_list_with_export.html"

    def has_export_permission(self, request):
        return request.user.has_perm(EXPORTS_BY_MODEL[self.model].permission)

    def export_url_name(self):
        return f"{self.opts.app_label}_{self.opts.model_name}_export"

    def get_urls(self):
        # Before the model admin's own URLs, whose last pattern takes any path as an object id.
        export = path("export.csv", self.admin_site.admin_view(self.export_matching), name=self.export_url_name())
        return [export, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        if self.has_export_permission(request):
            params = request.GET.copy()
            for name in (PAGE_VAR, ERROR_FLAG):
                params.pop(name, None)
            query = params.urlencode()
            url = reverse(f"admin:{self.export_url_name()}", current_app=self.admin_site.name)
            extra_context = {**(extra_context or {}), "export_url": url + (f"?{query}" if query else "")}
        return super().changelist_view(request, extra_context)

    def export_matching(self, request):
        if not (self.has_view_or_change_permission(request) and self.has_export_permission(request)):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            changelist_url = reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist", current_app=self.admin_site.name
            )
            return HttpResponseRedirect(f"{changelist_url}?{ERROR_FLAG}=1")
        return self.export_response(request, changelist.queryset, dict(request.GET.lists()))

    @admin.action(description=_("Export selected %(verbose_name_plural)s as CSV"), permissions=["export"])
    def export_selected(self, request, queryset):
        selected = "all" if request.POST.get("select_across") == "1" else request.POST.getlist(ACTION_CHECKBOX_NAME)
        return self.export_response(request, queryset, {**dict(request.GET.lists()), "selected": selected})

    def export_response(self, request, queryset, filters):
        export = CsvExport(
            EXPORTS_BY_MODEL[self.model],
            queryset,
            source=ExportSource.ADMIN,
            filters=filters,
            base_url=base_url(request),
            user=request.user,
        )
        return csv_response(export)


class ContentAdmin(
    RevisionAdminMixin, WorkflowAdminMixin, ReviewAdminMixin, PreviewAdminMixin, CsvExportAdmin, PublishingAdmin
):
    actions = (*PublishingAdmin.actions, "unschedule", "mark_verified_today", "export_selected")


@admin.register(ExportRecord)
class ExportRecordAdmin(admin.ModelAdmin):
    """The log of CSV exports, written only by the exports themselves: read-only for everyone, superusers too."""

    list_display = ("started_at", "username", "content", "source", "row_count", "complete")
    list_filter = ("content", "source", "complete")
    search_fields = ("username",)
    date_hierarchy = "started_at"
    fields = ("username", "user", "content", "source", "filters", "started_at", "finished_at", "row_count", "complete")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Sector, Topic)
class TaxonomyAdmin(BilingualAdmin):
    list_display = ("name", "name_zh_hant", "name_zh_hant_status", "slug")
    list_filter = (MissingChineseFilter, "name_zh_hant_status")
    search_fields = ("name", "name_zh_hant", "slug")
    prepopulated_fields = {"slug": ("name",)}
    fields = (("name", "name_zh_hant", "name_zh_hant_status"), "slug")


@admin.register(Organisation)
class OrganisationAdmin(ContentAdmin):
    list_display = (
        "logo_thumbnail",
        "name",
        "name_zh_hant",
        "kind",
        "status",
        "translated",
        "name_zh_hant_status",
        "summary_zh_hant_status",
        "founded_year",
        "last_verified_on",
        "updated_at",
    )
    list_display_links = ("name",)
    list_filter = ("status", "kind", "sectors", VerificationFilter, MissingChineseFilter, *TRANSLATION_FILTERS)
    search_fields = ("name", "name_zh_hant", "aliases", "slug", "summary")
    autocomplete_fields = ("parent", "part_of", "part_of_programmes", "established_by", "sectors")
    list_select_related = ("parent",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("name", "name_zh_hant", "name_zh_hant_status"),
                    "aliases",
                    "slug",
                    "kind",
                    "parent",
                    "part_of",
                    "part_of_programmes",
                    "established_by",
                    "sectors",
                )
            },
        ),
        BilingualAdmin.texts_fieldset,
        (_("Details"), {"fields": ("website", "founded_year", "logo")}),
        PublishingAdmin.provenance_fieldset,
    )

    @admin.display(description=_("logo"))
    def logo_thumbnail(self, obj):
        if not obj.logo:
            return ""
        return format_html('<img src="{}" alt="" width="40" height="40" class="logo-thumbnail">', obj.logo.url)


@admin.register(Programme)
class ProgrammeAdmin(ContentAdmin):
    list_display = (
        "name",
        "kind",
        "lead_organisation",
        "status",
        "translated",
        "name_zh_hant_status",
        "summary_zh_hant_status",
        "start_date",
        "end_date",
        "applications_close_on",
        "updated_at",
    )
    list_filter = ("status", "kind", "sectors", VerificationFilter, MissingChineseFilter, *TRANSLATION_FILTERS)
    search_fields = ("name", "name_zh_hant", "aliases", "slug", "summary", "lead_organisation__name")
    autocomplete_fields = ("lead_organisation", "partners", "part_of", "supersedes", "sectors")
    list_select_related = ("lead_organisation",)
    date_hierarchy = "start_date"
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("name", "name_zh_hant", "name_zh_hant_status"),
                    "aliases",
                    "slug",
                    "kind",
                    "lead_organisation",
                    "partners",
                    "part_of",
                    "supersedes",
                    "sectors",
                )
            },
        ),
        BilingualAdmin.texts_fieldset,
        (_("Dates and links"), {"fields": ("start_date", "end_date", "dates_precision", "website")}),
        (
            _("Applications"),
            {
                "fields": (
                    ("applications_open_on", "applications_close_on"),
                    "applications_rolling",
                    ("next_intake", "next_intake_zh_hant"),
                ),
                "description": _("Only what the source states: leave a date blank rather than guess it."),
            },
        ),
        PublishingAdmin.provenance_fieldset,
    )


@admin.register(Guidance)
class GuidanceAdmin(ContentAdmin):
    list_display = (
        "title",
        "publisher",
        "kind",
        "binding",
        "status",
        "translated",
        "title_zh_hant_status",
        "summary_zh_hant_status",
        "date_published",
        "updated_at",
    )
    list_filter = (
        "status",
        "kind",
        "binding",
        "topics",
        "sectors",
        ("publisher", admin.RelatedOnlyFieldListFilter),
        VerificationFilter,
        MissingChineseFilter,
        "title_zh_hant_status",
        "summary_zh_hant_status",
    )
    search_fields = ("title", "title_zh_hant", "slug", "summary", "publisher__name")
    autocomplete_fields = ("publisher", "co_publishers", "topics", "sectors", "supersedes")
    list_select_related = ("publisher",)
    date_hierarchy = "date_published"
    prepopulated_fields = {"slug": ("title",)}
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("title", "title_zh_hant", "title_zh_hant_status"),
                    "slug",
                    "publisher",
                    "co_publishers",
                    "kind",
                    "topics",
                    "sectors",
                    "binding",
                ),
            },
        ),
        BilingualAdmin.texts_fieldset,
        (_("Document"), {"fields": ("date_published", "date_precision", "document_url", "supersedes")}),
        PublishingAdmin.provenance_fieldset,
    )
