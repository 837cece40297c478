"""Benchmark of the dashboard's tiles at the size of issue 9 (not a test). See bench/README.md.

Builds, in a fresh scratch tenant `bench-dashboard`, 300 units, 30,000 employees, five yearly target trees
(2022–2026) of 2,000 indicators each applying to 5 units with monthly readings (600,000 rows) and the
shortfalls they imply, 60 benchmark indicators with 5 outside peers, 5,000 projects with their transitions
and some linked shortfalls, 300,000 contributions with a credit each and 20,000 suggestions, all bulk inserted;
then times every tile (the same code as its JSON endpoint: the scope, the row units, the tile's queries and
its presentation) for the whole tenant (the lean office) and for one unit with its 14 teams (its manager),
~20 runs each after 2 warm-up runs, and prints p50 and p95.

    python -m lean.embedded --data .data/bench -- bash -c \\
        'python manage.py migrate -v0 && python bench/dashboard.py [--reuse] [--runs 20]'
"""

import argparse
import os
import random
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lean.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from targets_tree import drop_tenant, shortfall_row, tree_with_indicators  # noqa: E402  (the tree benchmark's builders)

from benchmarking.models import BenchmarkIndicator, Peer, PeerValue  # noqa: E402
from innovation.models import Contribution, ContributionType, Credit, RuleVersion, Suggestion  # noqa: E402
from innovation.services import scoring  # noqa: E402
from lean.dashboard import tiles  # noqa: E402
from lean.dashboard.scope import scope_for  # noqa: E402
from lean.db_roles import as_owner  # noqa: E402
from lean.models import Membership, Role, Tenant, Unit, User  # noqa: E402
from lean.services import member_create, tenant_create, unit_create  # noqa: E402
from lean.tenancy import tenant_scope  # noqa: E402
from projects.models import Project, ProjectShortfall, State, Tier, Transition  # noqa: E402
from targets import periods, services  # noqa: E402
from targets.models import IndicatorUnit, Reading, Shortfall  # noqa: E402

SLUG = "bench-dashboard"
YEARS = range(2022, 2027)
UNITS, TEAMS_PER_UNIT = 20, 14  # 20 units with 14 teams each: 300 units under HQ
EMPLOYEES = 30_000
UNITS_PER_INDICATOR = 5
BENCHMARKS, PEERS = 60, 5
PROJECTS = 5_000
CONTRIBUTIONS = 300_000
SUGGESTIONS = 20_000
BATCH = 5000
# The path a project takes to reach each state (the transitions it has behind it).
PATHS = {
    State.DRAFT: [],
    State.SUBMITTED: [("submit", State.DRAFT, State.SUBMITTED)],
    State.REJECTED: [("submit", State.DRAFT, State.SUBMITTED), ("reject", State.SUBMITTED, State.REJECTED)],
    State.APPROVED: [("submit", State.DRAFT, State.SUBMITTED), ("approve", State.SUBMITTED, State.APPROVED)],
}
PATHS[State.IN_PROGRESS] = PATHS[State.APPROVED] + [("start", State.APPROVED, State.IN_PROGRESS)]
PATHS[State.MIDTERM] = PATHS[State.IN_PROGRESS] + [("request_midterm", State.IN_PROGRESS, State.MIDTERM)]
PATHS[State.CLOSING] = PATHS[State.MIDTERM] + [
    ("midterm_pass", State.MIDTERM, State.IN_PROGRESS),
    ("request_closing", State.IN_PROGRESS, State.CLOSING),
]
PATHS[State.CLOSED] = PATHS[State.CLOSING] + [("close", State.CLOSING, State.CLOSED)]
PATHS[State.FILED] = PATHS[State.CLOSED] + [("file", State.CLOSED, State.FILED)]


def _drop_old() -> None:
    drop_tenant(SLUG)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM lean_user WHERE username LIKE 'bd-%%'")


def _step(label, started):
    print(f"  {label} ({time.perf_counter() - started:.0f} s)", flush=True)


