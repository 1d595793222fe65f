"""Previews: the public detail page of any item, draft or not, exactly as readers will see it once it is published.

Staff with the model's view permission preview from the admin; anyone else gets a 404, as for a draft's public
address, so a preview does not even reveal that an item exists. A publisher can hand an outside reviewer a share
link: signed, expiring after `SHARE_LINK_DAYS`, revocable, read-only, and each use is logged. Neither kind of page is
ever stored in a cache or indexed.
"""

import logging
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.db.models import F
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import views
from .models import Guidance, Organisation, Programme, Review, ShareLink
from .reviews import preview_changes

logger = logging.getLogger(__name__)

SHARE_LINK_DAYS = 7
SHARE_LINK_SALT = "directory.previews.share-link"

CONTENT_MODELS = (Organisation, Programme, Guidance)
PREVIEW_VIEWS = {}


def preview_url(item, language=None):
    """Return the staff preview address of `item`, in the active language unless `language` is given."""
    with translation.override(language or translation.get_language()):
        return reverse("directory:preview", kwargs={"model": item._meta.model_name, "pk": item.pk})


def as_id(text):
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None


def share_token(link):
    return signing.dumps(str(link.key), salt=SHARE_LINK_SALT)


def shared_link(token):
    """Return the live ShareLink that `token` names, or None when it is tampered with, expired or revoked."""
    try:
        key = signing.loads(token, salt=SHARE_LINK_SALT, max_age=timedelta(days=SHARE_LINK_DAYS))
    except signing.BadSignature:
        return None
    return ShareLink.objects.live().filter(key=key).select_related("content_type").first()


class PreviewMixin:
    """Show the item whatever its status, with a preview banner, `noindex`, and nothing a cache may keep."""

    def visible_items(self):
        return self.model.objects.all()

    def get_context_data(self, **kwargs):
        return super().get_context_data(preview=self.preview_context(), **kwargs)

    def preview_context(self):
        return {"item": self.object, "shared": False}

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response


class StaffPreviewMixin(PreviewMixin):
    """A staff member's preview; `?review=<id>` shows the page with that review's proposed changes applied."""

    review = None

    def get_object(self, queryset=None):
        if not self.request.user.has_perm(f"directory.view_{self.model._meta.model_name}"):
            raise Http404
        item = super().get_object(queryset)
        if "review" in self.request.GET:
            self.review = Review.objects.of(item).filter(pk=as_id(self.request.GET["review"])).first()
            if self.review is None:
                raise Http404
            preview_changes(item, self.review.changes)
        return item

    def preview_context(self):
        return {**super().preview_context(), "review": self.review}


class SharedPreviewMixin(PreviewMixin):
    def setup(self, request, *args, link, **kwargs):
        super().setup(request, *args, **kwargs)
        self.link = link

    def get_object(self, queryset=None):
        item = super().get_object(queryset)
        # Counted in the database, so that two reviewers opening the link at once are both counted.
        ShareLink.objects.filter(pk=self.link.pk).update(use_count=F("use_count") + 1, last_used_at=timezone.now())
        logger.info("Share link %s of %s %s used", self.link.pk, self.model._meta.model_name, item.pk)
        return item

    def preview_context(self):
        return {**super().preview_context(), "shared": True, "expires_at": self.link.expires_at}


def _preview_view(detail_view, access):
    view = type(f"{access.__name__}{detail_view.__name__}", (access, detail_view), {}).as_view()
    return never_cache(require_safe(view))


for _detail in (views.OrganisationDetailView, views.ProgrammeDetailView, views.GuidanceDetailView):
    PREVIEW_VIEWS[_detail.model._meta.model_name] = {
        "staff": _preview_view(_detail, StaffPreviewMixin),
        "shared": _preview_view(_detail, SharedPreviewMixin),
    }


def staff_preview(request, model, pk):
    if model not in PREVIEW_VIEWS:
        raise Http404
    return PREVIEW_VIEWS[model]["staff"](request, pk=pk)


def shared_preview(request, token):
    link = shared_link(token)
    if link is None or link.content_type.model not in PREVIEW_VIEWS:
        logger.warning("Refused a share link that is tampered with, expired or revoked")
        raise Http404
    return PREVIEW_VIEWS[link.content_type.model]["shared"](request, pk=link.object_id, link=link)


def create_share_link(item, user):
    return ShareLink.objects.create(
        content_type=ContentType.objects.get_for_model(item),
        object_id=item.pk,
        created_by=user,
        expires_at=timezone.now() + timedelta(days=SHARE_LINK_DAYS),
    )


def share_url(link):
    return reverse("directory:shared-preview", kwargs={"token": share_token(link)})
