"""The Server-Timing header of the HTTP benchmark (lean/server_timing.py): there with the setting on, with the
request's number of SQL statements; absent otherwise."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

TIMING = re.compile(r'^app;dur=(?P<app>[\d.]+), db;dur=(?P<db>[\d.]+);desc="(?P<count>\d+) queries"$')
MIDDLEWARE = "lean.server_timing.ServerTimingMiddleware"


@pytest.fixture
def timing_on(settings):
    settings.LEAN_SERVER_TIMING = True
    settings.MIDDLEWARE = [MIDDLEWARE, *settings.MIDDLEWARE]


@pytest.mark.parametrize("path", ["/t/alpha/units/", "/t/alpha/api/v1/units/"])
def test_header_counts_the_requests_queries(timing_on, client, tenant_a, login, path):
    login(tenant_a.lean_office)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    match = TIMING.match(response["Server-Timing"])
    assert match, response["Server-Timing"]
    assert int(match["count"]) == len(queries) > 0
    assert 0 < float(match["db"]) <= float(match["app"])


def test_header_on_a_redirect_too(timing_on, client, tenant_a):
    response = client.get("/t/alpha/units/")  # not signed in: the login page's redirect
    assert response.status_code == 302
    assert TIMING.match(response["Server-Timing"])


def test_absent_by_default(client, tenant_a, login):
    login(tenant_a.lean_office)
    assert "Server-Timing" not in client.get("/t/alpha/units/")


def test_listed_but_switched_off_it_takes_itself_out(settings, client, tenant_a, login):
    settings.LEAN_SERVER_TIMING = False
    settings.MIDDLEWARE = [MIDDLEWARE, *settings.MIDDLEWARE]
    login(tenant_a.lean_office)
    response = client.get("/t/alpha/units/")
    assert response.status_code == 200 and "Server-Timing" not in response
