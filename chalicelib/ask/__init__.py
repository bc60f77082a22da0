"""Ask in plain words: a deterministic parser (periods.py, parser.py) and the answers it leads to
(answer.py), read from the same service functions as the report endpoints.

Imported only when a question arrives (chalicelib/api/ask.py), so the API's cold start does not
pay for it; rapidfuzz is imported later still, when a word needs correcting or a name matching.
"""
