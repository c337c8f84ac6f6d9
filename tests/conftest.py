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

import functools

import botocore.loaders
import botocore.session

from infra import lambdas
from tests import depth  # noqa: F401 (registers the deep profile before hypothesis loads one)


def _one_botocore_loader() -> None:
    """Every botocore session of a test process reads the service models through one loader, which keeps what it
    has read. The handler ring builds its clients again for each test (reset_clients), and each new session would
    find, read and parse the models and the endpoints again: a tenth of the ring's CPU. Nothing a function sees
    changes: the models are the same files, and a loader never changes what it has loaded."""
    shared = functools.cache(botocore.loaders.create_loader)

    def register_data_loader(session: botocore.session.Session) -> None:
        session._components.lazy_register_component(
            "data_loader", lambda: shared(session.get_config_variable("data_path"))
        )

    botocore.session.Session._register_data_loader = register_data_loader  # type: ignore[method-assign]


_one_botocore_loader()
lambdas.prepare_process()

# Fails the run on a template grant no handler test used (over the whole tests/functions ring, xdist or not).
pytest_plugins = ["tests.unused_grants"]
