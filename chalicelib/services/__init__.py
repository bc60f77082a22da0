"""The shop's rules. Services see neither HTTP nor boto3: they take models, call db, return models."""
