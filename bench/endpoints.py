"""The pages and API operations the HTTP benchmark times, and the objects they are about, picked in-process.

`pick(...)` chooses, inside the tenant's scope, the people (by employee number; for a tenant without them, the
first member with the role) and the objects: the latest target tree, the busiest project, the unit manager's
unit, the largest listing, the year of the last finalized listing (for HR's points). `endpoints(picked)` turns
them into the list of (name, who, path): `who` is a role whose signed-in browser session makes the request, or
"key" for the API key with every scope.
"""

from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from innovation.models import Listing
from insights.dashboard.tiles import TILES
from lean.models import Membership, Role, Tenant
from lean.tenancy import tenant_scope
from projects.models import Project
from targets.models import TargetTree

OFFICE, MANAGER, EMPLOYEE, KEY = "office", "manager", "employee", "key"


@dataclass
class Picked:
    tenant: Tenant
    people: dict  # role → Membership
    tree: TargetTree | None
    project_id: int | None
    unit_id: int
    listing_id: int | None
    points_year: int
    notes: list = field(default_factory=list)  # what had to be chosen instead of what was asked


@dataclass(frozen=True)
class Endpoint:
    name: str
    who: str  # OFFICE, MANAGER, EMPLOYEE (a signed-in session) or KEY (the API key)
    path: str  # after /t/<slug>
    kind: str = "page"  # "page" or "api"


def _member(number: str | None, role: str, notes: list) -> Membership:
    members = Membership.objects.select_related("user", "unit").filter(active=True)
    found = members.filter(employee_number=number).first() if number else None
    if found is None:
        found = members.filter(roles__contains=[role]).order_by("unit__path", "employee_number").first()
        if found is None:
            raise SystemExit(f"no active member with the role {role} in this tenant")
        notes.append(f"{role}: {number or '(none given)'} not found, took {found.employee_number}")
    return found


def _busiest_employee() -> Membership | None:
    return (
        Membership.objects.select_related("user", "unit")
        .filter(active=True, roles__contains=[Role.EMPLOYEE])
        .annotate(n=Count("innovation_credits"))
        .order_by("-n", "employee_number")
        .first()
    )


def pick(slug: str, *, office: str | None, manager: str | None, employee: str | None) -> Picked:
    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None:
        raise SystemExit(f"no tenant {slug!r} in this database (load the data first: see bench/README.md)")
    notes = []
    with tenant_scope(tenant):
        people = {OFFICE: _member(office, Role.LEAN_OFFICE, notes), MANAGER: _member(manager, Role.UNIT_MANAGER, notes)}
        chosen = Membership.objects.select_related("user", "unit").filter(employee_number=employee).first()
        if chosen is None:
            chosen = _busiest_employee() or people[MANAGER]
            notes.append(f"employee: {employee or '(none given)'} not found, took {chosen.employee_number}")
        people[EMPLOYEE] = chosen
        project = (
            Project.objects.annotate(
                reviews_n=Count("reviews", distinct=True),
                transitions_n=Count("transitions", distinct=True),
                team_n=Count("team", distinct=True),
            )
            .order_by("-reviews_n", "-transitions_n", "-team_n", "pk")
            .values_list("pk", flat=True)
            .first()
        )
        listing = (
            Listing.objects.annotate(n=Count("contributions"))
            .order_by("-n", "-period_end")
            .values_list("pk", flat=True)
        ).first()
        final = Listing.objects.filter(state=Listing.State.FINAL).order_by("-period_end").first()
        return Picked(
            tenant=tenant,
            people=people,
            tree=TargetTree.objects.order_by("-year").first(),
            project_id=project,
            unit_id=people[MANAGER].unit_id,
            listing_id=listing,
            points_year=final.period_end.year if final else timezone.localdate().year,
            notes=notes,
        )


def endpoints(p: Picked) -> list[Endpoint]:
    """Every key page (the lean office's whole-tenant views, the unit manager's unit, the employee's archive) and
    the API operations that matter, in the order of the table."""
    employee_no = p.people[EMPLOYEE].employee_number
    year = p.tree.year if p.tree else p.points_year
    rows = [
        Endpoint("target tree", OFFICE, f"/targets/?year={year}"),
        Endpoint("target tree, one unit", MANAGER, f"/targets/?year={year}&unit={p.unit_id}"),
        Endpoint("shortfall list", OFFICE, "/targets/shortfalls/"),
        Endpoint("shortfall list, unit manager", MANAGER, "/targets/shortfalls/"),
        Endpoint("benchmark board", OFFICE, "/benchmarking/"),
        Endpoint("portfolio board", OFFICE, "/projects/portfolio/"),
        Endpoint("portfolio table", OFFICE, "/projects/portfolio/table/"),
    ]
    if p.project_id:
        rows.append(Endpoint("project page", OFFICE, f"/projects/{p.project_id}/"))
    rows += [
        Endpoint("employee archive (my archive)", EMPLOYEE, "/innovation/"),
        Endpoint("unit archive", MANAGER, f"/innovation/units/{p.unit_id}/"),
        Endpoint("tenant archive", OFFICE, "/innovation/units/"),
    ]
    if p.listing_id:
        rows.append(Endpoint("listing page", OFFICE, f"/innovation/listings/{p.listing_id}/"))
    rows.append(Endpoint("dashboard page", OFFICE, f"/dashboard/?year={year}"))
    rows += [Endpoint(f"dashboard tile {t}", OFFICE, f"/dashboard/tiles/{t}.json?year={year}") for t in TILES]
    rows += [
        Endpoint(f"dashboard tile {t}, one unit", MANAGER, f"/dashboard/tiles/{t}.json?year={year}")
        for t in ("achievement", "innovation")
    ]
    api = "/api/v1"
    rows += [
        Endpoint("API employee archive", KEY, f"{api}/innovation/archives/employees/{employee_no}/", "api"),
        Endpoint("API HR employee points", KEY, f"{api}/hr/employees/{employee_no}/?period={p.points_year}", "api"),
        Endpoint("API unit archive", KEY, f"{api}/innovation/archives/units/{p.unit_id}/", "api"),
        Endpoint("API HR points export (page of 200)", KEY, f"{api}/hr/points/?period={p.points_year}", "api"),
        Endpoint("API HR points per unit", KEY, f"{api}/hr/points/units/?period={p.points_year}", "api"),
        Endpoint("API members", KEY, f"{api}/members/", "api"),
        Endpoint("API shortfalls", KEY, f"{api}/targets/shortfalls/", "api"),
        Endpoint("API projects", KEY, f"{api}/projects/projects/", "api"),
        Endpoint("API contributions", KEY, f"{api}/innovation/contributions/", "api"),
    ]
    if p.tree:
        rows.append(
            Endpoint("API tree with year roll-up", KEY, f"{api}/targets/trees/{p.tree.pk}/?period={p.tree.year}", "api")
        )
    if p.listing_id:
        rows.append(Endpoint("API listing", KEY, f"{api}/innovation/listings/{p.listing_id}/", "api"))
    return rows
