"""Buyers' feedback: the signed link (owner's side), the public form, ratings and the report."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.auth import Identity
from chalicelib.http import caller_ip, route
from chalicelib.models import (
    FeedbackForm,
    FeedbackIn,
    FeedbackLink,
    FeedbackPage,
    FeedbackReport,
    FeedbackSaved,
    ListQuery,
    RangeQuery,
)
from chalicelib.services import feedback

bp = Blueprint(__name__)


@route(bp, "/sales/{sale_id}/feedback-link", "GET", summary="A signed link where the buyer rates the sale's products",
       response=FeedbackLink)  # fmt: skip
def feedback_link(identity: Identity, sale_id: str) -> FeedbackLink:
    return feedback.link(identity, sale_id)


@route(bp, "/feedback/{token}", "GET", summary="Public: the shop's name and the products to rate",
       response=FeedbackForm, public=True)  # fmt: skip
def feedback_form(token: str) -> FeedbackForm:
    return feedback.form(token, caller_ip())


@route(bp, "/feedback/{token}", "POST", summary="Public: 1-5 stars and a comment per product, once",
       body=FeedbackIn, response=FeedbackSaved, status=201, public=True)  # fmt: skip
def feedback_submit(token: str, body: FeedbackIn) -> FeedbackSaved:
    return feedback.submit(token, body, caller_ip())


@route(bp, "/products/{sku}/feedback", "GET", summary="A product's ratings and comments, newest first",
       response=FeedbackPage, query=ListQuery, cursor="ulid")  # fmt: skip
def product_feedback(identity: Identity, sku: str, query: ListQuery, position: str | None) -> tuple[FeedbackPage,
                                                                                                     str | None]:
    return feedback.product_feedback(identity, sku, query.limit, position)


@route(bp, "/reports/feedback", "GET", summary="Products by average rating (lowest first), with comments",
       response=FeedbackReport, query=RangeQuery)  # fmt: skip
def feedback_report(identity: Identity, query: RangeQuery) -> FeedbackReport:
    return feedback.report(identity, query)
