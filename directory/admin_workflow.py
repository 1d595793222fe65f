"""Scheduling and verification in a content model's admin: a scheduled item says when it goes live, publishers can
unschedule it, and “Verified today” records a check at the source, from the changelist, the change form or the
dashboard.

The change form's buttons are POST-only URLs that check their permission themselves, as the bulk actions do.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .exports import base_url
from .reviews import needs_review
from .scheduling import SchedulingError, scheduled_for, unschedule
from .verification import verify_today


class PublicationFilter(admin.SimpleListFilter):
    title = _("publication")
    parameter_name = "publication"

    def lookups(self, request, model_admin):
        return [("scheduled", _("Scheduled")), ("live", _("Live now"))]

    def queryset(self, request, queryset):
        if self.value() == "scheduled":
            return queryset.scheduled()
        if self.value() == "live":
            return queryset.published()
        return queryset


class MyWorkFilter(admin.SimpleListFilter):
    title = _("my work")
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("yes", _("Added or changed by me"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.added_or_changed_by(request.user)
        return queryset


class WorkflowAdminMixin:
    """Mixed in before PublishingAdmin: the publication column and filters, unscheduling and “Verified today”."""

    def get_list_display(self, request):
        # The status column, saying when a scheduled item goes live rather than that it is published.
        return tuple("publication" if name == "status" else name for name in super().get_list_display(request))

    def get_list_filter(self, request):
        return (*super().get_list_filter(request), PublicationFilter, MyWorkFilter)

    @admin.display(description=_("status"), ordering="status")
    def publication(self, obj):
        return scheduled_for(obj) or obj.get_status_display()

    @admin.action(description=_("Unschedule selected %(verbose_name_plural)s (back to draft)"), permissions=["publish"])
    def unschedule(self, request, queryset):
        count = 0
        with transaction.atomic():
            for item in queryset.scheduled():
                try:
                    unschedule(item)
                except SchedulingError:
                    # It went live between the selection and now: readers may have seen it, so it stays.
                    continue
                self._log_change(request, item, "status", "published_at")
                count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d item unscheduled: it is a draft again.",
                "%(count)d items unscheduled: they are drafts again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )

    @admin.action(description=_("Mark selected %(verbose_name_plural)s as verified today"), permissions=["change"])
    def mark_verified_today(self, request, queryset):
        saved = proposed = 0
        with transaction.atomic():
            for item in queryset.exclude(last_verified_on=timezone.localdate()):
                if self._verify(request, item) is None:
                    saved += 1
                else:
                    proposed += 1
        if saved or not proposed:
            self.message_user(
                request,
                ngettext("%(count)d item marked as verified today.", "%(count)d items marked as verified today.", saved)
                % {"count": saved},
                messages.SUCCESS,
            )
        if proposed:
            self.message_user(
                request,
                ngettext(
                    "%(count)d live item's verification is awaiting a publisher's review.",
                    "%(count)d live items' verifications are awaiting a publisher's review.",
                    proposed,
                )
                % {"count": proposed},
                messages.SUCCESS,
            )

    def _verify(self, request, item):
        review = verify_today(item, request.user, base_url(request))
        if review is None:
            self._log_change(request, item, "last_verified_on")
        return review

    def _log_change(self, request, item, *names):
        # As the admin logs a form's save, in English for the history to translate when shown: "Changed Status and
        # Published at."
        with translation.override(None):
            fields = [str(capfirst(item._meta.get_field(name).verbose_name)) for name in names]
        self.log_change(request, item, [{"changed": {"fields": fields}}])

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/unschedule/", wrap(require_POST(self.unschedule_view)), name=f"{info}_unschedule"),
            path(
                "<path:object_id>/verified-today/",
                wrap(require_POST(self.verified_today_view)),
                name=f"{info}_verified_today",
            ),
            *super().get_urls(),
        ]

    def _changeable(self, request, object_id):
        item = self.get_object(request, object_id)
        if item is None or not self.has_change_permission(request, item):
            raise PermissionDenied
        return item

    def _back(self, request, item):
        """Back where the button was: the dashboard's own address if it sent one, else the item's change form."""
        url = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
            url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[item.pk])
        return HttpResponseRedirect(url)

    def unschedule_view(self, request, object_id):
        item = self._changeable(request, object_id)
        if not self.has_publish_permission(request):
            raise PermissionDenied
        try:
            unschedule(item)
        except SchedulingError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self._log_change(request, item, "status", "published_at")
            self.message_user(request, _("Unscheduled: it is a draft again, and readers will not see it."))
        return self._back(request, item)

    def verified_today_view(self, request, object_id):
        item = self._changeable(request, object_id)
        if self._verify(request, item) is None:
            self.message_user(request, _("“%(item)s” is marked as verified today.") % {"item": item})
        else:
            self.message_user(
                request,
                _(
                    "Your verification of “%(item)s” is awaiting a publisher's review: readers see the previous date "
                    "until a publisher approves it."
                )
                % {"item": item},
            )
        return self._back(request, item)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        item = self.get_object(request, object_id)
        if item is not None:
            extra_context = {**(extra_context or {}), **self.workflow_context(request, item)}
        return super().change_view(request, object_id, form_url, extra_context)

    def workflow_context(self, request, item):
        may_change = self.has_change_permission(request, item)
        return {
            "may_verify": may_change,
            "verification_needs_review": needs_review(request.user, item),
            "may_unschedule": item.is_scheduled and may_change and self.has_publish_permission(request),
        }
