"""The request and response models of the HTTP API (contract v1), one module per function.

These modules do not postpone the evaluation of annotations (no `from __future__ import annotations`): pydantic
would evaluate each field's annotation from its string when the class is made, at every cold start (about a
quarter of what making the models costs). A model that refers to itself names itself in quotes."""