def build_org(tenant, rng):
    hq = unit_create(name="总部", code="HQ", kind=Unit.Kind.HQ)
    units = []
    for u in range(1, UNITS + 1):
        unit = unit_create(name=f"单位{u}", code=f"U{u:02d}", parent=hq)
        units.append(unit)
        for t in range(1, TEAMS_PER_UNIT + 1):
            units.append(
                unit_create(name=f"单位{u}班组{t}", code=f"U{u:02d}-{t:02d}", kind=Unit.Kind.TEAM, parent=unit)
            )
    office = member_create(
        user=User.objects.create(username="bd-office", full_name="精益办"),
        unit=hq,
        employee_number="BD-LO",
        roles=[Role.LEAN_OFFICE],
    )
    manager = member_create(
        user=User.objects.create(username="bd-manager", full_name="七单位负责人"),
        unit=Unit.objects.get(code="U07"),
        employee_number="BD-UM",
        roles=[Role.UNIT_MANAGER, Role.EMPLOYEE],
    )
    teams = [u for u in units if u.kind == Unit.Kind.TEAM]
    for start in range(0, EMPLOYEES, BATCH):
        users = User.objects.bulk_create(
            [
                User(username=f"bd-{i}", full_name=f"员工{i}", password="!")
                for i in range(start, min(start + BATCH, EMPLOYEES))
            ]
        )
        Membership.objects.bulk_create(
            [
                Membership(
                    tenant=tenant,
                    user=user,
                    unit=teams[i % len(teams)],
                    employee_number=f"BD{start + i:05d}",
                    roles=[Role.EMPLOYEE],
                    active=(start + i) % 50 != 0,
                )
                for i, user in enumerate(users)
            ]
        )
    return hq, units, office, manager


def build_targets(tenant, units, rng):
    counts = {"readings": 0, "shortfalls": 0}
    latest = []
    for year in YEARS:
        indicators = tree_with_indicators(tenant, year, f"{year}年目标树")
        months = periods.parse(str(year), periods.YEAR).split(periods.MONTH)
        links, readings, shortfalls = [], [], []
        for number, indicator in enumerate(indicators, start=1):
            applies = rng.sample(units, UNITS_PER_INDICATOR)
            links += [IndicatorUnit(tenant=tenant, indicator=indicator, unit=unit) for unit in applies]
            for period in months:
                target = Decimal(rng.randint(80, 120))
                for unit in applies:
                    ratio = rng.gauss(1.035, 0.03) if indicator.direction == "higher" else rng.gauss(0.965, 0.03)
                    value = (target * Decimal(ratio)).quantize(Decimal("0.01"))
                    reading = Reading(
                        tenant=tenant, indicator=indicator, unit=unit, value=value, target=target, source="import"
                    )
                    reading.period = period
                    readings.append(reading)
                    if services.missed(indicator.direction, value, target):
                        shortfalls.append(shortfall_row(reading, indicator.direction, target))
            if number % 250 == 0 or number == len(indicators):
                for model, rows, key in (
                    (IndicatorUnit, links, None),
                    (Reading, readings, "readings"),
                    (Shortfall, shortfalls, "shortfalls"),
                ):
                    model.objects.bulk_create(rows, batch_size=BATCH)
                    if key:
                        counts[key] += len(rows)
                    rows.clear()
        latest = indicators
    return latest, counts


def build_benchmarks(tenant, indicators, rng):
    chosen = indicators[:BENCHMARKS]
    benchmarks = BenchmarkIndicator.objects.bulk_create(
        [
            BenchmarkIndicator(
                tenant=tenant,
                code=indicator.node.code,
                name=indicator.node.name,
                measure_unit="%",
                direction=indicator.direction,
                aggregation=indicator.aggregation,
                frequency=periods.MONTH if i % 3 == 0 else periods.QUARTER,
                indicator=indicator,
            )
            for i, indicator in enumerate(chosen)
        ]
    )
    peers = Peer.objects.bulk_create([Peer(tenant=tenant, name=f"对标企业{i}") for i in range(PEERS)])
    values = []
    year = periods.parse(str(max(YEARS)), periods.YEAR)
    for benchmark in benchmarks:
        for period in year.split(benchmark.frequency):
            for peer in peers:
                value = PeerValue(
                    tenant=tenant, benchmark=benchmark, peer=peer, value=Decimal(rng.randint(85, 125)), source="年报"
                )
                value.period = period
                values.append(value)
    PeerValue.objects.bulk_create(values, batch_size=BATCH)


