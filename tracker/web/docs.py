"""The API's documentation at ``/docs``: one plain HTML page rendered on the
server from the OpenAPI schema (``/openapi.json``), with every route, its
method, parameters, body fields and answers. It loads nothing from another
host and runs no script, so it works on a private network with no internet
and under the same Content-Security-Policy as every other page."""

from __future__ import annotations

import json
from typing import Optional

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

METHODS = ("get", "post", "put", "patch", "delete")

# what the statuses of a refusal mean on every route (tracker.web.app.STATUS)
ERRORS = (
    (400, "the request cannot be carried out as asked (the message says why)"),
    (401, "no user: send 'Authorization: Bearer TOKEN', or sign in (a session cookie); "
          "an unknown, revoked or expired token, a disabled user"),
    (403, "the user's role may not do this (an analyst resolving, a reviewer forecasting), "
          "or a write with a session cookie but without its X-CSRF-Token header"),
    (404, "no such question (or page)"),
    (409, "a conflict with what is stored: the question exists, it is already resolved"),
    (413, "a body larger than 1,000,000 bytes"),
    (422, "the body or a parameter is not valid: a probability outside [0, 1], a missing field"),
    (429, "too many failed sign-ins: wait the Retry-After seconds"),
    (503, "the database refused or is unreachable: try again later"),
)


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _resolve(schema: dict, components: dict) -> dict:
    seen = 0
    while "$ref" in schema and seen < 20:
        schema = components.get(_ref_name(schema["$ref"]), {})
        seen += 1
    return schema


def type_of(schema: Optional[dict], components: dict) -> str:
    """A short reading of a JSON schema's type: ``string``, ``number or
    string``, ``list of string``, ``map of string to number``,
    ``one of: final, initial``, ``date``..."""
    if not schema:
        return "any"
    if "$ref" in schema:
        target = _resolve(schema, components)
        if target.get("type") == "object" and target.get("properties"):
            return _ref_name(schema["$ref"])
        return type_of(target, components)
    if "enum" in schema:
        return "one of: " + ", ".join(str(v) for v in schema["enum"])
    if "const" in schema:
        return repr(schema["const"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            parts = [type_of(s, components) for s in schema[key] if s.get("type") != "null"]
            text = " or ".join(dict.fromkeys(parts)) or "null"
            return text + (" (or null)" if any(s.get("type") == "null" for s in schema[key]) else "")
    kind = schema.get("type")
    if kind == "array":
        return "list of " + type_of(schema.get("items"), components)
    if kind == "object":
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            return "map of string to " + type_of(extra, components)
        return "object"
    if kind == "string" and schema.get("format") in ("date", "date-time", "uri", "email"):
        return schema["format"]
    return str(kind or "any")


def _limits(schema: dict, components: dict) -> str:
    schema = _resolve(schema, components)
    parts = []
    for key, word in (("minimum", ">="), ("exclusiveMinimum", ">"), ("maximum", "<="), ("exclusiveMaximum", "<")):
        if key in schema:
            parts.append(f"{word} {schema[key]}")
    if "maxLength" in schema:
        parts.append(f"at most {schema['maxLength']} characters")
    if "default" in schema:
        parts.append(f"default {json.dumps(schema['default'])}")
    return "; ".join(parts)


def _fields(schema: dict, components: dict) -> list[dict]:
    schema = _resolve(schema, components)
    required = set(schema.get("required", ()))
    return [
        {"name": name, "type": type_of(prop, components), "required": name in required,
         "description": prop.get("description", ""), "limits": _limits(prop, components)}
        for name, prop in (schema.get("properties") or {}).items()
    ]


def reference(spec: dict) -> list[dict]:
    """Every operation of an OpenAPI document, in its order: method, path,
    summary, parameters, body fields and answers, ready for the template."""
    components = (spec.get("components") or {}).get("schemas", {})
    out = []
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            params = [
                {"name": p["name"], "in": p.get("in", ""), "required": bool(p.get("required")),
                 "type": type_of(p.get("schema"), components), "description": p.get("description", ""),
                 "limits": _limits(p.get("schema") or {}, components)}
                for p in op.get("parameters", [])
            ]
            body = None
            content = (op.get("requestBody") or {}).get("content", {})
            for media, spec_ in content.items():
                schema = spec_.get("schema") or {}
                body = {"media": media, "type": type_of(schema, components), "fields": _fields(schema, components)}
                break
            answers = [
                {"code": code, "description": (resp or {}).get("description", "")}
                for code, resp in (op.get("responses") or {}).items()
            ]
            out.append({"method": method.upper(), "path": path, "summary": op.get("summary", ""),
                        "description": op.get("description", ""), "tags": op.get("tags", []),
                        "params": params, "body": body, "answers": answers,
                        "anchor": f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", "")})
    return out


def docs_html(request: Request) -> str:
    """The page, rendered once per process (the schema does not change)."""
    cached = getattr(request.app.state, "docs_html", None)
    if cached is None:
        from .pages import _env

        spec = request.app.openapi()
        cached = _env().get_template("docs.html").render(
            request=request, who=None, csrf="", info=spec.get("info", {}), operations=reference(spec),
            errors=ERRORS)
        request.app.state.docs_html = cached
    return cached


@router.get("/docs")
def docs(request: Request):
    return HTMLResponse(docs_html(request))
