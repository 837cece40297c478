"""Nothing of another tenant ever shows: tenant B's every text carries a marker and its every row an id that no
row of tenant A has; then every page, API operation and export of tenant A, opened by A's lean office (pages by
session, the API by A's API key), a unit manager and an employee (by session), and the pages outside every
tenant, must show neither the marker nor one of B's ids.

B's ids are kept apart from A's by drawing every id sequence past the highest id in use before B is built and
again after, so a number in an id field or a link that equals one of B's ids can only be B's. PDFs are
compressed and draw their text in the font's glyph ids, so they are neither fetched nor searched (nor a PDF inside
a ZIP); every other download is: CSV and text as bytes, xlsx and ZIP member by member.
"""

import io
import json
import re
import zipfile

import dj_database_url
import psycopg2
import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.db import connection, models
from django.db.models import F, Value
from django.db.models.functions import Concat, Left

from lean import rls
from lean.apikeys import api_key_create
from lean.models import ApiScope, Membership, User
from lean.tenancy import tenant_scope
from tests.factories import make_tenant_set, populate
from tests.lean.test_probe import fill, ids_in, tenant_routes

MARKER = "ZQXBQZ"  # six letters: a page's random tokens (CSRF, nonce) hold them by chance once in ~10^8 pages
B_SLUG = "zqxbqz"
NEEDLES = (MARKER.encode(), MARKER.encode("utf-16-le"), B_SLUG.encode())

# Not fetched: the schema is drawn from the code alone (no row of any tenant), and PDFs are not searched.
NOT_FETCHED = ("api/v1/schema/", "pdf", "pdf/")

# A number in a link (`/units/7000123/`, `?unit=7000123`) or in a JSON field named like an id.
URL_ATTR = re.compile(rb'(?:href|src|action|hx-[a-z]+|data-[a-z-]+)="([^"]*)"')
URL_NUMBER = re.compile(r"(?:/|=)(\d+)(?=/|$|\?|&|\.|#)")


def id_like(key: str) -> bool:
    return key == "id" or key == "pk" or key.endswith(("_id", "_ids"))


def models_with_sequence():
    for model in apps.get_models(include_auto_created=True):
        pk = model._meta.pk
        if not model._meta.proxy and model._meta.managed and isinstance(pk, models.AutoField):
            yield model


def draw_sequences_past_every_id() -> None:
    """Every id sequence past the highest value any of them has given: the rows made next share no id with any
    row made before. Sequences are not transactional, and only the tables' owner may set them (the application
    role may only draw), so the owner sets them on a connection of its own."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        sequences = []
        for model in models_with_sequence():
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [qn(model._meta.db_table), model._meta.pk.column])
            if (sequence := cursor.fetchone()[0]) is not None:
                sequences.append(sequence)
        cursor.execute(" UNION ALL ".join(f"SELECT last_value FROM {sequence}" for sequence in sequences))
        floor = max(row[0] for row in cursor.fetchall()) + 1
    if django_settings.DATABASE_OWNER_URL:
        owner = dj_database_url.parse(django_settings.DATABASE_OWNER_URL)
        with psycopg2.connect(
            dbname=connection.settings_dict["NAME"],
            **{key.lower(): owner[key] for key in ("USER", "PASSWORD", "HOST", "PORT") if owner[key]},
        ) as owner_connection:
            with owner_connection.cursor() as cursor:
                cursor.execute("SELECT setval(s, %s) FROM unnest(%s::text[]) s", [floor, sequences])
        owner_connection.close()
    else:  # the application's role owns the tables
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(s, %s) FROM unnest(%s::text[]) s", [floor, sequences])


# Text that is structure, not content: a unit's materialised path of ids (B's ids are looked for on their own).
STRUCTURE = {"path"}


def text_fields(model):
    for field in model._meta.concrete_fields:
        if (
            isinstance(field, (models.CharField, models.TextField))
            and not field.choices
            and not field.primary_key
            and field.name not in STRUCTURE
            and (field.max_length is None or field.max_length >= len(MARKER) + 4)
        ):
            yield field


def mark_texts(ts) -> None:
    """Put the marker at the front of every free text of the tenant's rows (names, titles, codes, notes, …) and
    of its people's names."""
    with tenant_scope(ts.tenant):
        for model in rls.tenant_models():
            updates = {
                field.name: Concat(Value(MARKER), F(field.name))
                if field.max_length is None
                else Left(Concat(Value(MARKER), F(field.name)), field.max_length)
                for field in text_fields(model)
            }
            if updates:  # the base manager: every row (row-level security keeps it to B's)
                model._base_manager.update(**updates)
        user_ids = list(Membership.objects.values_list("user_id", flat=True))
    User.objects.filter(pk__in=user_ids).update(
        full_name=Concat(Value(MARKER), F("full_name")), email=Concat(Value(MARKER.lower() + "@"), F("username"))
    )


