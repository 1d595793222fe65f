import datetime
import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MinValueValidator
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from .bilingual import localised, sync_translation_status
from .choices import (
    DatePrecision,
    ExportedContent,
    ExportSource,
    GuidanceKind,
    OrganisationKind,
    ProgrammeKind,
    ReviewKind,
    ReviewState,
    Status,
    TranslationStatus,
)
from .fields import LogoField
from .querysets import PublishableQuerySet
from .search_index import Names, Related, Text
from .validators import logo_extension, validate_logo

SLUG_MAX_LENGTH = 120


# Paths of a list that its items' pages would otherwise shadow, or be shadowed by (/organisations/feed/).
RESERVED_SLUGS = frozenset({"feed"})


def unique_slug(model, text, exclude_pk=None):
    """Return a slug for `text` that no other row of `model` uses, adding -2, -3 ... on collision."""
    base = slugify(text)[: SLUG_MAX_LENGTH - 8].strip("-") or model._meta.model_name
    taken = set(
        model._default_manager.filter(slug__startswith=base).exclude(pk=exclude_pk).values_list("slug", flat=True)
    )
    taken |= RESERVED_SLUGS
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"


def aliases_field():
    return models.CharField(
        _("also known as"),
        max_length=300,
        blank=True,
        help_text=_(
            "Acronyms and short names readers search for, in English or Chinese, separated by semicolons: HKUST; 科大."
        ),
    )


def translation_status_field(verbose_name):
    return models.CharField(
        verbose_name,
        max_length=10,
        choices=TranslationStatus.choices,
        default=TranslationStatus.MISSING,
        # Left blank in a form, it is worked out on saving (bilingual.sync_translation_status).
        blank=True,
        help_text=_("Official: the source's own Chinese. Editorial: translated here. Missing: no Chinese yet."),
    )


def split_aliases(text):
    return [alias.strip() for alias in text.replace("\uff1b", ";").split(";") if alias.strip()]


def sort_index(field, name):
    """An index serving a list sorted by `field` (then id) to any depth: it holds publication too, so the rows a page
    skips are counted from the index alone and only the page's own rows are read."""
    return models.Index(fields=["status", field, "id", "published_at"], name=name)


