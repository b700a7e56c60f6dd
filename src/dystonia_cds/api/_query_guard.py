"""Unknown query parameters are refused (422 naming them, with "did you mean"), not ignored.

Why: FastAPI silently drops a query parameter a route does not declare, so a typo
(``?questons=true``) changes nothing and says nothing — against the rule that no input is
silently dropped. The route's declared parameters (its own and its dependencies') are the
accepted words; the OpenAPI document lists the same ones, so schemathesis' negative checks
and the service agree.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from dystonia_cds.api.problems import ApiProblem, ProblemItem
from dystonia_cds.suggest import choice_solution


def _query_words(dependant: Any) -> set[str]:
    """The query parameter names of a FastAPI dependant and of its sub-dependencies."""
    words = {str(p.alias) for p in getattr(dependant, "query_params", [])}
    for sub in getattr(dependant, "dependencies", []):
        words |= _query_words(sub)
    return words


def _declared(request: Request) -> set[str] | None:
    dependant = getattr(request.scope.get("route"), "dependant", None)
    return None if dependant is None else _query_words(dependant)


async def known_query_only(request: Request) -> None:
    """An app-wide dependency: every query parameter must be one the route declares."""
    accepted = _declared(request)
    if accepted is None:
        return
    unknown = [k for k in dict.fromkeys(request.query_params.keys()) if k not in accepted]
    if not unknown:
        return
    words = sorted(accepted)
    raise ApiProblem(422, "The request parameters are not valid", "see errors[]",
                     slug="invalid-request", errors=[ProblemItem(
                         field=f"query.{k}", message="not a parameter of this operation",
                         solution=(choice_solution(k, words) if words
                                   else "this operation takes no query parameters"))
                         for k in unknown])
