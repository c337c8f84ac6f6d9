"""The cold-import floor: the barest handler a function can be, boto3 and the Powertools Logger."""

from __future__ import annotations

import boto3  # noqa: F401 (the import is the point: every function pays for it)
from aws_lambda_powertools import Logger

logger = Logger()


@logger.inject_lambda_context
def handler(event: dict, context: object) -> dict:
    return {}
