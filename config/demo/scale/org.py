"""The organisation of a scale tenant: HQ, units with their teams, the named logins, and the employees (bulk)."""

from dataclasses import dataclass, field

from config.demo.scale.base import Sizes, insert_objects, next_ids, password_hash, person_name
from config.demo.seed import POSITIONS
from lean.models import Membership, Role, Unit, User
from lean.services import member_create, unit_create

OFFICE, FINANCE, MANAGER, EMPLOYEE = "SC-LO", "SC-FI", "SC-UM", "SC-EM"
MANAGED_UNIT, EMPLOYEE_TEAM = "U07", "U07-01"  # SC-UM manages U07; SC-EM works in its first team


@dataclass
class Org:
    hq: Unit
    units: list[Unit]  # every unit under HQ in tree order: each unit, then its teams
    office: Membership
    finance: Membership
    managers: dict[int, Membership]  # unit pk → the manager of that unit (for a team: of its unit)
    employee: Membership | None  # SC-EM, where its team exists
    reviewers: list[tuple[int, str]] = field(default_factory=list)  # (membership pk, unit path)
    people: list[tuple[int, int]] = field(default_factory=list)  # active employees: (membership pk, unit pk)
    by_unit: dict[int, list[int]] = field(default_factory=dict)  # unit pk → active employees in it

    @property
    def teams(self) -> list[Unit]:
        return [unit for unit in self.units if unit.kind == Unit.Kind.TEAM]

    def unit(self, code: str) -> Unit | None:
        return next((unit for unit in self.units if unit.code == code), None)

    def staff(self, unit: Unit) -> list[int]:
        """The active employees of `unit` and the teams below it; of its unit, for a team with nobody; of the
        whole tenant, for a unit with nobody (a small scale spreads few people over many teams)."""
        if unit.kind == Unit.Kind.TEAM:
            found = self.by_unit.get(unit.pk, [])
            parent = next(u for u in self.units if u.pk == unit.parent_id)
            return found or self.staff(parent)
        found = [pk for team in self.units if team.parent_id == unit.pk for pk in self.by_unit.get(team.pk, [])]
        return found or [pk for pk, _unit in self.people]


def _login(tenant, unit, number, name, roles, position) -> Membership:
    """A named login with the scale password, as the demo makes its people (seed._person)."""
    user = User.objects.create(username=f"{tenant.slug}-{number.lower()}", full_name=name, password=password_hash())
    return member_create(user=user, unit=unit, employee_number=number, roles=roles, position=position)


def build_units(sizes: Sizes) -> tuple[Unit, list[Unit]]:
    """HQ and, under it, `sizes.units` units (U01 …) with `sizes.teams_per_unit` teams each (U01-01 …): HQ and the
    units below it in tree order (each unit, then its teams). HQ through the service, the rest in one insert,
    their ids drawn first so their materialised paths are known (as unit_create makes them)."""
    hq = unit_create(name="总部", code="HQ", kind=Unit.Kind.HQ)
    tenant = hq.tenant
    ids = iter(next_ids(Unit, sizes.units * (1 + sizes.teams_per_unit)))
    units = []
    for u in range(1, sizes.units + 1):
        pk = next(ids)
        unit = Unit(pk=pk, tenant=tenant, name=f"单位{u}", code=f"U{u:02d}", parent=hq, path=f"{hq.path}{pk:010d}/")
        units.append(unit)
        for t in range(1, sizes.teams_per_unit + 1):
            pk = next(ids)
            team = Unit(pk=pk, tenant=tenant, name=f"单位{u}班组{t}", code=f"U{u:02d}-{t:02d}", kind=Unit.Kind.TEAM)
            team.parent, team.path = unit, f"{unit.path}{pk:010d}/"
            units.append(team)
    insert_objects(Unit, units, ids=True)
    return hq, units


def build_org(tenant, sizes: Sizes) -> Org:
    """HQ and `sizes.units` units of `sizes.teams_per_unit` teams (codes U01, U01-01 …), a lean office (SC-LO) and a
    finance verifier (SC-FI) at HQ, a manager per unit (SC-UM for U07, SC-M01 … for the others), SC-EM in team
    U07-01, and `sizes.employees` employees spread over the teams (one in 50 inactive, some reviewers)."""
    hq, units = build_units(sizes)
    office = _login(tenant, hq, OFFICE, "林精益", [Role.LEAN_OFFICE, Role.EMPLOYEE], "精益管理办公室主任")
    finance = _login(tenant, hq, FINANCE, "钱核算", [Role.FINANCE, Role.EMPLOYEE], "财务部效益核算主管")
    managers = {}
    for unit in units:
        if unit.kind == Unit.Kind.UNIT:
            number = MANAGER if unit.code == MANAGED_UNIT else f"SC-M{unit.code[1:]}"
            roles = [Role.UNIT_MANAGER, Role.EMPLOYEE]
            manager = _login(tenant, unit, number, person_name(1000 + len(managers)), roles, "总经理")
        managers[unit.pk] = manager  # a team's manager is its unit's
    org = Org(hq=hq, units=units, office=office, finance=finance, managers=managers, employee=None)
    team = org.unit(EMPLOYEE_TEAM)
    if team is not None:
        org.employee = _login(tenant, team, EMPLOYEE, "张创新", [Role.EMPLOYEE], "技术员")
        org.people.append((org.employee.pk, team.pk))
    _employees(tenant, sizes, org)
    for pk, unit_id in org.people:
        org.by_unit.setdefault(unit_id, []).append(pk)
    return org


def _employees(tenant, sizes: Sizes, org: Org) -> None:
    teams = org.teams
    paths = {unit.pk: unit.path for unit in org.units}
    # Reviewers (评审专家) spread evenly over the people, so over the units: a panel always finds some from
    # outside a project's unit.
    count = max(min(6, sizes.employees // 3), sizes.employees // 150)
    reviewers = {round(k * sizes.employees / count) for k in range(count)}
    users = [
        User(username=f"{tenant.slug}-sc{i:05d}", full_name=person_name(i), password="!")
        for i in range(sizes.employees)
    ]
    insert_objects(User, users, ids=True)
    members = [
        Membership(
            tenant=tenant,
            user=user,
            unit=teams[i % len(teams)],
            employee_number=f"SC{i:05d}",
            position=POSITIONS[i % len(POSITIONS)],
            roles=[Role.EMPLOYEE, Role.REVIEWER] if i in reviewers else [Role.EMPLOYEE],
            active=i in reviewers or i % 50 != 0,
        )
        for i, user in enumerate(users)
    ]
    insert_objects(Membership, members, ids=True)
    for member in members:
        if member.active:
            org.people.append((member.pk, member.unit_id))
        if Role.REVIEWER in member.roles:
            org.reviewers.append((member.pk, paths[member.unit_id]))
