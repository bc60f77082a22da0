"""Shelfwise: stock and sales for small shops. app.py wires; this package holds the code."""
