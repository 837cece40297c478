"""An example HR-system client of the Lean API: sync units and employees in, read final points out, and check
a webhook's signature. Plain Python with `requests`.

    LEAN_URL=http://127.0.0.1:8000 LEAN_TENANT=huaxin LEAN_KEY=lk_… python docs/hr_client.py

The key is made by the lean office on the Integrations page, with the scopes hr:write (sync) and hr:read
(points). Every error answers JSON {code, message, field_errors}; 429 carries Retry-After.
"""

import hashlib
import hmac
import os
import sys
import time
import uuid

import requests

BASE = f"{os.environ.get('LEAN_URL', 'http://127.0.0.1:8000')}/t/{os.environ.get('LEAN_TENANT', 'huaxin')}/api/v1"
SESSION = requests.Session()
SESSION.headers["Authorization"] = f"Bearer {os.environ.get('LEAN_KEY', '')}"


def call(method: str, path: str, **kwargs) -> dict:
    """One request, waiting as told when rate-limited; raise on any other error with the API's message."""
    while True:
        response = SESSION.request(method, BASE + path, timeout=30, **kwargs)
        if response.status_code == 429:
            time.sleep(int(response.headers.get("Retry-After", "1")))
            continue
        body = response.json()
        if response.status_code >= 400:
            raise RuntimeError(f"{response.status_code} {body['code']}: {body['message']} {body['field_errors']}")
        return body


def sync(units: list[dict], employees: list[dict]) -> dict:
    """Send one batch (at most 5,000 records). The Idempotency-Key makes a retry after a timeout safe: the same
    key and body get the first answer again instead of a second application."""
    key = str(uuid.uuid5(uuid.NAMESPACE_URL, repr((units, employees))))
    return call("POST", "/hr/sync/", json={"units": units, "employees": employees}, headers={"Idempotency-Key": key})


def final_points(period: str):
    """Yield every employee's final points for a period (2026, 2026-Q1 or 2026-03), page by page."""
    cursor = None
    while True:
        params = {"period": period, **({"cursor": cursor} if cursor else {})}
        page = call("GET", "/hr/points/", params=params)
        yield from page["results"]
        cursor = page["next_cursor"]
        if cursor is None:
            return


def verify_webhook(secret: str, raw_body: bytes, signature_header: str, tolerance: int = 300) -> bool:
    """Check X-Lean-Signature ("t=<unix time>,v1=<hex>") over the raw request body."""
    parts = dict(item.split("=", 1) for item in signature_header.split(","))
    timestamp = int(parts["t"])
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


if __name__ == "__main__":
    result = sync(
        units=[{"code": "GEN1-3", "name": "第一发电公司化学部", "parent_code": "GEN1"}],
        employees=[
            {
                "employee_number": "H0190",
                "name": "钱晓燕",
                "unit_code": "GEN1-3",
                "position": "化验员",
                "email": "h0190@example.com",
            },
        ],
    )
    print("sync:", result)
    period = sys.argv[1] if len(sys.argv) > 1 else "2026"
    for row in final_points(period):
        print(row["employee_number"], row["name"], row["unit_code"], row["points"], row["bonus_points"])