def build_projects(tenant, units, office, rng):
    states = list(PATHS)
    projects = Project.objects.bulk_create(
        [
            Project(
                tenant=tenant,
                code=f"BD{i:05d}",
                title=f"课题{i}",
                tier=Tier.HQ if i % 5 == 0 else Tier.UNIT,
                unit=units[i % len(units)],
                year=YEARS[i % len(YEARS)],
                state=(state := states[i % len(states)]),
                problem="问题",
                verified_benefit=Decimal(rng.randint(1, 500) * 1000) if state in (State.CLOSED, State.FILED) else None,
                created_by=office,
            )
            for i in range(PROJECTS)
        ],
        batch_size=BATCH,
    )
    transitions = [
        Transition(tenant=tenant, project=p, action=a, from_state=f, to_state=t, actor=office)
        for p in projects
        for a, f, t in PATHS[p.state]
    ]
    Transition.objects.bulk_create(transitions, batch_size=BATCH)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE projects_project"
            " SET created_at = make_timestamptz(year::int, (1 + id %% 6)::int, (1 + id %% 28)::int, 9, 0, 0)"
            " WHERE tenant_id = %s",
            [tenant.pk],
        )
        cursor.execute(
            """UPDATE projects_transition t SET created_at = p.created_at + x.rn * (4 + t.id %% 20) * interval '1 day'
               FROM (SELECT id, row_number() OVER (PARTITION BY project_id ORDER BY id) AS rn
                     FROM projects_transition WHERE tenant_id = %s) x, projects_project p
               WHERE x.id = t.id AND p.id = t.project_id""",
            [tenant.pk],
        )
    live = [p for p in projects if p.state not in (State.REJECTED, State.MERGED, State.DRAFT)]
    shortfall_ids = list(
        Shortfall.objects.filter(period_start__year=max(YEARS)).values_list("pk", flat=True)[: len(live) * 3]
    )
    ProjectShortfall.objects.bulk_create(
        [
            ProjectShortfall(tenant=tenant, project=live[i % len(live)], shortfall_id=pk)
            for i, pk in enumerate(shortfall_ids)
        ],
        batch_size=BATCH,
    )
    return len(transitions), len(shortfall_ids)


def build_innovation(tenant, hq, rng):
    scoring.innovation_setup()
    types = list(ContributionType.objects.all())
    version = RuleVersion.objects.order_by("-number").first()
    members = list(
        Membership.objects.filter(user__username__startswith="bd-", active=True).values_list("pk", "unit_id")
    )
    statuses = [Contribution.Status.VERIFIED] * 8 + [Contribution.Status.SUBMITTED, Contribution.Status.REJECTED]
    for start in range(0, CONTRIBUTIONS, BATCH * 2):
        chunk = []
        for i in range(start, min(start + BATCH * 2, CONTRIBUTIONS)):
            member, unit = members[rng.randrange(len(members))]
            year = YEARS[i % len(YEARS)]
            chunk.append(
                (
                    member,
                    Contribution(
                        tenant=tenant,
                        type=types[i % len(types)],
                        unit_id=unit,
                        title=f"成果{i}",
                        occurred_on=date(year, 1 + i % 12, 1 + i % 28),
                        status=statuses[i % len(statuses)],
                        points=Decimal(rng.randint(10, 400)) / 10,
                        rule_version=version,
                    ),
                )
            )
        rows = Contribution.objects.bulk_create([c for _m, c in chunk], batch_size=BATCH)
        Credit.objects.bulk_create(
            [
                Credit(tenant=tenant, contribution=c, member_id=m, share=100, points=c.points)
                for (m, _c), c in zip(chunk, rows, strict=True)
            ],
            batch_size=BATCH,
        )
    states = list(Suggestion.State.values)
    Suggestion.objects.bulk_create(
        [
            Suggestion(
                tenant=tenant,
                proposer_id=members[i % len(members)][0],
                unit_id=members[i % len(members)][1],
                title=f"建议{i}",
                problem="问题",
                proposal="建议",
                state=states[i % len(states)],
            )
            for i in range(SUGGESTIONS)
        ],
        batch_size=BATCH,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE innovation_suggestion SET submitted_at ="
            " make_timestamptz((2022 + id %% 5)::int, (1 + id %% 12)::int, (1 + id %% 28)::int, 10, 0, 0)"
            " WHERE tenant_id = %s",
            [tenant.pk],
        )


