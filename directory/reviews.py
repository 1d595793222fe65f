"""Review of editors' work before readers see it: a draft submitted for publication, or changes to a live item.

Editors propose; publishers approve (the item goes live, or the changes are applied to it) or ask for changes with a
comment. Nothing an editor does here touches what readers see: the item is written only when a publisher approves,
so the public pages, search, the sitemap and the exports keep the published state until then.
"""

import logging

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .choices import ReviewKind, ReviewState, Status
from .models import Review
from .revision_recording import grouped

logger = logging.getLogger(__name__)


class ReviewError(Exception):
    """A review step that cannot be taken as asked; its message is for the user."""


def needs_review(user, item):
    """Whether `user`'s changes to the stored `item` must wait for a publisher: an editor's, to a published item."""
    return item.status == Status.PUBLISHED and not may_publish(user, type(item))


def may_publish(user, model):
    return user.has_perm(f"{model._meta.app_label}.publish_{model._meta.model_name}")


def _field(model, name):
    field = model._meta.get_field(name)
    if isinstance(field, models.FileField):
        # A file uploaded with a proposal would have to be stored before anyone approved it.
        raise ReviewError(_("A logo cannot be changed in a proposal: ask a publisher to change it."))
    return field


def changes_from_form(form):
    """Return the fields `form` changed on its model instance, as Review.changes keeps them."""
    model, changes = type(form.instance), {}
    for name in form.changed_data:
        if name not in {field.name for field in model._meta.get_fields()}:
            continue
        field, value = _field(model, name), form.cleaned_data[name]
        if field.many_to_many:
            changes[name] = sorted(related.pk for related in value)
        elif field.many_to_one:
            changes[name] = value.pk if value is not None else None
        else:
            changes[name] = field.get_prep_value(value) if value is not None else None
    return changes


def apply_changes(item, changes):
    """Set `changes` on `item`, validate it as the admin form would, save it and its relations."""
    model, relations = type(item), {}
    for name, value in changes.items():
        field = _field(model, name)
        if field.many_to_many:
            relations[name] = value
        else:
            setattr(item, field.attname, field.to_python(value))
    # As the admin form would: the changed fields, and the model's checks across fields.
    item.full_clean(exclude=[field.name for field in model._meta.fields if field.name not in changes])
    # The save and its relations are one revision.
    with grouped():
        item.save()
        for name, ids in relations.items():
            getattr(item, name).set(ids)


def preview_changes(item, changes):
    """Show `changes` on `item` in memory only, for a preview: related items as the public page would show them."""
    model = type(item)
    for name, value in changes.items():
        field = _field(model, name)
        if field.many_to_many:
            related = field.related_model._default_manager
            related = related.published() if hasattr(related, "published") else related.all()
            item._prefetched_objects_cache[name] = related.filter(pk__in=value)
        else:
            setattr(item, field.attname, field.to_python(value))
    return item


def open_review(item, kind, author=None):
    reviews = Review.objects.of(item).filter(kind=kind, state__in=[ReviewState.PENDING, ReviewState.CHANGES_REQUESTED])
    if author is not None:
        reviews = reviews.filter(author=author)
    return reviews.first()


@transaction.atomic
def propose_changes(item, changes, author, site):
    """Keep an editor's `changes` to the live `item` for review, merged into their open proposal if they have one."""
    review = open_review(item, ReviewKind.CHANGE, author) or Review(
        content_type=ContentType.objects.get_for_model(item), object_id=item.pk, kind=ReviewKind.CHANGE, author=author
    )
    review.changes = {**review.changes, **changes}
    review.state, review.submitted_at = ReviewState.PENDING, timezone.now()
    review.save()
    transaction.on_commit(lambda: notify_publishers(review, site))
    return review


@transaction.atomic
def submit_for_review(item, author, site):
    """Ask a publisher to publish the draft `item`."""
    if item.status != Status.DRAFT:
        raise ReviewError(_("Only a draft can be submitted for publication."))
    review = open_review(item, ReviewKind.PUBLICATION) or Review(
        content_type=ContentType.objects.get_for_model(item),
        object_id=item.pk,
        kind=ReviewKind.PUBLICATION,
        author=author,
    )
    review.state, review.submitted_at = ReviewState.PENDING, timezone.now()
    review.save()
    transaction.on_commit(lambda: notify_publishers(review, site))
    return review


