"""Every save of an organisation, programme or guidance document leaves a Revision: who, when, why, and its state.

Signals catch every path through the ORM (the admin, a review's approval, management commands, the shell): a save
(post_save), a change to any of its many-to-many relations, from either side (m2m_changed), and a deletion
(pre_delete: the last state, marked deleted). Paths that bypass signals, queryset.update() in bulk actions or
bulk_create(), call record() themselves.

Within `grouped()` (an admin save, a review's approval, a revert, a load of the demo content) what changes is
collected and recorded once at the end, still inside the caller's transaction: one save of a form with its relations
is one revision. Outside a group each save and each relation change is a revision of its own.

Recording costs three queries however many items are recorded together: their relations and the names these point
to (one UNION), their latest revisions, and the insert; a fourth reads the items a bulk path did not have in hand.
"""

import contextvars
import datetime
import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.db.models import CharField, F, Max, Value
from django.db.models.signals import m2m_changed, post_save, pre_delete
from django.utils import timezone

from .models import Guidance, Organisation, Programme, Revision

CONTENT_MODELS = (Organisation, Programme, Guidance)
# Bumped on every save, so never worth naming as a change.
UNCOMPARED_FIELDS = frozenset({"updated_at"})
BATCH_SIZE = 500

_author = contextvars.ContextVar("revision_author", default=None)
_group = contextvars.ContextVar("revision_group", default=None)


class RevisionAuthorMiddleware:
    """Keep the request's user for the revisions its saves record: below AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting_as(getattr(request, "user", None)):
            return self.get_response(request)


@contextmanager
def acting_as(user):
    """Record the saves inside as `user`'s: a request's, or a script run on someone's behalf."""
    token = _author.set(user)
    try:
        yield
    finally:
        _author.reset(token)


def current_author():
    user = _author.get()
    return user if user is not None and user.is_authenticated else None


@dataclass
class Group:
    message: str = ""
    # {model: {pk: the instance saved, or None to read it from the database}}
    pending: dict = field(default_factory=dict)

    def add(self, model, items):
        pending = self.pending.setdefault(model, {})
        for pk, instance in items.items():
            pending[pk] = instance if instance is not None else pending.get(pk)


@contextmanager
def grouped(message=""):
    """Record what changes inside as one revision per item, when the block ends without an error.

    Within another group it joins that one, which records at its own end.
    """
    outer = _group.get()
    if outer is not None:
        outer.message = outer.message or message
        yield outer
        return
    group = Group(message)
    token = _group.set(group)
    try:
        yield group
    finally:
        _group.reset(token)
    for model, items in group.pending.items():
        record(model, items, group.message)


def set_message(message):
    """Give the revisions the current group records a change message (the admin form's)."""
    group = _group.get()
    if group is not None and message:
        group.message = message


def changed(model, items):
    """Record `items` ({pk: instance or None}) of `model` now, or at the end of the current group."""
    group = _group.get()
    if group is None:
        record(model, items)
    else:
        group.add(model, items)


def chunks(items, size):
    iterator = iter(items.items())
    while chunk := dict(islice(iterator, size)):
        yield chunk


def record(model, items, message="", deleted=False):
    """Record a revision of each of `model`'s `items` ({pk: instance, or None to read it}) as it is now."""
    content_type = ContentType.objects.get_for_model(model)
    author = current_author()
    username = author.get_username() if author is not None else ""
    for chunk in chunks(items, BATCH_SIZE):
        states = states_of(model, chunk)
        previous = latest_states(content_type, states.keys())
        revisions = [
            Revision(
                content_type=content_type,
                object_id=pk,
                object_repr=str(getattr(instance, name_field(model)))[:300],
                author=author,
                username=username,
                message=message[:300],
                state=state,
                names=names,
                changed_fields=changed_fields(previous[pk], state) if pk in previous else None,
                deleted=deleted,
            )
            for pk, (instance, state, names) in states.items()
        ]
        if len(revisions) == 1:
            # Without bulk_create's transaction: outside one that is a BEGIN and a COMMIT more.
            revisions[0].save()
        else:
            Revision.objects.bulk_create(revisions)


def changed_fields(before, after):
    return [name for name in after if name not in UNCOMPARED_FIELDS and before.get(name) != after[name]]


def name_field(model):
    return getattr(model, "slug_source_field", "name")


def states_of(model, items):
    """Return {pk: (instance, state, names)} for `items` ({pk: instance or None}); items deleted are left out."""
    missing = [pk for pk, instance in items.items() if instance is None]
    instances = {pk: instance for pk, instance in items.items() if instance is not None}
    if missing:
        instances |= model._default_manager.in_bulk(missing)
    relations, names = related(model, instances.keys())
    return {
        pk: (instance, *_state(instance, relations.get(pk, {}), names.get(pk, {})))
        for pk, instance in instances.items()
    }


def _state(instance, relations, names):
    state = {}
    for model_field in type(instance)._meta.concrete_fields:
        if model_field.primary_key:
            continue
        value = model_field.value_from_object(instance)
        if isinstance(model_field, models.FileField):
            value = value.name or ""
        elif value is not None:
            # What the database holds, whatever type a shell assigned (a year as text, a date as a string).
            value = model_field.to_python(value)
            if isinstance(model_field, models.DateTimeField) and timezone.is_aware(value):
                # In UTC to the second, as the admin's form edits it in local time: a form saved untouched changes no
                # time.
                value = value.astimezone(datetime.UTC).replace(microsecond=0)
        state[model_field.name] = value
    for relation in type(instance)._meta.many_to_many:
        state[relation.name] = sorted(relations.get(relation.name, []))
    # As the JSON field stores it, so that it compares equal with the revisions read back.
    return json.loads(json.dumps(state, cls=DjangoJSONEncoder)), names


