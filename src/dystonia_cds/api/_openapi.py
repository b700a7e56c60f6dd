"""Make the OpenAPI document say what the service accepts, word for word.

Why a pass over the generated document: the pydantic models type some members as free
strings or free objects where the service takes far less — a Case's ``features`` are the
knowledge base's feature words or HPO ids of the shipped release (anything else is a 422
with "did you mean"), a region may also be written as one word (``"left hand"``), and a
CDS Hooks ``context``/``prefetch`` (and a ``fhirAuthorization`` member the spec does not
name) is free-form JSON but, like every input, refused (400) when a key or a string holds a
NUL, a string is longer than 100,000 characters or an integer has more than 18 digits
(``_input_safety``). A client generated from the document,
or schemathesis with every check on, then sees the same contract the service enforces.
"""

from __future__ import annotations

from typing import Any

from dystonia_cds import KnowledgeBase
from dystonia_cds.intake import MAX_INT_DIGITS, MAX_STRING_CHARS

NO_NUL = "^[^\\x00]*$"
PLAIN_TEXT: dict[str, Any] = {"type": "string", "pattern": NO_NUL,
                              "maxLength": MAX_STRING_CHARS}
PLAIN_VALUE = "PlainValue"
_REF = {"$ref": f"#/components/schemas/{PLAIN_VALUE}"}


def _plain_object(**extra: Any) -> dict[str, Any]:
    return {"type": "object", "propertyNames": PLAIN_TEXT, "additionalProperties": _REF,
            **extra}


def plain_value_schema() -> dict[str, Any]:
    """Any JSON value within the input limits (no depth: JSON Schema cannot count it)."""
    bound = 10 ** MAX_INT_DIGITS
    return {"description": "Plain JSON within the input limits: no NUL in keys or text, "
                           f"text up to {MAX_STRING_CHARS} characters, integers under "
                           f"{MAX_INT_DIGITS + 1} digits, nesting up to 64 levels.",
            "anyOf": [PLAIN_TEXT,
                      {"type": "integer", "exclusiveMinimum": -bound,
                       "exclusiveMaximum": bound},
                      {"type": "number"}, {"type": "boolean"}, {"type": "null"},
                      {"type": "array", "items": _REF}, _plain_object()]}


def _refine_hook_request(schema: dict[str, Any]) -> None:
    props = schema.get("properties", {})
    if "context" in props:
        context = props["context"]
        context.update(_plain_object())
        context["properties"] = {"patientId": {**PLAIN_TEXT, "minLength": 1}}
        context["required"] = ["patientId"]
    if "prefetch" in props:
        props["prefetch"]["anyOf"] = [_plain_object(), {"type": "null"}]


def _refine_fhir_authorization(schema: dict[str, Any]) -> None:
    """The spec's members are typed by the model; any other member is plain data (400
    otherwise, like ``context``)."""
    schema.update(propertyNames=PLAIN_TEXT, additionalProperties=_REF)


HPO_ID = "^HP:[0-9]{7}$"


def feature_words(kb: KnowledgeBase) -> list[str]:
    """The words a Case's ``features`` may hold besides HPO ids: feature ids and aliases
    (as normalised, the form the reader matches)."""
    words = {w for w in kb.vocabulary.features if not w.lower().startswith("hp:")}
    return sorted(words | set(kb.features))


def _refine_case(comps: dict[str, Any], kb: KnowledgeBase) -> None:
    dystonia = comps.get("Dystonia", {}).get("properties", {})
    release = "the shipped HPO release"
    for name in ("features", "excluded_features"):
        member = dystonia.get(name)
        if member is None:
            continue
        member["anyOf"] = [{"type": "array", "items": {"$ref": "#/components/schemas/"
                                                               "FeatureWord"}},
                           {"type": "null"}]
    comps["FeatureWord"] = {  # the 19,000 HPO ids as an enum would swamp every client
        "anyOf": [{"type": "string", "enum": feature_words(kb)},
                  {"type": "string", "pattern": HPO_ID}],
        "description": "A knowledge-base feature word (see GET /v1/knowledge) or an HPO id "
                       f"of {release} (an id not in it is refused with 422); HPO labels and "
                       "exact synonyms are accepted too. Anything else is refused (422) with a "
                       "'did you mean'."}
    regions = dystonia.get("regions")
    if regions is not None:
        regions["items"] = {"anyOf": [{"$ref": "#/components/schemas/BodyRegion"},
                                      {"$ref": "#/components/schemas/RegionWord"}]}
    comps["RegionWord"] = {
        "type": "string", "enum": sorted(kb.vocabulary.regions),
        "description": "A region as one word, side included ('left hand', 'neck')."}


