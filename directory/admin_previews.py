"""Previews from the admin: links to an item's preview in each language, and publishers' share links."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .models import ShareLink
from .previews import CONTENT_MODELS, create_share_link, preview_url, share_url


def may_share(user):
    """Share links are a publishing decision: for those who may publish some kind of content."""
    return any(user.has_perm(f"directory.publish_{model._meta.model_name}") for model in CONTENT_MODELS)


class PreviewAdminMixin:
    """The change form links the item's preview in each language and, for publishers, makes share links."""

    change_form_template = "admin/directory/change_form_with_preview.html"

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_share"
        view = self.admin_site.admin_view(require_POST(self.create_share_link_view))
        return [path("<path:object_id>/share/", view, name=name), *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        item = self.get_object(request, object_id)
        if item is not None:
            extra_context = {**(extra_context or {}), **self.preview_context(request, item)}
        return super().change_view(request, object_id, form_url, extra_context)

    def preview_context(self, request, item):
        context = {"preview_links": [(code, name, preview_url(item, code)) for code, name in settings.LANGUAGES]}
        if self.has_publish_permission(request):
            content_type = ContentType.objects.get_for_model(item)
            links = ShareLink.objects.filter(content_type=content_type, object_id=item.pk)
            query = urlencode({"content_type__id__exact": content_type.pk, "object_id": item.pk})
            context.update(
                may_share=True,
                live_share_links=links.live().count(),
                share_links_url=f"{reverse('admin:directory_sharelink_changelist')}?{query}",
            )
        return context

    def create_share_link_view(self, request, object_id):
        item = self.get_object(request, object_id)
        if item is None or not self.has_view_or_change_permission(request, item):
            raise PermissionDenied
        if not self.has_publish_permission(request):
            raise PermissionDenied
        link = create_share_link(item, request.user)
        self.message_user(
            request,
            format_html(
                _("Share link created, valid until {expires}: {url}"),
                expires=timezone.localtime(link.expires_at).strftime("%Y-%m-%d %H:%M"),
                url=request.build_absolute_uri(share_url(link)),
            ),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[item.pk])
        )


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    """Publishers see every share link, how often it was used, and revoke any; links are made from an item's page."""

    list_display = ("shared_item", "created_by", "created_at", "expires_at", "state", "use_count", "last_used_at")
    list_filter = ("content_type",)
    list_select_related = ("content_type", "created_by")
    actions = ("revoke",)

    def has_view_permission(self, request, obj=None):
        return may_share(request.user)

    def has_module_permission(self, request):
        return may_share(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_revoke_permission(self, request):
        return may_share(request.user)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("item")

    @admin.display(description=_("item"))
    def shared_item(self, link):
        if link.item is None:
            return _("(deleted)")
        url = reverse(f"admin:directory_{link.content_type.model}_change", args=[link.object_id])
        return format_html('<a href="{}">{}</a>', url, link.item)

    @admin.display(description=_("state"))
    def state(self, link):
        if link.revoked_at:
            return _("Revoked")
        return _("Live") if link.is_live else _("Expired")

    @admin.action(description=_("Revoke selected share links"), permissions=["revoke"])
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(
            request,
            ngettext("%(count)d share link revoked.", "%(count)d share links revoked.", count) % {"count": count},
            messages.SUCCESS,
        )
