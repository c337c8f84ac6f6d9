"""`make run`: the whole product on 127.0.0.1, with moto's server as the AWS emulator. No Docker.

- the AWS emulator (moto server) on CERTTRACKER_AWS_PORT (4566), with what template.yaml declares;
- the gateway (chalice.local's server) on CERTTRACKER_PORT (3000): the API under /api, routed per
  template.yaml to the very handlers, the web pages at /, and the local tools under /_local.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from pathlib import Path

AWS_PORT = int(os.environ.get("CERTTRACKER_AWS_PORT", "4566"))
PORT = int(os.environ.get("CERTTRACKER_PORT", "3000"))
HOST = "127.0.0.1"


def _point_at_the_emulator() -> None:
    os.environ.update(
        AWS_ENDPOINT_URL=f"http://{HOST}:{AWS_PORT}",
        AWS_ACCESS_KEY_ID="local",
        AWS_SECRET_ACCESS_KEY="local",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_REGION="us-east-1",
    )
    os.environ.pop("AWS_SESSION_TOKEN", None)
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's server logs every AWS call


def main() -> None:
    _point_at_the_emulator()
    from moto.server import ThreadedMotoServer

    from infra import lambdas, template

    parameters = template.parameter_values(
        {
            "WebBaseUrl": f"http://{HOST}:{PORT}",
            "PearsonVueBaseUrl": f"http://{HOST}:{PORT}/_local/pearson-vue",
            "PartnerNetBaseUrl": f"http://{HOST}:{PORT}/_local/partnernet",
        }
    )
    # The layer on sys.path; each function will run with only its own environment, and a call its
    # template entry grants nothing for is answered AccessDenied, as deployed (infra/iam.py).
    lambdas.prepare_process(parameters, missing_grant="deny")

    from infra import emulator_state, resources, seed, signals
    from infra.http import LocalServer

    signals.install()

    emulator = ThreadedMotoServer(ip_address=HOST, port=AWS_PORT, verbose=False)
    emulator.start()
    resources.create_all(parameters, endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    seed.all_seed_data()

    server = LocalServer(HOST, PORT, seeded=emulator_state.save())
    stop = threading.Event()

    def _stop(*_: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(_banner(), flush=True)
    stop.wait()
    server.shutdown()
    emulator.stop()


def _banner() -> str:
    from infra import seed

    base = f"http://{HOST}:{PORT}"
    return f"""
CertTracker is running (stop with Ctrl-C).
  web pages        {base}/
  API              {base}/api            (Swagger UI: {base}/api/docs)
  emails sent      {base}/_local/mail
  operator signals {base}/_local/signals  (API answers by status, business metrics: what alarms would see)
  PartnerNet       {base}/_local/partnernet  (stand-in)
  AWS emulator     http://{HOST}:{AWS_PORT}  (moto)

Demo candidate: username '{seed.DEMO_USERNAME}', password '{seed.DEMO_PASSWORD}'
  curl -s {base}/api/auth/login -H 'Content-Type: application/json' \\
       -d '{{"username": "{seed.DEMO_USERNAME}", "password": "{seed.DEMO_PASSWORD}"}}'
"""


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