_CASE_LINKS = {  # link name: (method, path) reached from a stored case
    "GetCase": ("get", "/v1/cases/{case_id}"),
    "GetHistory": ("get", "/v1/cases/{case_id}/history"),
    "GetAssessments": ("get", "/v1/cases/{case_id}/assessments"),
    "PutCase": ("put", "/v1/cases/{case_id}"),
}


def _if_match_required(paths: dict[str, Any]) -> None:
    """A new version without If-Match is refused (428, lost-update protection): the header
    is required, whatever the route's signature says."""
    put = paths.get("/v1/cases/{case_id}", {}).get("put", {})
    for param in put.get("parameters", []):
        if param.get("in") == "header" and param.get("name", "").lower() == "if-match":
            param["required"] = True
            if "anyOf" in param.get("schema", {}):  # str | None: the value is a string
                param["schema"] = {"type": "string", "minLength": 1}


def _add_case_links(paths: dict[str, Any]) -> None:
    """OpenAPI links from a stored case (201 of POST /v1/cases) to its pages, so a client
    (and schemathesis' stateful run) can follow them: id from the body, ETag for If-Match."""
    created = paths.get("/v1/cases", {}).get("post", {}).get("responses", {}).get("201")
    if created is None:
        return
    links = {}
    for name, (method, path) in _CASE_LINKS.items():
        op = paths.get(path, {}).get(method)
        if op is None or "operationId" not in op:
            continue
        params = {"case_id": "$response.body#/id"}
        if method == "put":
            params["header.if-match"] = "$response.header.ETag"
        links[name] = {"operationId": op["operationId"], "parameters": params}
    if links:
        created["links"] = links


AGE_FIELDS = {"Patient": ["age"], "Dystonia": ["onset"], "Event": ["when"],
              "Imaging": ["when"], "Medication": ["started", "stopped"]}
"""The Case's ages (``TimeText``): typed as text in the model, but the reader also takes
a bare whole number as years (``onset: 52``), as ``dystonia_cds.durations`` does."""
AGE_NUMBER = {"type": "integer", "minimum": 0, "maximum": 150,
              "description": "An age in whole years (52 is read as P52Y)."}


def _ages_may_be_numbers(comps: dict[str, Any]) -> None:
    for model, names in AGE_FIELDS.items():
        props = comps.get(model, {}).get("properties", {})
        for name in names:
            member = props.get(name)
            if member is not None and "anyOf" in member and AGE_NUMBER not in member["anyOf"]:
                member["anyOf"].insert(1, AGE_NUMBER)


CASE_MODELS = ("Case", "Patient", "BodyRegion", "Dystonia", "Event", "Medication", "Lesion",
               "Imaging", "FamilyHistory", "GeneticTest")


def _plain_strings(node: Any) -> None:
    """Every free text of a Case: no NUL, at most MAX_STRING_CHARS (the input limits)."""
    if isinstance(node, dict):
        if node.get("type") == "string" and not ({"enum", "const", "pattern", "format"}
                                                   & node.keys()):
            node.update(pattern=NO_NUL, maxLength=min(node.get("maxLength", MAX_STRING_CHARS),
                                                      MAX_STRING_CHARS))
        for value in node.values():
            _plain_strings(value)
    elif isinstance(node, list):
        for value in node:
            _plain_strings(value)


def refine(schema: dict[str, Any], kb: KnowledgeBase) -> dict[str, Any]:
    """Tighten ``schema`` (an OpenAPI document of the app) in place; returns it."""
    comps = schema.setdefault("components", {}).setdefault("schemas", {})
    comps[PLAIN_VALUE] = plain_value_schema()
    if "HookRequest" in comps:
        _refine_hook_request(comps["HookRequest"])
    if "FhirAuthorization" in comps:
        _refine_fhir_authorization(comps["FhirAuthorization"])
    _refine_case(comps, kb)
    _ages_may_be_numbers(comps)
    for model in CASE_MODELS:
        _plain_strings(comps.get(model))
    _if_match_required(schema.get("paths", {}))
    _add_case_links(schema.get("paths", {}))
    return schema
