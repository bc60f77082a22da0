"""AWS list prices for the benchmarks: the one table lives in chalicelib/prices.py, since the app
prices each shop's usage (GET /usage) with it too."""

from chalicelib.prices import AS_OF, ASSUMPTIONS, PRICES, REGION, SOURCE, assume, price

__all__ = ["AS_OF", "ASSUMPTIONS", "PRICES", "REGION", "SOURCE", "assume", "price"]
