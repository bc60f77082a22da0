from __future__ import annotations

from chalice import Blueprint

from chalicelib.auth import Identity
from chalicelib.http import route
from chalicelib.models import AskIn, AskReply

bp = Blueprint(__name__)


@route(
    bp,
    "/ask",
    "POST",
    summary="Answer a question about the shop in plain words, from its own reports (owner only; changes nothing)",
    body=AskIn,
    response=AskReply,
)
def ask(identity: Identity, body: AskIn) -> AskReply:
    # The parser, its answers and rapidfuzz load on the first question, not at cold start.
    from chalicelib.ask.answer import answer

    return answer(identity, body.question)