def _decidable(review, reviewer):
    if review.state != ReviewState.PENDING:
        raise ReviewError(_("This review has already been decided."))
    if not may_publish(reviewer, review.content_type.model_class()):
        raise ReviewError(_("Only a publisher can decide a review."))


@transaction.atomic
def approve(review, reviewer, site):
    """Make the review's item live: publish the draft, or apply the proposed changes. Refused if they no longer
    validate against the item as it is now (the review then stays open)."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    _decidable(review, reviewer)
    model = review.content_type.model_class()
    item = model._default_manager.select_for_update().get(pk=review.object_id)
    if review.kind == ReviewKind.PUBLICATION:
        item.status = Status.PUBLISHED
        item.save()
    else:
        try:
            apply_changes(item, review.changes)
        except ValidationError as error:
            message = _("The changes no longer fit the item: %(errors)s") % {"errors": "; ".join(error.messages)}
            raise ReviewError(message) from error
    review.state, review.reviewer, review.reviewed_at = ReviewState.APPROVED, reviewer, timezone.now()
    review.save(update_fields=["state", "reviewer", "reviewed_at"])
    transaction.on_commit(lambda: notify_author(review, site))
    return item


@transaction.atomic
def request_changes(review, reviewer, comment, site):
    comment = comment.strip()
    if not comment:
        raise ReviewError(_("Say what should change: the comment is what the editor reads."))
    review = Review.objects.select_for_update().get(pk=review.pk)
    _decidable(review, reviewer)
    review.state, review.reviewer, review.reviewed_at = ReviewState.CHANGES_REQUESTED, reviewer, timezone.now()
    review.comment = comment
    review.save(update_fields=["state", "reviewer", "reviewed_at", "comment"])
    transaction.on_commit(lambda: notify_author(review, site))
    return review


def change_form_url(review, site):
    path = reverse(f"admin:directory_{review.content_type.model}_change", args=[review.object_id])
    return f"{site}{path}"


def notify_publishers(review, site):
    """Email everyone who may publish the item's kind (but the author) that something waits for them."""
    model = review.content_type.model_class()
    publishers = (
        get_user_model()
        .objects.with_perm(
            f"directory.publish_{model._meta.model_name}", backend="django.contrib.auth.backends.ModelBackend"
        )
        .exclude(email="")
        .exclude(pk=review.author_id)
    )
    item = review.item
    with translation.override("en"):
        subject = _("Waiting for your review: %(item)s") % {"item": item}
        body = _("%(author)s asks for a review (%(kind)s) of “%(item)s”.\n\nReview it here: %(url)s\n") % {
            "author": _author_name(review),
            "kind": review.get_kind_display(),
            "item": item,
            "url": change_form_url(review, site),
        }
    messages = [(subject, body, None, [user.email]) for user in publishers]
    _send(messages, review)


def notify_author(review, site):
    """Email the author what the publisher decided, with the comment if changes are requested."""
    author = review.author
    if author is None or not author.email:
        return
    item = review.item
    with translation.override("en"):
        if review.state == ReviewState.APPROVED:
            subject = _("Approved: %(item)s") % {"item": item}
            body = _("%(reviewer)s approved your %(kind)s of “%(item)s”. Readers see it now.\n\n%(url)s\n")
        else:
            subject = _("Changes requested: %(item)s") % {"item": item}
            body = _("%(reviewer)s asks for changes to your %(kind)s of “%(item)s”:\n\n%(comment)s\n\n%(url)s\n")
        body %= {
            "reviewer": review.reviewer.get_username() if review.reviewer else "-",
            "kind": review.get_kind_display().lower(),
            "item": item,
            "comment": review.comment,
            "url": change_form_url(review, site),
        }
    _send([(subject, body, None, [author.email])], review)


def _author_name(review):
    return review.author.get_username() if review.author else _("Someone")


def _send(messages, review):
    if not messages:
        return
    try:
        send_mass_mail(messages, fail_silently=False)
    except OSError:
        # The decision is made and kept; a mail server that is down must not undo it or show the editor a 500.
        logger.exception("Could not send the notifications of review %s", review.pk)
