"""How a view answers a refusal, the same way in every app.

A service refuses with a `lobby.errors.DomainError`; the view answers with the screen's region
again, showing the error's message, with the error's status: 404 for `NotFound`, 409 for
`Conflict`, 400 for any other refusal. The answer is marked `X-Refused`, which tells the page
(static/lobby/app.js) to swap it in like a success: htmx leaves any other 4xx answer unswapped.
"""

from __future__ import annotations

from django.http import HttpResponse

from lobby.errors import Conflict, DomainError, NotFound

REFUSED_HEADER = "X-Refused"


def status_for(error: DomainError) -> int:
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Conflict):
        return 409
    return 400


def refused(response: HttpResponse, status: int = 400) -> HttpResponse:
    """Mark `response` (a region showing why) as a refusal with `status`."""
    response.status_code = status
    response[REFUSED_HEADER] = "1"
    return response
