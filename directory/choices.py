"""Choice values shared by models, filters and fixtures; the keys match ../shared/facts and public URLs."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class OrganisationKind(models.TextChoices):
    GOVERNMENT = "government", _("Government")
    REGULATOR = "regulator", _("Regulator")
    UNIVERSITY = "university", _("University")
    RESEARCH_CENTRE = "research_centre", _("Research centre")
    INCUBATOR = "incubator", _("Incubator")
    STARTUP = "startup", _("Startup")
    FINANCIAL_INSTITUTION = "financial_institution", _("Financial institution")
    INDUSTRY_BODY = "industry_body", _("Industry body")
    INTERNATIONAL = "international", _("International")
    # Not in the first list of kinds: the MTR Corporation (in ../shared/facts) is a listed company, none of the above.
    COMPANY = "company", _("Company")


class ProgrammeKind(models.TextChoices):
    POLICY_BLUEPRINT = "policy_blueprint", _("Policy blueprint")
    FUNDING_SCHEME = "funding_scheme", _("Funding scheme")
    INCUBATION = "incubation", _("Incubation")
    RESEARCH_PROGRAMME = "research_programme", _("Research programme")
    EDUCATION = "education", _("Education")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure")
    SANDBOX = "sandbox", _("Sandbox")
    # Not in the first list of kinds, but TechTAS (in ../shared/facts) is neither funding nor incubation.
    TALENT_ADMISSION = "talent_admission", _("Talent admission")
    # Added with the StartmeupHK Festival, an annual event rather than a scheme.
    EVENT = "event", _("Event")


class GuidanceKind(models.TextChoices):
    PRINCIPLES = "principles", _("Principles")
    GUIDANCE = "guidance", _("Guidance")
    FRAMEWORK = "framework", _("Framework")
    CIRCULAR = "circular", _("Circular")
    CHECKLIST = "checklist", _("Checklist")
    GUIDELINE = "guideline", _("Guideline")
    CODE_OF_PRACTICE = "code_of_practice", _("Code of practice")
    # Added with the copyright and AI consultation paper: proposals put to the public, not guidance in force.
    CONSULTATION = "consultation", _("Consultation paper")


class TranslationStatus(models.TextChoices):
    """Where a Chinese text comes from: the source's own Chinese, a translation written here, or none yet."""

    OFFICIAL = "official", _("Official")
    EDITORIAL = "editorial", _("Editorial translation")
    MISSING = "missing", _("Missing")


class DatePrecision(models.TextChoices):
    """How much of a stored date is known: sources often give only a year or a month."""

    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


class Publication(models.TextChoices):
    """What a staff export may ask for (`?publication=`): what readers see, one other status, or everything."""

    PUBLISHED = "published", _("Published")
    DRAFT = "draft", _("Draft")
    ARCHIVED = "archived", _("Archived")
    ALL = "all", _("All")


class ExportedContent(models.TextChoices):
    ORGANISATIONS = "organisations", _("Organisations")
    PROGRAMMES = "programmes", _("Programmes")
    GUIDANCE = "guidance", _("Guidance")
    CHANGES = "changes", _("Changes (audit)")


class ExportSource(models.TextChoices):
    LIST = "list", _("Public list")
    ADMIN = "admin", _("Admin")
    COMMAND = "command", _("Management command")


class ReviewKind(models.TextChoices):
    PUBLICATION = "publication", _("Publication of a draft")
    CHANGE = "change", _("Changes to a live item")


class ReviewState(models.TextChoices):
    PENDING = "pending", _("In review")
    CHANGES_REQUESTED = "changes", _("Changes requested")
    APPROVED = "approved", _("Approved")
    WITHDRAWN = "withdrawn", _("Withdrawn")
