"""The cold-import floor of an HTTP function: floor a (boto3 and the Powertools Logger) plus what every HTTP
function needs, the REST resolver with validation and one route with a pydantic body and answer."""

from __future__ import annotations

import boto3  # noqa: F401 (the import is the point: every function pays for it)
from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from pydantic import BaseModel, Field

logger = Logger()
app = APIGatewayRestResolver(enable_validation=True)


class Note(BaseModel):
    text: str = Field(min_length=1, max_length=100)


@app.post("/notes")
def add_note(note: Note) -> Note:
    return note


@logger.inject_lambda_context
def handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
