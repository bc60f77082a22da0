"""Demand forecasting: pure functions over a product's daily sales (no I/O, no AWS, no numpy).

Plain Python on purpose: a product's history is a few hundred numbers, so lists are fast enough
(about a millisecond per product) and the Lambda package and the API's cold start stay as they are.
"""
