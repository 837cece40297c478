"""Builds one tenant's innovation demo from a Plan, through the services, the way the people would have done it
over a year (2025-11 … 2026-10): HQ adjusts the points rules for 2026, units tune them and add their own types,
employees record one-page improvements and OPLs that their managers verify or reject, managers record QC circle
activities, suggestions go through their flow, the lean office lists a period's points, resolves objections and
finalizes, and incentives are given.

Every step is an event at its own moment of the year; the events run in time order with
django.utils.timezone.now standing in for that moment (as projects/demo does), so dates, audit history and
notifications tell a believable year, and a listing picks up exactly what was verified before it opened. The
one listing still open for objections is opened a few days before the real now. Levels, dates and who did what
come from a seeded `random.Random`, so every run gives the same demo.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

from django.utils import timezone

from lean.models import Membership, Role, Unit
from projects.models import Project
from projects.models import State as ProjectState

from ..models import Contribution, ContributionType
from ..services import contributions, incentives, listings, scoring, suggestions
from ..services.contributions import Levels

D = Decimal
START, END = date(2025, 11, 3), date(2026, 10, 30)  # the demo year of contributions
WAITING_FROM = date(2026, 10, 15)  # recorded this late, a contribution still waits for its manager
SHARES = {
    1: (100,),
    2: (60, 40),
    3: (40, 35, 25),
    4: (35, 25, 20, 20),
    5: (30, 20, 20, 15, 15),
    6: (25, 20, 15, 15, 15, 10),
}
REJECTIONS = [
    "与本班组已登记的改善内容重复，请合并后重新登记。",
    "属于岗位日常工作，未体现改善前后的变化。",
    "缺少改善前后对比数据，请补充后重新提交。",
    "内容与现行规程不一致，请修订后重新登记。",
]


@dataclass(frozen=True)
class Item:
    """A contribution an employee records for themselves (one-page improvement, OPL, a unit's own type).
    `fate`: "verified", "waiting" or "rejected"; `partner`: a colleague sharing it 40%."""

    who: str
    type: str
    title: str
    day: date
    levels: Levels = Levels()
    fate: str = "verified"
    reason: str = ""
    partner: str = ""
    description: str = ""
    key: str = ""


@dataclass(frozen=True)
class Team:
    """A contribution a unit's manager records for a team (a QC circle, a benchmark team), verified at once.
    The first member's team is the contribution's unit; shares follow SHARES."""

    type: str
    title: str
    day: date
    members: tuple[str, ...]
    levels: Levels
    description: str = ""
    key: str = ""


@dataclass(frozen=True)
class Idea:
    """A suggestion and how far it went: "implemented", "adopted", "not_adopted", "evaluated", "submitted"."""

    who: str
    day: date
    title: str
    problem: str
    proposal: str
    benefit: str
    outcome: str
    reason: str = ""
    levels: Levels = Levels("general", "unit", "low", "none")


@dataclass(frozen=True)
class Award:
    """An incentive; `studio`: the key of a StudioSpec for a studio place."""

    who: str
    kind: str
    name: str
    reason: str
    day: date
    by: str
    points: str = ""
    studio: str = ""


@dataclass(frozen=True)
class StudioSpec:
    key: str
    leader: str
    unit: str  # unit code
    day: date
    by: str
    description: str
    name: str = ""  # default: the leader's name + 创新工作室


@dataclass(frozen=True)
class ObjectionSpec:
    """An objection to the contribution with `key`; `uphold` None leaves it open."""

    key: str
    who: str
    text: str
    raised: date | None = None  # None: days_ago before the real now
    days_ago: int = 1
    uphold: bool | None = None
    resolution: str = ""
    resolved: date | None = None


@dataclass(frozen=True)
class ListingSpec:
    title: str
    start: date
    end: date
    opened: date | None  # None: opened `days_ago` before the real now (its window still open)
    days_ago: int = 3
    finalized: date | None = None
    objections: tuple[ObjectionSpec, ...] = ()


@dataclass(frozen=True)
class Plan:
    lean_office: str
    # unit code → (the people who take part, the pool of (type, title) they record among themselves)
    units: dict
    items: list[Item] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    ideas: list[Idea] = field(default_factory=list)
    listings: list[ListingSpec] = field(default_factory=list)
    studios: list[StudioSpec] = field(default_factory=list)
    awards: list[Award] = field(default_factory=list)
    # (day, note, base changes, award changes, effective from) of new HQ rule versions
    versions: list[tuple] = field(default_factory=list)
    # (day, unit code, factors, note, effective from) of unit tunings
    tunings: list[tuple] = field(default_factory=list)
    # (day, by, unit code or "", code, name, base, recorded_by, description) of added types
    types: list[tuple] = field(default_factory=list)
    rescore_reason: str = ""
    seed: int = 2026


class Timeline:
    """Events at moments of the demo year, run in time order with the clock stopped at each one (never later
    than the real now)."""

    def __init__(self, zone: str):
        self.zone = ZoneInfo(zone)
        self.real_now = timezone.now()
        self.events: list = []

    def moment(self, day: date, hour: int) -> datetime:
        return datetime.combine(day, time(hour, 0), self.zone)

    def days_ago(self, days: int, hour: int) -> datetime:
        """A moment `days` before the real today (at least a day ago, so it is in the past whatever the hour)."""
        today = timezone.localtime(self.real_now, self.zone).date()
        return self.moment(today - timedelta(days=max(days, 1)), hour)

    def add(self, when: datetime, step) -> None:
        self.events.append((when, len(self.events), step))

    def at(self, day: date, hour: int, step) -> None:
        self.add(self.moment(day, hour), step)

    def run(self) -> None:
        latest = self.real_now - timedelta(minutes=5)
        for when, _seq, step in sorted(self.events, key=lambda event: event[:2]):
            with mock.patch("django.utils.timezone.now", return_value=min(when, latest)):
                step()


def _weekday(day: date) -> date:
    """People record on working days: a Saturday becomes Friday, a Sunday Monday."""
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day


class Builder:
    def __init__(self, plan: Plan, tenant):
        self.plan = plan
        self.rng = random.Random(plan.seed)
        self.timeline = Timeline(tenant.time_zone)
        self.people = {
            m.employee_number: m for m in Membership.objects.filter(active=True).select_related("user", "unit")
        }
        self.units = {unit.code: unit for unit in Unit.objects.all()}
        self.office = self.people[plan.lean_office]
        self.managers = {m.unit.code: m for m in self.people.values() if Role.UNIT_MANAGER in m.roles}
        self.kinds: dict = {}
        self.made: dict = {}  # key → contribution
        self.listings: dict = {}
        self.studios: dict = {}

    # ------------------------------------------------------------ helpers

    def kind(self, code: str) -> ContributionType:
        if code not in self.kinds:
            self.kinds[code] = ContributionType.objects.get(code=code)
        return self.kinds[code]

    def verifier(self, member: Membership) -> Membership:
        """The manager of the person's top unit (the unit right below HQ); the lean office for HQ's people."""
        top = member.unit.code.split("-")[0]
        return self.managers.get(top, self.office)

    # ------------------------------------------------------------ rules

    def rules(self) -> None:
        for day, note, base, award, effective in self.plan.versions:

            def new_version(note=note, base=base, award=award, effective=effective):
                current = scoring.rule_version_for(effective).rules
                rules = {
                    **current,
                    "base": {**current["base"], **base},
                    "award": {**current["award"], **award},
                }
                scoring.rule_version_create(actor=self.office, rules=rules, effective_from=effective, note=note)

            self.timeline.at(day, 15, new_version)
        for day, unit_code, factors, note, effective in self.plan.tunings:

            def tune(unit_code=unit_code, factors=factors, note=note, effective=effective):
                scoring.tuning_create(
                    actor=self.managers[unit_code],
                    unit=self.units[unit_code],
                    factors=factors,
                    type_base={},
                    effective_from=effective,
                    note=note,
                )

            self.timeline.at(day, 10, tune)
        for day, by, unit_code, code, name, base, recorded_by, description in self.plan.types:

            def add_type(by=by, unit_code=unit_code, code=code, name=name, base=base, rb=recorded_by, d=description):
                scoring.type_create(
                    actor=self.people[by],
                    name=name,
                    base=D(base),
                    recorded_by=rb,
                    description=d,
                    unit=self.units[unit_code] if unit_code else None,
                    code=code,
                )

            self.timeline.at(day, 11, add_type)

    # ------------------------------------------------------------ contributions

    def pooled_items(self) -> list[Item]:
        """Spread each unit's pool over its people and the year, with levels drawn like real ones."""
        out = []
        # A type added during the year is used from the week after.
        added = {code: day + timedelta(days=7) for day, _by, _unit, code, *_rest in self.plan.types}
        for _code, (people, pool) in self.plan.units.items():
            people = list(people)
            self.rng.shuffle(people)
            count = len(pool)
            for index, (type_code, title) in enumerate(pool):
                first = added.get(type_code, START)
                span = (END - first).days
                day = _weekday(first + timedelta(days=int((index + self.rng.random()) * span / count)))
                who = people[index % len(people)]
                roll = self.rng.random()
                fate, reason = "verified", ""
                if day >= WAITING_FROM or roll < 0.04:
                    fate = "waiting"
                elif roll < 0.11:
                    fate, reason = "rejected", REJECTIONS[index % len(REJECTIONS)]
                partner = ""
                if type_code == "one_page" and len(people) > 1 and self.rng.random() < 0.15:
                    partner = people[(index + 1) % len(people)]
                out.append(Item(who, type_code, title, day, self._levels(type_code), fate, reason, partner))
        return out

    def _levels(self, type_code: str) -> Levels:
        r = self.rng.random
        if type_code == "one_page":
            return Levels(
                "key" if r() < 0.1 else "general",
                "unit" if r() < 0.35 else "team",
                "high" if (x := r()) < 0.1 else "medium" if x < 0.45 else "low",
                "unit" if r() < 0.08 else "none",
            )
        if type_code == "opl":
            return Levels("general", "unit" if r() < 0.2 else "team", "medium" if r() < 0.3 else "low", "none")
        return Levels()

    def items(self) -> None:
        for item in self.plan.items + self.pooled_items():
            member = self.people[item.who]

            def record(item=item, member=member):
                team = None
                if item.partner:
                    team = [(member, D(60)), (self.people[item.partner], D(40))]
                made = contributions.contribution_record(
                    actor=member,
                    kind=self.kind(item.type),
                    title=item.title,
                    occurred_on=item.day,
                    levels=item.levels,
                    team=team,
                    description=item.description,
                )
                self.made[item.key or id(item)] = made

            self.timeline.at(item.day, 9 + self.rng.randrange(8), record)
            if item.fate == "waiting":
                continue
            later = _weekday(item.day + timedelta(days=1 + self.rng.randrange(8)))
            verifier = self.verifier(member)

            def decide(item=item, verifier=verifier):
                made = self.made[item.key or id(item)]
                if made.status != Contribution.Status.SUBMITTED:
                    return  # recorded by someone who verifies (the lean office): verified at once
                if item.fate == "rejected":
                    contributions.contribution_reject(actor=verifier, contribution=made, reason=item.reason)
                else:
                    contributions.contribution_verify(actor=verifier, contribution=made)

            self.timeline.at(later, 17, decide)

    def teams(self) -> None:
        for spec in self.plan.teams:

            def record(spec=spec):
                members = [self.people[n] for n in spec.members]
                unit = members[0].unit
                made = contributions.contribution_record(
                    actor=self.verifier(members[0]),
                    kind=self.kind(spec.type),
                    title=spec.title,
                    occurred_on=spec.day,
                    levels=spec.levels,
                    team=[(m, D(s)) for m, s in zip(members, SHARES[len(members)], strict=True)],
                    unit=unit,
                    description=spec.description,
                )
                self.made[spec.key or id(spec)] = made

            self.timeline.at(spec.day, 16, record)

    def ideas(self) -> None:
        for idea in self.plan.ideas:
            member = self.people[idea.who]
            manager = self.verifier(member)
            holder: dict = {}

            def submit(idea=idea, member=member, holder=holder):
                holder["s"] = suggestions.suggestion_submit(
                    actor=member,
                    title=idea.title,
                    problem=idea.problem,
                    proposal=idea.proposal,
                    expected_benefit=idea.benefit,
                )

            self.timeline.at(idea.day, 9, submit)
            if idea.outcome == "submitted":
                continue
            adopted = idea.outcome in ("adopted", "implemented")
            evaluation = (
                f"经专业评估，建议针对性强、技术上可行。{idea.benefit}"
                if adopted
                else "已组织专业人员评估，提交单位审定。"
            )

            def evaluate(manager=manager, holder=holder, evaluation=evaluation):
                holder["s"] = suggestions.suggestion_evaluate(
                    actor=manager, suggestion=holder["s"], evaluation=evaluation
                )

            self.timeline.at(_weekday(idea.day + timedelta(days=4)), 10, evaluate)
            if idea.outcome == "evaluated":
                continue
            decided_on = _weekday(idea.day + timedelta(days=8))

            def decide(idea=idea, manager=manager, holder=holder, adopted=adopted):
                holder["s"] = suggestions.suggestion_decide(
                    actor=manager,
                    suggestion=holder["s"],
                    adopt=adopted,
                    reason=idea.reason or ("同意采纳，由班组组织实施。" if adopted else ""),
                    levels=idea.levels,
                )

            self.timeline.at(decided_on, 15, decide)
            if idea.outcome != "implemented":
                continue

            def implement(idea=idea, manager=manager, holder=holder):
                suggestions.suggestion_implement(
                    actor=manager, suggestion=holder["s"], note=f"已实施：{idea.proposal.rstrip('。')}，运行正常。"
                )

            self.timeline.at(_weekday(decided_on + timedelta(days=21 + self.rng.randrange(20))), 16, implement)

    # ------------------------------------------------------------ listings

    def listings_(self) -> None:
        for spec in self.plan.listings:
            opened = self.timeline.moment(spec.opened, 10) if spec.opened else self.timeline.days_ago(spec.days_ago, 10)

            def open_listing(spec=spec):
                self.listings[spec.title] = listings.listing_open(
                    actor=self.office,
                    period_start=spec.start,
                    period_end=spec.end,
                    title=spec.title,
                    now=timezone.now(),
                )

            self.timeline.add(opened, open_listing)
            for objection in spec.objections:
                raised = (
                    self.timeline.moment(objection.raised, 14)
                    if objection.raised
                    else self.timeline.days_ago(objection.days_ago, 14)
                )
                holder: dict = {}

                def raise_(objection=objection, holder=holder):
                    holder["o"] = listings.objection_raise(
                        actor=self.people[objection.who], contribution=self.made[objection.key], text=objection.text
                    )

                self.timeline.add(raised, raise_)
                if objection.uphold is None:
                    continue

                def resolve(objection=objection, holder=holder):
                    listings.objection_resolve(
                        actor=self.office,
                        objection=holder["o"],
                        uphold=objection.uphold,
                        resolution=objection.resolution,
                    )

                self.timeline.at(objection.resolved, 11, resolve)
            if spec.finalized:

                def finalize(spec=spec):
                    listings.listing_finalize(actor=self.office, listing=self.listings[spec.title])

                self.timeline.at(spec.finalized, 10, finalize)

    # ------------------------------------------------------------ incentives

    def incentives_(self) -> None:
        for spec in self.plan.studios:

            def found(spec=spec):
                leader = self.people[spec.leader]
                self.studios[spec.key] = incentives.studio_create(
                    actor=self.people[spec.by],
                    name=spec.name or f"{leader.user.full_name}创新工作室",
                    unit=self.units[spec.unit],
                    leader=leader,
                    established_on=spec.day,
                    description=spec.description,
                )

            self.timeline.at(spec.day, 10, found)
        for award in self.plan.awards:

            def give(award=award):
                incentives.incentive_create(
                    actor=self.people[award.by],
                    member=self.people[award.who],
                    kind=award.kind,
                    name=award.name,
                    reason=award.reason,
                    awarded_on=award.day,
                    bonus_points=D(award.points) if award.points else None,
                    studio=self.studios.get(award.studio),
                )

            self.timeline.at(award.day, 11, give)

    # ------------------------------------------------------------ closed projects

    def projects(self) -> None:
        """The closed projects' contributions, each once (the projects demo may have made them already, when it
        ran with innovation installed: then these calls find them)."""
        done = Project.objects.filter(state__in=[ProjectState.CLOSED, ProjectState.FILED]).order_by("id")
        for project in done:
            contributions.contribution_from_project(project=project)

    def rescore(self) -> None:
        """The projects' points were scored when they closed, by the rules then in the system; the lean office
        re-scores those whose date now falls under a later version, on purpose and audited."""
        if not self.plan.rescore_reason:
            return
        rows = Contribution.objects.filter(project__isnull=False, final=False).select_related("rule_version")
        for row in rows.order_by("occurred_on", "id"):
            if scoring.rule_version_for(row.occurred_on).pk != row.rule_version_id:
                contributions.contribution_rescore(actor=self.office, contribution=row, reason=self.plan.rescore_reason)


def seed_plan(plan: Plan, tenant) -> None:
    """Run inside the tenant's scope, on a tenant with its people and no contribution but its projects'."""
    builder = Builder(plan, tenant)
    builder.projects()
    builder.rules()
    builder.items()
    builder.teams()
    builder.ideas()
    builder.listings_()
    builder.incentives_()
    builder.timeline.run()
    builder.rescore()
