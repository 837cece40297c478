"""`Idempotency-Key` for write requests: the first answer is stored and replayed for the same key and body; the
same key with another body is refused. Two requests with one key at once are serialised by an advisory lock."""

import hashlib
import json

from django.db import connection, transaction
from django.utils.translation import gettext as _
from rest_framework.response import Response

from integrations.models import IdempotencyRecord
from lean.apis import error_response
from lean.errors import ApplicationError
from lean.tenancy import current_tenant

HEADER = "Idempotency-Key"


def _hash(data) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def idempotent(request, run) -> Response:
    """Answer `run()` (a Response) once per Idempotency-Key; without the header, just run it."""
    key = (request.headers.get(HEADER) or "").strip()
    if not key:
        return run()
    if len(key) > 200:
        raise ApplicationError(_("The Idempotency-Key is longer than 200 characters."), code="invalid")
    api_key = getattr(request._request, "api_key", None)
    digest = _hash(request.data)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"{current_tenant().pk}:{key}"])
        record = IdempotencyRecord.objects.filter(key=key, api_key=api_key).first()
        if record is not None:
            if record.request_hash != digest:
                raise ApplicationError(
                    _("This Idempotency-Key was used with a different request body."), code="idempotency_key_reused"
                )
            response = Response(record.body, status=record.status)
            response["Idempotent-Replayed"] = "true"
            return response
        try:
            response = run()
            status, body = response.status_code, response.data
        except ApplicationError as error:
            response = error_response(error)
            status, body = response.status_code, response.data
        if status < 500:
            IdempotencyRecord.objects.create(
                tenant=current_tenant(),
                key=key,
                api_key=api_key,
                request_hash=digest,
                status=status,
                body=json.loads(json.dumps(body, default=str)),
            )
        return response
