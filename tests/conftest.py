"""Every ring: a Lambda-like process environment (the layer on the path, the template's variables)."""

from __future__ import annotations

import os

# Fake credentials, so nothing can ever reach a real AWS account from a test.
os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_SESSION_TOKEN="testing",
    AWS_DEFAULT_REGION="us-east-1",
    AWS_REGION="us-east-1",
    POWERTOOLS_METRICS_DISABLED="true",
    POWERTOOLS_LOG_LEVEL="WARNING",
)
os.environ.pop("AWS_ENDPOINT_URL", None)

from infra import lambdas

lambdas.prepare_process()

# Fails the run on a template grant no handler test used (over the whole tests/functions ring, xdist or not).
pytest_plugins = ["tests.unused_grants"]