class Taxonomy(models.Model):
    translated_fields = ("name",)

    name = models.CharField(_("name"), max_length=100, unique=True)
    name_zh_hant = models.CharField(_("name (Chinese)"), max_length=100, blank=True)
    name_zh_hant_status = translation_status_field(_("Chinese name"))
    slug = models.SlugField(_("slug"), max_length=SLUG_MAX_LENGTH, unique=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        sync_translation_status(self)
        if not self.slug:
            self.slug = unique_slug(type(self), self.name, exclude_pk=self.pk)
        super().save(*args, **kwargs)

    @property
    def display_name(self):
        return localised(self, "name")


class Sector(Taxonomy):
    class Meta(Taxonomy.Meta):
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")


class Topic(Taxonomy):
    class Meta(Taxonomy.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")


class Publishable(models.Model):
    """What every piece of content shares: a slug, a publication status, timestamps and provenance."""

    slug_source_field = "name"
    # Each has a Chinese twin, <field>_zh_hant (directory/bilingual.py).
    translated_fields = ("name", "summary", "description")

    slug = models.SlugField(
        _("slug"),
        max_length=SLUG_MAX_LENGTH,
        unique=True,
        blank=True,
        help_text=_("The last part of the item's web address. Left blank, it is made from the name."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        _("published at"),
        null=True,
        blank=True,
        help_text=_(
            "Readers see the item from this moment, once it is published. Left blank, it is set on publishing."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    source_url = models.URLField(
        _("source URL"), max_length=500, blank=True, help_text=_("Where the facts on this page come from.")
    )
    last_verified_on = models.DateField(
        _("last verified on"),
        null=True,
        blank=True,
        help_text=_("When an editor last checked the facts at the source."),
    )

    summary_zh_hant_status = translation_status_field(_("Chinese summary"))
    description_zh_hant_status = translation_status_field(_("Chinese description"))

    objects = PublishableQuerySet.as_manager()

    class Meta:
        abstract = True
        indexes = [models.Index(fields=["status", "published_at"], name="%(class)s_visible_idx")]

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        # One transaction for the row and what its signals write with it (its revision, directory/revision_recording):
        # neither is kept without the other, and a save outside any transaction commits once.
        with transaction.atomic(savepoint=False):
            self._save(*args, **kwargs)

    def _save(self, *args, **kwargs):
        sync_translation_status(self)
        if self.status == Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        if self.slug:
            super().save(*args, **kwargs)
            return
        # Two saves racing for the same slug: the loser's insert fails on the unique index, so try the next free one.
        for _attempt in range(5):
            self.slug = unique_slug(type(self), getattr(self, self.slug_source_field), exclude_pk=self.pk)
            try:
                with transaction.atomic():
                    super().save(*args, **kwargs)
                return
            except IntegrityError:
                if not type(self)._default_manager.filter(slug=self.slug).exclude(pk=self.pk).exists():
                    raise
        raise IntegrityError(f"Could not find a free slug for {self!r}")

    def clean(self):
        super().clean()
        errors = {}
        if self.slug in RESERVED_SLUGS:
            errors["slug"] = _("This address is taken by the list itself; choose another.")
        if self.last_verified_on and self.last_verified_on > timezone.localdate():
            errors["last_verified_on"] = _("The last verification date cannot be in the future.")
        if self.published_at is not None:
            # Times are stored in UTC: the first hours of year 1 in Hong Kong fall in year 0 there, which no database
            # can hold.
            try:
                self.published_at.astimezone(datetime.UTC)
            except OverflowError:
                errors["published_at"] = _("Enter a date after 1 January of year 1.")
        if errors:
            raise ValidationError(errors)

    # The name (or title), summary and description in the reader's language; see directory/bilingual.py.
    @property
    def display_name(self):
        return localised(self, self.slug_source_field)

    @property
    def display_summary(self):
        return localised(self, "summary")

    @property
    def display_description(self):
        return localised(self, "description")

    @property
    def alias_list(self):
        """The aliases one by one (organisations and programmes have them), as editors separate them: by semicolons,
        the Chinese full-width one included."""
        return split_aliases(getattr(self, "aliases", ""))

    @property
    def kind_label(self):
        # get_kind_display() translates every choice label to hash them; this translates one.
        return self.kind_choices(self.kind).label

    @property
    def is_public(self):
        return self.status == Status.PUBLISHED and self.published_at is not None and self.published_at <= timezone.now()

    @property
    def is_scheduled(self):
        """Published with a date still to come: readers see it from then, by itself."""
        return self.status == Status.PUBLISHED and self.published_at is not None and self.published_at > timezone.now()

    def public_related(self, relation):
        """Return the item the foreign key `relation` points to if readers may see it, else None.

        A published item may point to a draft, archived or future-dated one (its parent, publisher or lead), and the
        detail views prefetch only published ones, which leaves a required relation such as a publisher empty: its
        descriptor then raises instead of giving None.
        """
        try:
            related = getattr(self, relation)
        except ObjectDoesNotExist:
            return None
        return related if related is not None and related.is_public else None


def logo_upload_to(instance, filename):
    """Store logos under a random name with the extension of their real format, never the uploader's name."""
    return f"logos/{uuid.uuid4().hex}{logo_extension(instance.logo)}"


class Organisation(Publishable):
    kind_choices = OrganisationKind
    search_fields = (
        Names("name", "name_zh_hant", "aliases"),
        Text("summary", "summary_zh_hant", "description", "description_zh_hant"),
        Related("parent", "name", "name_zh_hant", "aliases"),
        Related("sectors", "name", "name_zh_hant"),
    )

    name = models.CharField(_("name"), max_length=200)
    name_zh_hant = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    name_zh_hant_status = translation_status_field(_("Chinese name"))
    aliases = aliases_field()
    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        help_text=_("For example the university a research centre belongs to."),
    )
    part_of = models.ManyToManyField(
        "self",
        verbose_name=_("also part of"),
        symmetrical=False,
        blank=True,
        related_name="members",
        help_text=_("Other organisations it belongs to besides its parent: a cluster, a joint lab's second parent."),
    )
    part_of_programmes = models.ManyToManyField(
        "Programme",
        verbose_name=_("part of programmes"),
        blank=True,
        related_name="member_organisations",
        help_text=_("Programmes it is a member of, such as the InnoHK research clusters."),
    )
    established_by = models.ManyToManyField(
        "self",
        verbose_name=_("established by"),
        symmetrical=False,
        blank=True,
        related_name="established",
        help_text=_("The organisations that set it up, where they are not its parent."),
    )
    sectors = models.ManyToManyField(Sector, verbose_name=_("sectors"), blank=True, related_name="organisations")
    summary = models.CharField(_("summary"), max_length=600, blank=True)
    description = models.TextField(_("description"), blank=True)
    summary_zh_hant = models.CharField(_("summary (Chinese)"), max_length=600, blank=True)
    description_zh_hant = models.TextField(_("description (Chinese)"), blank=True)
    website = models.URLField(_("website"), max_length=300, blank=True)
    founded_year = models.PositiveSmallIntegerField(
        _("founded year"), null=True, blank=True, validators=[MinValueValidator(1800)], db_index=True
    )
    logo = LogoField(
        _("logo"),
        upload_to=logo_upload_to,
        blank=True,
        validators=[validate_logo],
        help_text=_("PNG, JPEG or WebP, at most 2 MB and 4000 × 4000 pixels."),
    )

    class Meta(Publishable.Meta):
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [
            *Publishable.Meta.indexes,
            models.Index(fields=["name"], name="organisation_name_idx"),
            # Public lists: the default sort, the kind facet (covering), the founded sort.
            sort_index("name", "organisation_list_name_idx"),
            models.Index(fields=["status", "kind", "published_at"], name="organisation_list_kind_idx"),
            sort_index("founded_year", "organisation_list_year_idx"),
            # Checks the filters of rows found by search without reading the rows themselves.
            models.Index(fields=["id", "status", "published_at", "kind", "parent"], name="organisation_filter_idx"),
        ]
        permissions = [
            ("publish_organisation", _("Can publish, unpublish and archive organisations")),
            ("export_organisation", _("Can export organisations as CSV")),
        ]

    def get_absolute_url(self):
        return reverse("directory:organisation-detail", kwargs={"slug": self.slug})

    def ancestors(self):
        """Yield the parent, its parent and so on, stopping if the chain loops."""
        seen = {self.pk}
        node = self.parent
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            yield node
            node = node.parent

    def clean(self):
        super().clean()
        errors = {}
        if self.founded_year and self.founded_year > timezone.localdate().year:
            errors["founded_year"] = _("The founded year cannot be in the future.")
        if self.parent_id is not None and self.pk is not None:
            if self.parent_id == self.pk or any(node.parent_id == self.pk for node in self.ancestors()):
                errors["parent"] = _("An organisation cannot be its own parent or ancestor.")
        if errors:
            raise ValidationError(errors)


class Programme(Publishable):
    kind_choices = ProgrammeKind
    search_fields = (
        Names("name", "name_zh_hant", "aliases"),
        Text("summary", "summary_zh_hant", "description", "description_zh_hant"),
        Related("lead_organisation", "name", "name_zh_hant", "aliases"),
        Related("partners", "name", "name_zh_hant", "aliases"),
        Related("sectors", "name", "name_zh_hant"),
    )

    name = models.CharField(_("name"), max_length=200)
    name_zh_hant = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    name_zh_hant_status = translation_status_field(_("Chinese name"))
    aliases = aliases_field()
    kind = models.CharField(_("kind"), max_length=30, choices=ProgrammeKind.choices, db_index=True)
    lead_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("lead organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_programmes",
    )
    partners = models.ManyToManyField(
        Organisation, verbose_name=_("partner organisations"), blank=True, related_name="partnered_programmes"
    )
    part_of = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="components",
        help_text=_("The fund or programme it is a scheme of."),
    )
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("supersedes"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="superseded_by",
    )
    sectors = models.ManyToManyField(Sector, verbose_name=_("sectors"), blank=True, related_name="programmes")
    start_date = models.DateField(_("start date"), null=True, blank=True, db_index=True)
    end_date = models.DateField(_("end date"), null=True, blank=True, db_index=True)
    dates_precision = models.CharField(
        _("dates known to the"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_("When the source gives only a year, enter 1 January (start) or 31 December (end) and choose Year."),
    )
    summary = models.CharField(_("summary"), max_length=600, blank=True)
    description = models.TextField(_("description"), blank=True)
    summary_zh_hant = models.CharField(_("summary (Chinese)"), max_length=600, blank=True)
    description_zh_hant = models.TextField(_("description (Chinese)"), blank=True)
    website = models.URLField(_("website"), max_length=300, blank=True)
    # Only what the source states: a window nobody has stated is no window, not a guess.
    applications_open_on = models.DateField(
        _("applications open on"), null=True, blank=True, help_text=_("The first day the source accepts applications.")
    )
    applications_close_on = models.DateField(
        _("applications close on"),
        null=True,
        blank=True,
        help_text=_("The last day applications are accepted (Hong Kong time). Blank for rolling applications."),
    )
    applications_rolling = models.BooleanField(
        _("rolling applications"),
        default=False,
        help_text=_("Applications are accepted at any time, with no closing date."),
    )
    next_intake = models.CharField(
        _("next intake"),
        max_length=100,
        blank=True,
        help_text=_("The next intake or round as the source names it: September 2027 cohort."),
    )
    next_intake_zh_hant = models.CharField(_("next intake (Chinese)"), max_length=100, blank=True)

    class Meta(Publishable.Meta):
        ordering = ["name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        indexes = [
            # Publishable's visibility index, with what the state filters (open, upcoming, closed) and the organisation
            # facet read: counting programmes by state then reads the index alone, never the rows.
            models.Index(
                fields=["status", "published_at", "start_date", "end_date", "lead_organisation"],
                name="programme_visible_idx",
            ),
            models.Index(fields=["name"], name="programme_name_idx"),
            sort_index("name", "programme_list_name_idx"),
            # The kind facet, counted within a state, from the index alone.
            models.Index(
                fields=["status", "kind", "published_at", "start_date", "end_date"], name="programme_list_kind_idx"
            ),
            sort_index("start_date", "programme_list_start_idx"),
            models.Index(
                fields=["id", "status", "published_at", "kind", "lead_organisation", "start_date", "end_date"],
                name="programme_filter_idx",
            ),
            # The next deadlines (the home page, the calendar feed) and those closing within 30 days: a short range of
            # this index, in date order, rather than every published programme.
            models.Index(fields=["status", "applications_close_on", "published_at"], name="programme_deadline_idx"),
        ]
        permissions = [
            ("publish_programme", _("Can publish, unpublish and archive programmes")),
            ("export_programme", _("Can export programmes as CSV")),
        ]

    def get_absolute_url(self):
        return reverse("directory:programme-detail", kwargs={"slug": self.slug})

    @property
    def display_next_intake(self):
        return localised(self, "next_intake")

    def clean(self):
        super().clean()
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date cannot be before the start date.")
        opens, closes = self.applications_open_on, self.applications_close_on
        if opens and closes and closes < opens:
            errors["applications_close_on"] = _("Applications cannot close before they open.")
        if self.applications_rolling and closes:
            errors["applications_close_on"] = _(
                "Rolling applications have no closing date: clear the date, or untick rolling applications."
            )
        for relation in ("part_of", "supersedes"):
            if self.pk is not None and getattr(self, f"{relation}_id") == self.pk:
                errors[relation] = _("A programme cannot point to itself.")
        if errors:
            raise ValidationError(errors)


class Guidance(Publishable):
    slug_source_field = "title"
    translated_fields = ("title", "summary", "description")
    kind_choices = GuidanceKind
    search_fields = (
        Names("title", "title_zh_hant"),
        Text("summary", "summary_zh_hant", "description", "description_zh_hant"),
        Related("publisher", "name", "name_zh_hant", "aliases"),
        Related("topics", "name", "name_zh_hant"),
        Related("sectors", "name", "name_zh_hant"),
    )

    title = models.CharField(_("title"), max_length=300)
    title_zh_hant = models.CharField(_("title (Chinese)"), max_length=300, blank=True)
    title_zh_hant_status = translation_status_field(_("Chinese title"))
    publisher = models.ForeignKey(
        Organisation, verbose_name=_("publisher"), on_delete=models.PROTECT, related_name="guidance"
    )
    co_publishers = models.ManyToManyField(
        Organisation,
        verbose_name=_("co-publishers"),
        blank=True,
        related_name="co_published_guidance",
        help_text=_("Other organisations that issued it with the publisher."),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=GuidanceKind.choices, db_index=True)
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True, related_name="guidance")
    sectors = models.ManyToManyField(Sector, verbose_name=_("sectors"), blank=True, related_name="guidance")
    binding = models.BooleanField(
        _("binding"), default=False, help_text=_("Tick if those it addresses must comply; leave it for voluntary.")
    )
    date_published = models.DateField(_("date published"), null=True, blank=True, db_index=True)
    date_precision = models.CharField(
        _("date known to the"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_("When the source gives only a month or a year, enter its first day and choose the precision."),
    )
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("supersedes"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="superseded_by",
    )
    document_url = models.URLField(_("document URL"), max_length=500, blank=True)
    summary = models.CharField(_("summary"), max_length=800, blank=True)
    description = models.TextField(_("description"), blank=True)
    summary_zh_hant = models.CharField(_("summary (Chinese)"), max_length=800, blank=True)
    description_zh_hant = models.TextField(_("description (Chinese)"), blank=True)

    class Meta(Publishable.Meta):
        ordering = ["-date_published", "title"]
        verbose_name = _("guidance document")
        verbose_name_plural = _("guidance documents")
        indexes = [
            *Publishable.Meta.indexes,
            models.Index(fields=["title"], name="guidance_title_idx"),
            sort_index("title", "guidance_list_title_idx"),
            models.Index(fields=["status", "kind", "published_at"], name="guidance_list_kind_idx"),
            sort_index("date_published", "guidance_list_date_idx"),
            models.Index(
                fields=["id", "status", "published_at", "kind", "publisher", "binding", "date_published"],
                name="guidance_filter_idx",
            ),
        ]
        permissions = [
            ("publish_guidance", _("Can publish, unpublish and archive guidance")),
            ("export_guidance", _("Can export guidance as CSV")),
        ]

    def get_absolute_url(self):
        return reverse("directory:guidance-detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        errors = {}
        if self.date_published and self.date_published > timezone.localdate():
            errors["date_published"] = _("The publication date cannot be in the future.")
        if self.supersedes_id is not None and self.pk is not None:
            seen = set()
            node = self.supersedes
            while node is not None and node.pk != self.pk and node.pk not in seen:
                seen.add(node.pk)
                node = node.supersedes
            if node is not None and node.pk == self.pk:
                errors["supersedes"] = _("Guidance cannot supersede itself, directly or through other guidance.")
        if errors:
            raise ValidationError(errors)


class ContentVersion(models.Model):
    """One row whose number database triggers raise on every change to published content or its taxonomies.

    Derived data (facet counts of the whole published set) is keyed by it, so every writer, whatever path it takes
    (admin, bulk actions, management commands, raw SQL), invalidates it in the same transaction as its change.
    """

    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("content version")

    def __str__(self):
        return str(self.version)

    @classmethod
    def current(cls):
        return cls.objects.filter(pk=1).values_list("version", flat=True).first() or 0


class ExportRecord(models.Model):
    """One CSV export: who asked for what, from where, with which filters, and how many rows went out.

    Created when the first bytes leave and finished when the stream ends, so an export that was cut short still
    leaves a trace: `complete` stays false, and `row_count` holds the rows handed to the response until then.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True, on_delete=models.SET_NULL
    )
    # The account may be deleted later; the record must still say who it was.
    username = models.CharField(_("username"), max_length=150, blank=True)
    content = models.CharField(_("content"), max_length=20, choices=ExportedContent.choices)
    source = models.CharField(_("source"), max_length=10, choices=ExportSource.choices)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    complete = models.BooleanField(_("complete"), default=False)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("export record")
        verbose_name_plural = _("export records")

    def __str__(self):
        return _("%(content)s exported by %(user)s at %(started)s") % {
            "content": self.get_content_display(),
            "user": self.username or "-",
            "started": f"{timezone.localtime(self.started_at):%Y-%m-%d %H:%M}",
        }

    def finish(self, row_count, complete):
        self.row_count, self.complete, self.finished_at = row_count, complete, timezone.now()
        self.save(update_fields=["row_count", "complete", "finished_at"])


class ShareLinkQuerySet(models.QuerySet):
    def live(self):
        """Return the links an outside reviewer may still open: neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ShareLink(models.Model):
    """A publisher's link for an outside reviewer to read one item's preview without an account.

    The address carries `key` signed with the site's secret (previews.share_token), so a guessed or altered address
    is refused before the database is asked; the row makes a link revocable and counts its uses.
    """

    key = models.UUIDField(_("key"), default=uuid.uuid4, unique=True, editable=False)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", verbose_name=_("content type"), on_delete=models.CASCADE
    )
    object_id = models.PositiveBigIntegerField(_("item"))
    item = GenericForeignKey("content_type", "object_id")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    use_count = models.PositiveIntegerField(_("times used"), default=0)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="sharelink_item_idx")]
        verbose_name = _("share link")
        verbose_name_plural = _("share links")

    def __str__(self):
        return _("Share link created at %(created)s") % {
            "created": f"{timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"
        }

    @property
    def is_live(self):
        return self.revoked_at is None and self.expires_at > timezone.now()


class ReviewQuerySet(models.QuerySet):
    def open(self):
        """Return the reviews a publisher still has to decide: oldest first, as they are worked through."""
        return self.filter(state=ReviewState.PENDING).order_by("submitted_at", "pk")

    def of(self, item):
        return self.filter(
            content_type__app_label=item._meta.app_label, content_type__model=item._meta.model_name, object_id=item.pk
        )


class Review(models.Model):
    """An editor's request that a publisher look at an item: to publish a draft, or to apply changes to a live item.

    Changes to a live item wait here, not on the item, so that readers, search, the sitemap and exports go on seeing
    the published state until a publisher approves. `changes` holds only the fields the editor changed, as
    {field name: value} with foreign keys as ids and many-to-many relations as lists of ids, so that approving applies
    them over whatever the item has become since.
    """

    content_type = models.ForeignKey(
        "contenttypes.ContentType", verbose_name=_("content type"), on_delete=models.CASCADE
    )
    object_id = models.PositiveBigIntegerField(_("item"))
    item = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(_("kind"), max_length=12, choices=ReviewKind.choices)
    changes = models.JSONField(_("changes"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    state = models.CharField(_("state"), max_length=10, choices=ReviewState.choices, default=ReviewState.PENDING)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    comment = models.TextField(_("reviewer's comment"), blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "state"], name="review_item_idx"),
            models.Index(fields=["state", "submitted_at"], name="review_queue_idx"),
        ]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self):
        return _("%(kind)s, submitted %(submitted)s") % {
            "kind": self.get_kind_display(),
            "submitted": f"{timezone.localtime(self.submitted_at):%Y-%m-%d %H:%M}",
        }


class RevisionQuerySet(models.QuerySet):
    def of(self, item):
        """Return the revisions of `item`, newest first."""
        return self.filter(
            content_type__app_label=item._meta.app_label, content_type__model=item._meta.model_name, object_id=item.pk
        )


class Revision(models.Model):
    """One saved state of an item: who saved it, when, why, and everything it held then (directory/revision_recording).

    `state` holds every stored field as {field name: value}, foreign keys as ids and many-to-many relations as sorted
    lists of ids, the shape Review.changes has, so reverting to it proposes or applies it as any change is. `names`
    keeps the names of the related items then ({relation: {id: name}}), so the history still names an item deleted
    since. `changed_fields` lists what differs from the revision before (None for an item's first revision). A deletion
    leaves a last revision, `deleted`, with the state the item had.
    """

    content_type = models.ForeignKey(
        "contenttypes.ContentType", verbose_name=_("content type"), on_delete=models.CASCADE
    )
    object_id = models.PositiveBigIntegerField(_("item id"))
    item = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(_("item"), max_length=300)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The account may be deleted later; the history must still say who it was. Empty: a command or the shell.
    username = models.CharField(_("username"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("saved at"), default=timezone.now, db_index=True)
    message = models.CharField(_("change message"), max_length=300, blank=True)
    state = models.JSONField(_("state"), encoder=DjangoJSONEncoder)
    names = models.JSONField(_("names of related items"), default=dict, blank=True)
    changed_fields = models.JSONField(_("changed fields"), null=True, blank=True)
    deleted = models.BooleanField(_("deleted"), default=False, help_text=_("The item's last state, as it was deleted."))

    objects = RevisionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"], name="revision_item_idx")]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")

    def __str__(self):
        return _("%(item)s, saved %(saved)s") % {
            "item": self.object_repr,
            "saved": f"{timezone.localtime(self.created_at):%Y-%m-%d %H:%M}",
        }
