"""The query parameters of the API's lists, described for OpenAPI from the public lists' own FilterSets, so the API
takes exactly the parameters the pages take, with the same choices and bounds."""

import django_filters
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from ..filters import YearFilter
from ..listing import MAX_PAGES, list_parameters

PAGE_LABEL = _("Page")


def schema_of(declared, filterset_class):
    """The JSON schema of one value of the filter `declared`."""
    if isinstance(declared, YearFilter):
        bounds = declared.extra
        return {"type": "integer", "minimum": bounds["min_value"], "maximum": bounds["max_value"]}
    if isinstance(declared, django_filters.ModelChoiceFilter | django_filters.ModelMultipleChoiceFilter):
        return {"type": "string", "format": "slug"}
    if isinstance(declared, django_filters.ChoiceFilter | django_filters.MultipleChoiceFilter):
        choices = declared.extra.get("choices") or [(value, None) for value in filterset_class.sorts]
        if callable(choices):  # choices made per request, like the applications' windows
            choices = choices()
        return {"type": "string", "enum": [value for value, _label in choices]}
    return {"type": "string", "maxLength": declared.extra["max_length"]}


def openapi_parameters(filterset_class):
    """The list's parameters as OpenAPI parameter objects, in the order of its canonical query."""
    parameters = list_parameters(filterset_class)
    described = []
    with translation.override("en"):
        for name in parameters.names:
            if name == "page":
                described.append(
                    {
                        "name": "page",
                        "in": "query",
                        "required": False,
                        "description": str(PAGE_LABEL),
                        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGES, "default": 1},
                    }
                )
                continue
            declared = filterset_class.base_filters[name]
            schema = schema_of(declared, filterset_class)
            if name == "sort":
                schema["default"] = filterset_class.default_sort
            if name in parameters.repeatable:
                schema = {"type": "array", "items": schema}
            described.append(
                {
                    "name": name,
                    "in": "query",
                    "required": False,
                    "description": str(declared.label),
                    "schema": schema,
                    **({"style": "form", "explode": True} if name in parameters.repeatable else {}),
                }
            )
    return described
