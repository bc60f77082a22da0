"""Deployment to AWS: the infra template, offline packaging of the Chalice app, the deploy script."""
