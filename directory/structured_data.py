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
                "parentOrganization": {"@type": "Organization", "name": item.parent.display_name}
                if item.parent
                else None,
            }
        )
    if model == "programme":
        return _without_empty(
            {
                **common,
                "@type": "GovernmentService" if item.kind == "funding_scheme" else "CreativeWork",
                "name": item.display_name,
                "provider": {"@type": "Organization", "name": item.lead_organisation.display_name}
                if item.lead_organisation
                else None,
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
            "publisher": {"@type": "Organization", "name": item.publisher.display_name} if item.publisher else None,
            "keywords": [topic.display_name for topic in item.topics.all()],
            "sameAs": item.document_url,
        }
    )
