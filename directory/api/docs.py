"""The API's human page: its endpoints, their parameters and what each answer holds, read from the OpenAPI
description itself, so the page and the description cannot disagree."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from ..listing import MAX_PAGES, PAGE_SIZE
from .views import api


def schema_name(reference):
    return reference.rsplit("/", 1)[-1]


def type_label(schema):
    """A JSON schema in a few words: "string", "list of Link", "Link or null", "one of a, b"."""
    if "$ref" in schema:
        return schema_name(schema["$ref"])
    if "anyOf" in schema:
        kinds = [option for option in schema["anyOf"] if option.get("type") != "null"]
        label = " | ".join(type_label(option) for option in kinds)
        return _("%(type)s or null") % {"type": label} if len(kinds) < len(schema["anyOf"]) else label
    if schema.get("type") == "array":
        return _("list of %(type)s") % {"type": type_label(schema["items"])}
    if "enum" in schema:
        return _("one of: %(values)s") % {"values": ", ".join(map(str, schema["enum"]))}
    if schema.get("type") == "integer" and "minimum" in schema:
        return _("integer, %(minimum)s to %(maximum)s") % schema
    return schema.get("format") or schema.get("type") or _("object")


def response_schema(response):
    """The name of the schema of a response's body, or None for a response without one (a 304)."""
    if "content" not in response:
        return None
    return schema_name(response["content"]["application/json"]["schema"]["$ref"])


def endpoints(document):
    found = []
    for path, item in document["paths"].items():
        operation = item["get"]
        found.append(
            {
                "path": path,
                "anchor": operation["operationId"],
                "summary": operation["summary"],
                "parameters": [
                    {
                        "name": parameter["name"],
                        "where": parameter["in"],
                        "type": type_label(parameter["schema"]),
                        "description": parameter.get("description", ""),
                        "repeatable": parameter["schema"].get("type") == "array",
                    }
                    for parameter in operation["parameters"]
                ],
                "responses": [
                    (status, response_schema(response)) for status, response in operation["responses"].items()
                ],
            }
        )
    return found


def schemas(document):
    found = []
    for name, schema in document["components"]["schemas"].items():
        fields = [
            {"name": field, "type": type_label(definition), "description": definition.get("description", "")}
            for field, definition in schema.get("properties", {}).items()
        ]
        found.append({"name": name, "description": schema.get("description", ""), "fields": fields})
    return found


class ApiDocsView(TemplateView):
    template_name = "directory/api.html"

    def get_context_data(self, **kwargs):
        document = api.get_openapi_schema()
        return super().get_context_data(
            openapi_url=reverse("api-v1:openapi-json"),
            endpoints=endpoints(document),
            schemas=schemas(document),
            page_size=PAGE_SIZE,
            max_pages=MAX_PAGES,
            rate_limit=settings.API_RATE_LIMIT,
            **kwargs,
        )
