"""Pages of benchmarking: who may open what, what they see, the forms' writes, and bounded board queries."""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from benchmarking import selectors, services
from benchmarking.models import BenchmarkIndicator, Peer, PeerValue, Practice, Proposal
from lean import periods
from lean.tenancy import tenant_scope
from tests.targets.factories import bulk_indicators, make_indicator, make_targets, read

from .factories import make_benchmarking

JAN = periods.parse("2025-01")
BOARD = "/t/alpha/benchmarking/"

# role × page → expected status (GET)
PAGES = [
    "",
    "indicators/new/",
    "indicators/{benchmark}/",
    "indicators/{benchmark}/edit/",
    "peers/",
    "peers/{peer}/",
    "values/new/",
    "proposals/",
    "proposals/new/",
    "proposals/{proposal}/",
    "practices/new/?benchmark={benchmark}&unit={unit}",
    "practices/{practice}/",
]
EXPECTED = {
    "lean_office": [200, 200, 200, 200, 200, 200, 200, 200, 403, 200, 200, 200],
    "manager": [200, 403, 200, 403, 200, 200, 403, 200, 200, 200, 200, 200],
    "reviewer": [200, 403, 200, 403, 200, 200, 403, 200, 403, 200, 403, 200],  # at HQ: sees the units' proposals
    "employee": [200, 403, 200, 403, 200, 200, 403, 200, 403, 403, 403, 200],  # in a team below the unit
}


@pytest.fixture
def data(tenant_a):
    """make_benchmarking, and three more outside peers in January 2025: the unit (90) is last of five (99, 98, 97,
    96, 90), in the worst quartile."""
    with tenant_scope(tenant_a.tenant):
        make_targets(tenant_a)
        make_benchmarking(tenant_a)
        x = tenant_a.extra
        peers = [services.peer_save(actor=tenant_a.lean_office, name=f"标杆{i}", kind="enterprise") for i in range(3)]
        services.peer_values_save(
            actor=tenant_a.lean_office,
            items=[
                services.ValueInput(x["benchmark"], p, JAN, D(v), "年报")
                for p, v in zip(peers, [99, 98, 96], strict=True)
            ],
        )
        x["peers"] = peers
    return tenant_a


@pytest.mark.parametrize("role", EXPECTED)
def test_role_page_table(client, data, login, role):
    login(getattr(data, role))
    x = data.extra
    ids = {
        "benchmark": x["benchmark"].pk,
        "peer": x["peer"].pk,
        "proposal": x["proposal"].pk,
        "practice": x["practice"].pk,
        "unit": data.unit.pk,
    }
    for page, expected in zip(PAGES, EXPECTED[role], strict=True):
        url = BOARD + page.format(**ids)
        assert client.get(url).status_code == expected, (role, url)


def test_board_cell_shows_the_quartile_and_rank(client, data, login):
    login(data.employee)
    response = client.get(BOARD, {"kind": "month", "period": "2025-01"})
    assert response.status_code == 200
    (benchmark, comparison, cells) = response.context["rows"][0]
    assert benchmark == data.extra["benchmark"] and comparison.count == 5
    unit, cell = cells[0]
    assert unit == data.unit and (cell.position.quartile, cell.position.rank) == (4, 5)
    body = response.content.decode()
    assert "lean-bm-cell lean-bm-q4" in body and "5/5" in body
    link = f"/t/alpha/benchmarking/indicators/{benchmark.pk}/?unit={data.unit.pk}&period=2025-01"
    assert link in body
    assert "设备可用率" in body and "99" in body  # the row: name and the best value


