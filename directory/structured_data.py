"""schema.org JSON-LD for detail pages, so search engines and link previews understand what an item is."""

from .choices import OrganisationKind

SCHEMA_TYPES = {
    OrganisationKind.GOVERNMENT: "GovernmentOrganization",
    OrganisationKind.REGULATOR: "GovernmentOrganization",
    OrganisationKind.UNIVERSITY: "CollegeOrUniversity",
    OrganisationKind.RESEARCH_CENTRE: "ResearchOrganization",
}


def _without_empty(data):
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def _organisation(item):
    return {"@type": "Organization", "name": item.display_name} if item else None


def for_item(item, request):
    url = request.build_absolute_uri(item.get_absolute_url())
    common = {"@context": "https://schema.org", "url": url, "description": item.display_summary}
    model = item._meta.model_name
    if model == "organisation":
        return _without_empty(
            {
                **common,
                "@type": SCHEMA_TYPES.get(item.kind, "Organization"),
                "name": item.display_name,
                "sameAs": item.website,
                "foundingDate": str(item.founded_year) if item.founded_year else None,
                "parentOrganization": _organisation(item.public_related("parent")),
            }
        )
    if model == "programme":
        return _without_empty(
            {
                **common,
                "@type": "GovernmentService" if item.kind == "funding_scheme" else "CreativeWork",
                "name": item.display_name,
                "provider": _organisation(item.public_related("lead_organisation")),
                "sameAs": item.website,
            }
        )
    return _without_empty(
        {
            **common,
            "@type": "CreativeWork",
            "name": item.display_name,
            "genre": item.kind_label,
            "datePublished": item.date_published.isoformat() if item.date_published else None,
            "publisher": _organisation(item.public_related("publisher")),
            "keywords": [topic.display_name for topic in item.topics.all()],
            "sameAs": item.document_url,
        }
    )
