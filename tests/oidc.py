"""A real OpenID Connect provider for the single sign-on tests: panva's certified `oidc-provider` (a dev dependency
in package.json, installed by `npm ci`), run by Node on a free loopback port with its development login and
consent pages. Nothing of the protocol is mocked."""

import json
import shutil
import subprocess
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

SCRIPT = Path(__file__).with_name("oidc_provider.mjs")


@contextmanager
def oidc_provider(clients: list[dict], accounts: dict):
    """Start the provider with these clients (OIDC client metadata) and accounts (login → claims); yield its
    issuer URL; stop it afterwards."""
    root = Path(settings.BASE_DIR)
    node = shutil.which("node")
    if node is None or not (root / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("the SSO tests need Node.js and `npm ci` (oidc-provider in node_modules)")
    process = subprocess.Popen(
        [node, str(SCRIPT), json.dumps({"clients": clients, "accounts": accounts})],
        cwd=root,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        ready = []
        reader = threading.Thread(target=lambda: ready.append(process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(30)
        if not ready or not ready[0].startswith("READY "):
            pytest.fail("the OIDC provider did not start")
        yield ready[0].split()[1]
    finally:
        process.stdin.close()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def client_metadata(client_id: str, secret: str, redirect_uri: str) -> dict:
    return {
        "client_id": client_id,
        "client_secret": secret,
        "redirect_uris": [redirect_uri],
        "grant_types": ["authorization_code"],
        "response_types": ["code"],
    }
