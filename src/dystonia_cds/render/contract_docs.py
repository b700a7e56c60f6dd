"""The Case and Assessment contracts as Markdown tables, generated from their JSON Schemas.

Why generated: a user's clone has no design document beside it, so the project documents its
own contracts (docs/contracts.md), and a test regenerates the page so it cannot drift from
the models.
"""

from __future__ import annotations

from typing import Any


def _type(prop: dict[str, Any], defs: dict[str, Any]) -> str:
    if "$ref" in prop:
        return str(prop["$ref"]).rsplit("/", 1)[-1]
    if "enum" in prop:
        return " \\| ".join(f"`{v}`" for v in prop["enum"])
    if "const" in prop:
        return f"`{prop['const']}`"
    if "anyOf" in prop:
        parts = [_type(p, defs) for p in prop["anyOf"] if p.get("type") != "null"]
        return " or ".join(parts) + (" (optional)" if len(parts) < len(prop["anyOf"]) else "")
    if prop.get("type") == "array":
        return f"list of {_type(prop.get('items', {}), defs)}"
    if prop.get("type") == "object" and "additionalProperties" in prop:
        return f"map of {_type(prop['additionalProperties'], defs)}"
    return str(prop.get("type", "any"))


def _table(name: str, schema: dict[str, Any], defs: dict[str, Any]) -> list[str]:
    lines = [f"### {name}", ""]
    if schema.get("description"):
        lines += [" ".join(schema["description"].split()), ""]
    lines += ["| field | type | required | description |", "| --- | --- | --- | --- |"]
    required = set(schema.get("required", []))
    for field, prop in schema.get("properties", {}).items():
        desc = " ".join(str(prop.get("description", "")).split()).replace("|", "\\|")
        lines.append(f"| `{field}` | {_type(prop, defs)} | {'yes' if field in required else ''}"
                     f" | {desc} |")
    return [*lines, ""]


def contract_markdown(models: dict[str, Any]) -> str:
    """One section per contract: the top model, then every sub-model it uses. A model is
    a pydantic model class or the Assessment Struct (which gives its pydantic form's
    schema): anything with ``model_json_schema(by_alias=True)`` and a ``__name__``."""
    out = ["# Contracts", "",
           "Generated from the JSON Schemas (`dystonia-cds schema case|assessment`) by "
           "`dystonia-cds schema --markdown`; do not edit by hand.", ""]
    for title, model in models.items():
        schema = model.model_json_schema(by_alias=True)
        defs = schema.get("$defs", {})
        out += [f"## {title}", ""]
        out += _table(model.__name__, schema, defs)
        for name in sorted(defs):
            out += _table(name, defs[name], defs)
    return "\n".join(out).rstrip() + "\n"