def test_board_htmx_partial_and_fallbacks(client, data, login):
    login(data.manager)
    response = client.get(BOARD, {"kind": "month", "period": "2025-01"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'id="board"' in body and "<html" not in body and "lean-bm-q4" in body
    assert "HX-Request" in response.headers["Vary"]
    assert response.headers["HX-Push-Url"] == f"{BOARD}?kind=month&period=2025-01"
    # a bad period, or one of another kind, falls back to the last complete period; a bad kind to quarters
    for params, kind in [({"period": "2025-13"}, "quarter"), ({"kind": "month", "period": "2025-Q1"}, "month")]:
        response = client.get(BOARD, params)
        assert response.context["period"] == selectors.latest_period(kind), params
    assert client.get(BOARD, {"kind": "week"}).context["kind"] == "quarter"


def test_board_links_for_each_role(client, data, login):
    body = login(data.lean_office).get(BOARD).content.decode()
    assert "/benchmarking/indicators/new/" in body and "/benchmarking/proposals/new/" not in body
    assert 'text-bg-danger" title' in body  # the pending proposals' count
    body = login(data.manager).get(BOARD).content.decode()
    assert "/benchmarking/indicators/new/" not in body and "/benchmarking/proposals/new/" in body


def test_comparison_page(client, data, login):
    login(data.manager)
    benchmark = data.extra["benchmark"]
    response = client.get(f"{BOARD}indicators/{benchmark.pk}/", {"period": "2025-01"})
    context = response.context
    assert context["unit"] == data.unit  # the manager's own unit takes part
    assert (context["position"].rank, context["position"].quartile) == (4 + 1, 4)
    rows = context["participants"]
    assert [row["position"].value for row in rows] == [99, 98, 97, 96, 90]
    assert rows[-1]["chosen"] and not rows[0]["internal"]
    chart = context["chart"]
    assert len(chart["labels"]) == 8 and chart["unit"][-1] == 90 and chart["best"][-1] == 99
    assert chart["band_worse"][-1] < chart["band_better"][-1]  # higher is better: the better edge is higher
    body = response.content.decode()
    assert 'id="comparison-chart"' in body and "comparison-chart-data" in body and "点检定修" in body
    assert "/benchmarking/practices/new/" in body  # the unit's manager may record a practice
    login(data.employee)
    response = client.get(f"{BOARD}indicators/{benchmark.pk}/", {"period": "2025-13", "unit": "x"})
    assert response.status_code == 200 and response.context["period"] == selectors.latest_period("month")
    assert "/benchmarking/practices/new/" not in response.content.decode()


def test_add_an_indicator_from_a_shortfall(client, data, login):
    cost = data.extra["cost"]
    with tenant_scope(data.tenant):
        read(data.lean_office, cost, data.unit, "2025-02", 120)  # lower is better: 120 misses 100
    login(data.lean_office)
    page = client.get(f"{BOARD}indicators/new/")
    assert [c["indicator_id"] for c in page.context["candidates"]] == [cost.pk]
    response = client.post(
        f"{BOARD}indicators/new/", {"indicator": cost.pk, "frequency": "quarter", "origin": "shortfall"}
    )
    assert response.status_code == 302
    with tenant_scope(data.tenant):
        added = BenchmarkIndicator.objects.get(code="A1.2")
        assert (added.origin, added.frequency, added.direction) == ("shortfall", "quarter", "lower")
    assert response.url.endswith(f"/indicators/{added.pk}/")
    assert client.get(f"{BOARD}indicators/new/").context["candidates"] == []
    again = client.post(f"{BOARD}indicators/new/", {"indicator": cost.pk, "frequency": "month", "origin": "shortfall"})
    assert again.status_code == 400 and "A1.2" in again.content.decode()
    search = client.get(f"{BOARD}indicators/new/", {"q": "可用"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="search-results"' in search and "<html" not in search and "设备可用率" in search


def _rows(rows):
    """The value entry formset's POST data."""
    post = {"values-TOTAL_FORMS": "5", "values-INITIAL_FORMS": "0", "values-MIN_NUM_FORMS": "0"}
    post["values-MAX_NUM_FORMS"] = "50"
    for index, row in enumerate(rows):
        post.update({f"values-{index}-{name}": value for name, value in row.items()})
    for index in range(5):
        post.setdefault(f"values-{index}-confidence", "medium")
    return post


def test_value_entry_stores_every_row_or_none(client, data, login):
    x = data.extra
    login(data.lean_office)
    row = {"benchmark": x["benchmark"].pk, "peer": x["peer"].pk, "value": "96.5", "source": "行业年报"}
    url = f"{BOARD}values/new/"
    with tenant_scope(data.tenant):
        before = PeerValue.objects.count()
    bad = client.post(url, _rows([{**row, "period": "2025-02"}, {**row, "period": "2025-Q1"}]))
    assert bad.status_code == 400 and "2025-Q1" not in bad.content.decode().split("<tbody>")[0]
    assert "A1.1" in bad.content.decode()  # "A1.1 is compared per month…" on the second row
    not_a_number = client.post(url, _rows([{**row, "period": "2025-02", "value": "abc"}]))
    assert not_a_number.status_code == 400
    assert client.post(url, _rows([])).status_code == 400  # nothing filled in
    with tenant_scope(data.tenant):
        assert PeerValue.objects.count() == before
    good = client.post(
        url, _rows([{**row, "period": "2025-02", "confidence": "high"}, {**row, "period": "2025-03", "value": "97"}])
    )
    assert good.status_code == 302
    with tenant_scope(data.tenant):
        assert PeerValue.objects.count() == before + 2
        stored = PeerValue.objects.get(period_start=periods.parse("2025-02").start, peer=x["peer"])
        assert (stored.value, stored.confidence, stored.entered_by) == (D("96.5"), "high", data.lean_office)
    page = client.get(f"{BOARD}values/new/", {"benchmark": x["benchmark"].pk, "period": "2025-04"})
    assert page.context["formset"].forms[0].initial["period"] == "2025-04"


def test_peer_add_and_edit(client, data, login):
    login(data.lean_office)
    assert client.post(f"{BOARD}peers/", {"name": "标杆0", "kind": "industry"}).status_code == 400  # taken
    response = client.post(f"{BOARD}peers/", {"name": "华东电网均值", "kind": "industry", "active": "on"})
    assert response.status_code == 302
    peer = data.extra["peer"]
    edit = {"name": "行业标杆", "kind": "enterprise"}  # "active" left unticked: the peer is switched off
    assert client.post(f"{BOARD}peers/{peer.pk}/", edit).status_code == 302
    page = client.get(f"{BOARD}peers/{peer.pk}/")
    assert page.context["peer"].name == "行业标杆" and page.context["values"].paginator.count == 1
    assert not page.context["peer"].active
    with tenant_scope(data.tenant):
        assert Peer.objects.get(name="华东电网均值").active
    login(data.manager)
    assert client.post(f"{BOARD}peers/", {"name": "x", "kind": "industry"}).status_code == 403


def test_manager_proposes_and_the_lean_office_accepts(client, data, login):
    with tenant_scope(data.tenant):
        output = make_indicator(data.extra["goal"], "A1.3", [data.unit], name="人均产值")
    login(data.manager)
    form = client.get(f"{BOARD}proposals/new/").context["form"]
    with tenant_scope(data.tenant):
        assert list(form.fields["indicator"].queryset) == [output]  # uptime benchmarked, cost already proposed
    response = client.post(
        f"{BOARD}proposals/new/", {"indicator": output.pk, "reason": "与兄弟单位差距大", "suggested_peers": "二分公司"}
    )
    assert response.status_code == 302
    with tenant_scope(data.tenant):
        proposal = Proposal.objects.get(indicator=output)
        assert (proposal.unit, proposal.proposed_by, proposal.status) == (data.unit, data.manager, "pending")
    url = f"{BOARD}proposals/{proposal.pk}/"
    assert client.post(url, {"action": "accept", "frequency": "quarter"}).status_code == 403  # not theirs to decide
    login(data.lean_office)
    listing = client.get(f"{BOARD}proposals/")
    assert [p.status for p in listing.context["page"]][:2] == ["pending", "pending"]  # pending first
    response = client.post(url, {"action": "accept", "frequency": "month", "reason": "同意", "next": "list"})
    assert response.status_code == 302 and response.url.endswith("/benchmarking/proposals/")
    with tenant_scope(data.tenant):
        proposal.refresh_from_db()
        assert proposal.status == "accepted" and proposal.benchmark.frequency == "month"
    assert client.post(url, {"action": "decline", "reason": "晚了"}).status_code == 400  # decided already


def test_decline_needs_a_reason(client, data, login):
    proposal = data.extra["proposal"]
    url = f"{BOARD}proposals/{proposal.pk}/"
    login(data.manager)
    assert client.post(url, {"action": "decline", "reason": "no"}).status_code == 403
    login(data.lean_office)
    response = client.post(url, {"action": "decline", "reason": "  "})
    assert response.status_code == 400
    assert response.context["decline_form"].errors["reason"]
    with tenant_scope(data.tenant):
        proposal.refresh_from_db()
        assert proposal.status == "pending" and proposal.decision_reason == ""
    assert client.post(url, {"action": "decline", "reason": "先做内部对标"}).status_code == 302
    with tenant_scope(data.tenant):
        proposal.refresh_from_db()
        assert proposal.status == "declined" and proposal.decided_by == data.lean_office
    login(data.manager)
    assert "先做内部对标" in client.get(url).content.decode()


def test_manager_records_a_practice(client, data, login):
    x = data.extra
    login(data.manager)
    url = f"{BOARD}practices/new/?benchmark={x['benchmark'].pk}&unit={data.unit.pk}&peer=peer-{x['peers'][0].pk}"
    page = client.get(url)
    assert page.context["form"].initial["better_peer"] == f"peer-{x['peers'][0].pk}"
    post = {
        "benchmark": x["benchmark"].pk,
        "unit": data.unit.pk,
        "title": "预防性维护",
        "description": "每周点检，备件按寿命更换",
        "source": "现场参观",
        "met_on": "2025-03-12",
    }
    assert client.post(url, post).status_code == 400  # no better peer named
    assert client.post(url, {**post, "better_peer": f"unit-{data.unit.pk}"}).status_code == 400  # itself
    assert client.post(url, {**post, "unit": data.hq.pk, "better_peer": f"peer-{x['peer'].pk}"}).status_code == 400
    response = client.post(url, {**post, "better_peer": f"peer-{x['peers'][0].pk}"})
    assert response.status_code == 302
    with tenant_scope(data.tenant):
        practice = Practice.objects.get(title="预防性维护")
        assert (practice.peer, practice.unit, practice.recorded_by) == (x["peers"][0], data.unit, data.manager)
        assert str(practice.met_on) == "2025-03-12"
    assert "每周点检" in client.get(response.url).content.decode()


def _count(client, url, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
        assert response.status_code == 200
    return len(queries), response


def test_board_queries_do_not_grow_with_indicators_or_peers(client, tenant_a, login):
    ts = tenant_a
    with tenant_scope(ts.tenant):
        tree, _goal = bulk_indicators(ts, 20, year=2024)  # 20 indicators, each read 90 by the unit in 2024-01
        indicators = list(tree.nodes.filter(indicator__isnull=False).order_by("code"))
        month = periods.parse("2024-01")

        def benchmark(count):
            for node in indicators[:count]:
                if not BenchmarkIndicator.objects.filter(code=node.code).exists():
                    services.benchmark_add(actor=ts.lean_office, indicator=node.indicator, frequency="month")

        def peers(count):
            for i in range(count):
                if not selectors.peer_list().filter(name=f"标杆{i:02d}").exists():
                    services.peer_save(actor=ts.lean_office, name=f"标杆{i:02d}", kind="enterprise")
            every = list(selectors.peer_list())
            services.peer_values_save(
                actor=ts.lean_office,
                items=[
                    services.ValueInput(b, p, month, D(90 + i), "年报")
                    for b in BenchmarkIndicator.objects.all()
                    for i, p in enumerate(every)
                ],
            )

        benchmark(2)
        peers(2)
    login(ts.lean_office)
    params = {"kind": "month", "period": "2024-01"}
    counts = []
    small, response = _count(client, BOARD, params)
    assert len(response.context["rows"]) == 2 and response.context["rows"][0][1].count == 3
    for grow in (lambda: benchmark(20), lambda: peers(20)):
        with tenant_scope(ts.tenant):
            grow()
        count, response = _count(client, BOARD, params)
        counts.append(count)
    assert len(response.context["rows"]) == 20 and response.context["rows"][-1][1].count == 21
    assert counts == [small, small], (small, counts)


def test_a_practice_starts_a_project_draft(client, data, login):
    login(data.manager)
    practice = data.extra["practice"]
    page = client.get(f"{BOARD}practices/{practice.pk}/")
    link = page.context["draft"]
    assert "/projects/new/" in page.content.decode() and link
    form = client.get(f"/t/alpha/projects/new/?{link}").context["form"]
    assert "点检定修" in form.initial["title"] and "推行点检定修制" in form.initial["problem"]