def relations_query(model, pks):
    """Return the query of (relation, item id, related id, related name) rows for `model`'s items `pks`: its
    many-to-many relations and foreign keys, as one UNION."""
    queries = []
    for relation in model._meta.many_to_many:
        through = relation.remote_field.through
        source, target = relation.m2m_field_name(), relation.m2m_reverse_field_name()
        queries.append(
            through.objects.filter(**{f"{source}__in": pks}).annotate(
                relation=Value(relation.name, output_field=CharField()),
                owner=F(f"{source}_id"),
                target=F(f"{target}_id"),
                label=F(f"{target}__{name_field(relation.related_model)}"),
            )
        )
    for key in model._meta.concrete_fields:
        if key.many_to_one:
            queries.append(
                model._default_manager.filter(pk__in=pks, **{f"{key.name}__isnull": False}).annotate(
                    relation=Value(key.name, output_field=CharField()),
                    owner=F("pk"),
                    target=F(key.attname),
                    label=F(f"{key.name}__{name_field(key.related_model)}"),
                )
            )
    first, *rest = [query.values_list("relation", "owner", "target", "label").order_by() for query in queries]
    return first.union(*rest, all=True)


def latest_query(content_type, pks):
    """Return the query of (item id, state) of the latest revision of each of the items `pks`."""
    latest = (
        Revision.objects.filter(content_type=content_type, object_id__in=pks)
        .order_by()
        .values("object_id")
        .annotate(last=Max("pk"))
        .values("last")
    )
    return Revision.objects.filter(pk__in=latest).order_by().values_list("object_id", "state")


# An id no item has, standing for the one item of a single save in the SQL compiled for it.
ONE_ITEM = -1


@lru_cache(maxsize=64)
def one_item_sql(build, key):
    """Return the SQL of `build(key, [id])`, its parameters, and where the id goes in them.

    Building a query through the ORM takes most of what recording a single save costs (bench/revisions.py): a single
    save, the common case, reuses the SQL compiled the first time.
    """
    sql, params = build(key, [ONE_ITEM]).query.sql_with_params()
    return sql, tuple(params), tuple(index for index, param in enumerate(params) if param == ONE_ITEM)


def rows(build, key, pks):
    """Return the rows of the query `build(key, pks)` makes."""
    if len(pks) != 1:
        return list(build(key, pks))
    sql, params, positions = one_item_sql(build, key)
    params = list(params)
    for index in positions:
        params[index] = pks[0]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def related(model, pks):
    """Return the ids each item's many-to-many relations hold and the names of everything its relations point to, as
    ({pk: {relation: [ids]}}, {pk: {relation: {id: name}}}), in one query."""
    relations, names = {}, {}
    many = {relation.name for relation in model._meta.many_to_many}
    for relation, owner, target, label in rows(relations_query, model, list(pks)) if pks else ():
        if relation in many:
            relations.setdefault(owner, {}).setdefault(relation, []).append(target)
        names.setdefault(owner, {}).setdefault(relation, {})[str(target)] = label
    return relations, names


def latest_states(content_type, pks):
    """Return {pk: state} of the latest revision of each of the items `pks`, in one query."""
    found = rows(latest_query, content_type, list(pks)) if pks else ()
    # The SQL run directly gives the JSON as text.
    return {pk: json.loads(state) if isinstance(state, str) else state for pk, state in found}


def _saved(sender, instance, raw=False, **kwargs):
    # A fixture being loaded (loaddata) is not an edit.
    if not raw:
        changed(sender, {instance.pk: instance})


def _deleted(sender, instance, **kwargs):
    # At once, whatever group is open: at its end the item and its relations are gone.
    record(sender, {instance.pk: instance}, deleted=True)


def _relation_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear"):
            changed(type(instance), {instance.pk: instance})
        return
    # Changed from the other side (a sector's organisations): the items whose relation changed are `model`'s.
    if action == "pre_clear":
        relation = next(f for f in model._meta.many_to_many if f.remote_field.through is sender)
        owners = sender.objects.filter(**{relation.m2m_reverse_field_name(): instance.pk})
        instance._revision_owners = list(owners.values_list(f"{relation.m2m_field_name()}_id", flat=True))
    elif action == "post_clear":
        changed(model, dict.fromkeys(instance.__dict__.pop("_revision_owners", ())))
    elif action in ("post_add", "post_remove"):
        changed(model, dict.fromkeys(pk_set))


def connect():
    for model in CONTENT_MODELS:
        post_save.connect(_saved, sender=model, dispatch_uid=f"revision-{model._meta.model_name}")
        pre_delete.connect(_deleted, sender=model, dispatch_uid=f"revision-{model._meta.model_name}")
        for relation in model._meta.many_to_many:
            through = relation.remote_field.through
            m2m_changed.connect(_relation_changed, sender=through, dispatch_uid=f"revision-{through._meta.label}")


def disconnect():
    """Stop recording (the benchmark measures saves without it)."""
    for model in CONTENT_MODELS:
        post_save.disconnect(sender=model, dispatch_uid=f"revision-{model._meta.model_name}")
        pre_delete.disconnect(sender=model, dispatch_uid=f"revision-{model._meta.model_name}")
        for relation in model._meta.many_to_many:
            through = relation.remote_field.through
            m2m_changed.disconnect(sender=through, dispatch_uid=f"revision-{through._meta.label}")
