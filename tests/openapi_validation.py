"""Checking the API's responses against its own OpenAPI description, with $ref resolved within the document."""

import json
import re
from functools import cache

from django.test import Client
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

DOCUMENT_URI = "urn:hkai:openapi"


@cache
def openapi_document():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return json.loads(response.content)


def pointer(*parts):
    return "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def operation_for(path):
    """The OpenAPI path template that `path` (no query) matches, and its GET operation."""
    for template, item in openapi_document()["paths"].items():
        if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), path):
            return template, item["get"]
    raise AssertionError(f"{path} is not described")


def assert_matches_description(response):
    """Fail unless `response`'s status is described for its path, and its body is what the description promises."""
    template, operation = operation_for(response.wsgi_request.path)
    status = str(response.status_code)
    assert status in operation["responses"], f"{status} is not described for {template}"
    if "content" not in operation["responses"][status]:
        assert response.content == b""
        return
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    schema_at = pointer("paths", template, "get", "responses", status, "content", "application/json", "schema")
    registry = Registry().with_resource(
        DOCUMENT_URI, Resource.from_contents(openapi_document(), default_specification=DRAFT202012)
    )
    validator = Draft202012Validator({"$ref": f"{DOCUMENT_URI}#/{schema_at}"}, registry=registry)
    errors = sorted(validator.iter_errors(json.loads(response.content)), key=lambda error: list(error.path))
    assert not errors, [f"{list(error.path)}: {error.message}" for error in errors[:5]]