def tenant_ids(ts) -> set[int]:
    """The id of every row of the tenant, its people's user ids and its own id."""
    found = {ts.tenant.pk}
    with tenant_scope(ts.tenant):
        for model in rls.tenant_models():
            if isinstance(model._meta.pk, models.AutoField):
                found.update(model._base_manager.values_list("pk", flat=True))
        found.update(Membership.objects.values_list("user_id", flat=True))
    return found


@pytest.fixture
def marked(db, settings):
    """Tenant A, then tenant B with every text marked and ids apart from A's; A's API key with every scope and a
    notice-board link of A's listing."""
    settings.LEAN_API_KEY_RATE = "1000000/min"
    a = populate(make_tenant_set("alpha", "甲公司"))
    draw_sequences_past_every_id()
    b = populate(make_tenant_set(B_SLUG, f"乙公司{MARKER}"))
    mark_texts(b)
    draw_sequences_past_every_id()  # and A's rows made from here on (its key, what its pages write) past B's
    a_ids, b_ids = tenant_ids(a), tenant_ids(b)
    assert min(b_ids) > max(a_ids)
    from innovation.board import board_token_create

    with tenant_scope(a.tenant):
        _key, token = api_key_create(actor=a.lean_office, name="leak check", scopes=ApiScope.values)
        board = board_token_create(actor=a.lean_office, listing=a.extra["listing"])
    return a, b, b_ids, token, board


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def texts_of(content: bytes):
    """The searchable texts of a response or of a ZIP member: xlsx and ZIP by member, PDF not at all."""
    if content.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for name in archive.namelist():
                yield from texts_of(archive.read(name))
    elif not content.startswith(b"%PDF"):
        yield content


def ids_in_json(value, key=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from ids_in_json(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from ids_in_json(item, key)
    elif isinstance(value, int) and not isinstance(value, bool) and id_like(key):
        yield value
    elif isinstance(value, str) and id_like(key) and value.isdigit():
        yield int(value)


def leaks(response, b_ids: set[int], label: str) -> list[str]:
    content = body_of(response)
    content_type = response.get("Content-Type", "")
    found = []
    for text in texts_of(content):
        found += [f"{label}: {needle!r}" for needle in NEEDLES if needle in text]
    if "json" in content_type:
        found += [f"{label}: B's id {n} in the JSON" for n in ids_in_json(json.loads(content)) if n in b_ids]
    elif "html" in content_type:
        for attr in URL_ATTR.findall(content):
            found += [
                f"{label}: B's id {n} in a link" for n in map(int, URL_NUMBER.findall(attr.decode())) if n in b_ids
            ]
    return found


def test_no_page_api_or_export_of_a_shows_anything_of_b(marked, client):
    a, b, b_ids, token, board = marked
    routes = [
        (route, bool(kwargs), fill(route, a.tenant.slug, ids_in(a.tenant, kwargs)))
        for route, kwargs in tenant_routes()
        if not route.endswith(NOT_FETCHED)
    ]
    failures, statuses = [], []

    def check(url, who, **extra):
        response = client.get(url, **extra)
        statuses.append(response.status_code)
        if response.status_code >= 500:
            failures.append(f"{who} GET {url} → {response.status_code}")
        else:
            failures.extend(leaks(response, b_ids, f"{who} GET {url}"))

    for member in (a.lean_office, a.manager, a.employee):
        client.force_login(member.user, backend="lean.auth.TenantLoginBackend")
        who = member.employee_number
        for route, names_object, url in routes:
            # A page about one object shows the same rows to whoever may open it, so the lean office (who may
            # open them all) opens those; lists, exports and forms choose their rows by the role, so all open them.
            if member != a.lean_office and names_object:
                continue
            if "/api/v1/" in route and member == a.lean_office:
                check(url, f"{who}'s key", HTTP_AUTHORIZATION=f"Bearer {token}")
            else:
                check(url, who)
        # Outside every tenant: the tenant list (the one page naming several tenants) and the account pages.
        for url in ("/", "/tenants/?choose=1", "/password_change/", f"/board/{board}/"):
            check(url, who)
    client.logout()
    for url in ("/login/", "/password_reset/", "/password_reset/done/", "/reset/done/", f"/board/{board}/"):
        check(url, "anonymous")
    assert failures == [], "\n".join(failures)
    assert len(statuses) > len(routes) * 2 and statuses.count(200) > len(routes), statuses

    # The check itself sees B: B's own pages show its marker and link its ids, and its API names its ids.
    client.force_login(b.lean_office.user, backend="lean.auth.TenantLoginBackend")
    seen = leaks(client.get(f"/t/{B_SLUG}/units/"), b_ids, "B")
    assert any(MARKER in found for found in seen) and any("in a link" in found for found in seen), seen
    assert any("in the JSON" in found for found in leaks(client.get(f"/t/{B_SLUG}/api/v1/units/"), b_ids, "B"))
    for export in ("innovation.xlsx", "innovation.csv"):
        assert leaks(client.get(f"/t/{B_SLUG}/dashboard/tiles/{export}"), b_ids, "B"), export