def build(rng: random.Random) -> Tenant:
    started = time.perf_counter()
    _drop_old()
    tenant = tenant_create(name="看板基准测试集团", slug=SLUG)
    with tenant_scope(tenant):
        hq, units, office, manager = build_org(tenant, rng)
        _step(f"{len(units) + 1} units, {EMPLOYEES} employees", started)
        indicators, counts = build_targets(tenant, units, rng)
        _step(f"{len(YEARS)} trees, {counts['readings']} readings, {counts['shortfalls']} shortfalls", started)
        build_benchmarks(tenant, indicators, rng)
        transitions, links = build_projects(tenant, units, office, rng)
        _step(f"{PROJECTS} projects, {transitions} transitions, {links} shortfall links", started)
        build_innovation(tenant, hq, rng)
        _step(f"{CONTRIBUTIONS} contributions with credits, {SUGGESTIONS} suggestions", started)
    with as_owner(), connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
    return tenant


def measure(tenant: Tenant, runs: int):
    with tenant_scope(tenant):
        office = Membership.objects.select_related("unit").get(employee_number="BD-LO")
        manager = Membership.objects.select_related("unit").get(employee_number="BD-UM")
    results = []
    for who, member in (("tenant", office), ("one unit", manager)):
        for name in tiles.TILES:
            times = []
            for run in range(runs + 2):  # the first two warm the caches and are not counted
                with tenant_scope(tenant):
                    started = time.perf_counter()
                    scope = scope_for(member)
                    ctx = tiles.context(member=member, scope=scope, slug=SLUG)
                    tiles.build(name, ctx)
                    elapsed = (time.perf_counter() - started) * 1000
                if run >= 2:
                    times.append(elapsed)
            times.sort()
            p50 = times[len(times) // 2]
            p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
            results.append((f"{name}, {who}", p50, p95))
    return results


def per_query(tenant: Tenant) -> None:
    """Each tile's SQL statements with their time, for the whole tenant: where a slow tile spends it."""
    with tenant_scope(tenant):
        office = Membership.objects.select_related("unit").get(employee_number="BD-LO")
    for name in tiles.TILES:
        timings = []

        def timed(execute, sql, params, many, context, timings=timings):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                timings.append(((time.perf_counter() - started) * 1000, " ".join(sql.split())[:90]))

        with tenant_scope(tenant), connection.execute_wrapper(timed):
            tiles.build(name, tiles.context(member=office, scope=scope_for(office), slug=SLUG))
        print(f"\n{name}: {len(timings)} statements, {sum(t for t, _s in timings):.0f} ms")
        for elapsed, sql in timings:
            print(f"  {elapsed:7.1f}  {sql}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="keep an existing bench tenant instead of rebuilding")
    parser.add_argument("--queries", action="store_true", help="print each tile's statements with their time")
    parser.add_argument("--scale", type=float, default=1.0, help="build a smaller tenant (e.g. 0.1) to try it")
    args = parser.parse_args()
    if args.scale != 1.0:
        global EMPLOYEES, INDICATORS_PER_SUBGOAL, PROJECTS, CONTRIBUTIONS, SUGGESTIONS
        EMPLOYEES, PROJECTS = int(EMPLOYEES * args.scale), int(PROJECTS * args.scale)
        CONTRIBUTIONS, SUGGESTIONS = int(CONTRIBUTIONS * args.scale), int(SUGGESTIONS * args.scale)
        INDICATORS_PER_SUBGOAL = max(1, int(INDICATORS_PER_SUBGOAL * args.scale))
    tenant = Tenant.objects.filter(slug=SLUG).first() if args.reuse else None
    tenant = tenant or build(random.Random(2026))
    print(f"\n{'tile, scope':30} {'p50 ms':>8} {'p95 ms':>8}")
    for name, p50, p95 in measure(tenant, args.runs):
        flag = "  slow (p95 > 300 ms)" if p95 > 300 else ""
        print(f"{name:30} {p50:8.1f} {p95:8.1f}{flag}")
    if args.queries:
        per_query(tenant)


if __name__ == "__main__":
    main()
