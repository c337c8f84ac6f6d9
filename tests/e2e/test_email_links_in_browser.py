"""The links CertTracker emails, opened in headless Chromium against the running stack."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile

import pytest
import requests

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)")


def rendered(url: str) -> str:
    """The page's DOM after its scripts ran."""
    with tempfile.TemporaryDirectory() as profile:
        run = subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--virtual-time-budget=5000",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )
    return run.stdout


def test_the_emailed_verification_link_confirms_the_address_in_the_browser(stack) -> None:
    email = "lin@example.org"
    requests.post(
        f"{stack.api}/auth/register",
        timeout=10,
        json={
            "username": "lin",
            "email": email,
            "password": "Orchid-Lantern-Violet-42",
            "first_name": "Lin",
            "last_name": "Chen",
            "country": "SG",
            "accept_privacy_notice": True,
        },
    )
    link = re.search(r"http\S+/verify-email#token=[\w-]+", stack.mail()[0]["text"]).group(0)

    page = rendered(link)
    assert "Your email address is confirmed" in page
    login = requests.post(
        f"{stack.api}/auth/login", json={"username": "lin", "password": "Orchid-Lantern-Violet-42"}, timeout=10
    )
    assert login.status_code == 200

    again = rendered(link)  # the link works once
    assert "This link is invalid, used or expired" in again
