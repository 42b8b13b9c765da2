"""The published OpenAPI document says what the API does: its paths are the ones Django serves,
each response model is published as itself, and every operation declares its refusals in the
one error format."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import Resolver404, resolve
from ninja.constants import NOT_SET
from ninja.operation import Operation

from opennrm.core.restapi import api

REF = "#/components/schemas/{model}"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    # As clients read it: JSON, whose keys (status codes) are strings.
    return json.loads(json.dumps(api.get_openapi_schema()))


def operations() -> Iterator[tuple[str, Operation]]:
    for router in api._get_bound_routers():
        for path, view in router.path_operations.items():
            for operation in view.operations:
                yield f"{router.prefix}{path}", operation


def test_every_path_in_the_schema_is_served_there(schema: dict[str, Any]) -> None:
    unserved = []
    for path in schema["paths"]:
        concrete = re.sub(r"{[^}]+}", "1", path)
        try:
            match = resolve(concrete)
        except Resolver404:
            unserved.append(path)
            continue
        if match.namespace != "api":
            unserved.append(path)
    assert unserved == []
    assert all(path.startswith("/api/v1/") for path in schema["paths"])


def test_the_schema_document_and_api_v1_openapi_json_agree(db: None) -> None:
    published = Client().get("/api/schema/").json()
    own = Client().get("/api/v1/openapi.json").json()
    assert list(published["paths"]) == list(own["paths"])


def _without_defaults(node: Any) -> Any:
    """ninja leaves pydantic's ``default`` out of the published components."""
    if isinstance(node, dict):
        return {k: _without_defaults(v) for k, v in node.items() if k != "default"}
    if isinstance(node, list):
        return [_without_defaults(v) for v in node]
    return node


def test_every_response_model_is_published_as_itself(schema: dict[str, Any]) -> None:
    """Two schema classes with one name (``ImportOut`` in cases and training, ``ResultOut`` and
    ``IndicatorOut`` in screening and monitoring) are published once, as whichever came last: the
    other operation's answer is then described with a stranger's fields."""
    components = schema["components"]["schemas"]
    wrong = []
    for where, operation in operations():
        for status, model in operation.response_models.items():
            if model is None or model is NOT_SET:
                continue
            own = model.model_json_schema(ref_template=REF, mode="serialization")
            for name, definition in own.get("$defs", {}).items():
                if _without_defaults(components.get(name)) != _without_defaults(definition):
                    wrong.append(f"{where} {status}: {name}")
    assert wrong == []


def test_every_operation_declares_its_refusals_in_the_error_format(
    schema: dict[str, Any],
) -> None:
    error_ref = {"$ref": REF.format(model="ErrorOut")}
    missing = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            responses = operation["responses"]
            wanted = {"400", "404"}
            if operation.get("security"):
                wanted |= {"401", "403"}
            if method != "get":
                wanted.add("409")
            for status in sorted(wanted):
                content = responses.get(status, {}).get("content", {})
                if content.get("application/json", {}).get("schema") != error_ref:
                    missing.append(f"{method.upper()} {path} {status}")
    assert missing == []
    assert schema["components"]["schemas"]["ErrorOut"]["required"] == ["error"]


def test_the_pdf_and_csv_downloads_are_described_as_such(schema: dict[str, Any]) -> None:
    paths = schema["paths"]
    pdf = paths["/api/v1/cases/cases/{case_id}/file.pdf"]["get"]["responses"]["200"]
    assert list(pdf["content"]) == ["application/pdf"]
    for path in ("/api/v1/statistics/ctdc/{pk}/csv", "/api/v1/statistics/synthetic/{pk}/csv"):
        assert list(paths[path]["get"]["responses"]["200"]["content"]) == ["text/csv"]


def test_each_operation_is_tagged_once(schema: dict[str, Any]) -> None:
    doubled = [
        f"{method.upper()} {path}"
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if len(operation.get("tags", [])) != len(set(operation.get("tags", [])))
    ]
    assert doubled == []


def test_a_partial_update_publishes_no_defaults(schema: dict[str, Any]) -> None:
    """PATCH /cases/cases/{id}/ changes only the fields sent: a default in the schema (is_child
    false, empty lists) would have a generated client send, and so change, what it never meant to."""
    facts = schema["components"]["schemas"]["CaseFactsIn"]
    assert [name for name, prop in facts["properties"].items() if "default" in prop] == []
    assert facts["required"] == ["version"]
    assert facts["properties"]["forms_of_exploitation"]["type"] == "array"


def _request_strings(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every string property of every request body (followed through references, arrays and
    unions): (component, property, its schema)."""
    components = schema["components"]["schemas"]
    seen: set[str] = set()
    todo: list[str] = []

    def refs(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            if "$ref" in node:
                yield node["$ref"].rsplit("/", 1)[-1]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    for item in schema["paths"].values():
        for operation in item.values():
            todo.extend(refs(operation.get("requestBody", {})))
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        component = components[name]
        todo.extend(refs(component))
        for prop, spec in component.get("properties", {}).items():
            options = spec.get("anyOf", [spec])
            # A decimal travels as a number or a string (pydantic's Decimal): its model field
            # bounds its digits, and the string is parsed, not stored.
            decimal = {"type": "number"} in options
            for option in options:
                if (
                    not decimal
                    and option.get("type") == "string"
                    and option.get("format")
                    not in {
                        "date",
                        "date-time",
                        "uuid",
                        "binary",
                    }
                ):
                    yield name, prop, option
                if option.get("type") == "array" and option.get("items", {}).get("type") == (
                    "string"
                ):
                    yield name, f"{prop}[]", option["items"]


def test_every_string_a_request_body_carries_has_a_maximum_length(schema: dict[str, Any]) -> None:
    strings = list(_request_strings(schema))
    assert strings, "no request body carries a string: the walk is broken"
    unbounded = [
        f"{name}.{prop}"
        for name, prop, spec in strings
        if "maxLength" not in spec and "enum" not in spec
    ]
    assert unbounded == []
