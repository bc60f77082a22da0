"""The embedded default: Shelfwise's AWS shape on loopback, for `make run` and the tests."""
