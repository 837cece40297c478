"""Lean projects at scale: each year's published guide with its directions, and projects in every state, each
with the timeline that brought it there (transitions), its units, team, indicators and shortfalls, a progress
note, its midterm and closing reviews (panel, scores, decision), the finance sign-off and, once closed, the
verified benefits. All bulk inserted (insert_objects), with the timestamps of its story (stories.py): drawn from
the seeded `random.Random` and cut at AS_OF, so a project filed late in the last year is as far as its timeline
got by then.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from config.demo.scale.base import AS_OF, Sizes, at, insert_objects, next_ids
from config.demo.scale.org import EMPLOYEE_TEAM, Org
from config.demo.scale.stories import BASIS, MIX, NOTE, REASONS, TOPICS, Award, Plan, story
from projects import similarity
from projects.demo.build import COMMENTS, CONDITIONS, LEVELS, SHARES
from projects.models import (
    BenefitSignoff,
    Complexity,
    Direction,
    Guide,
    ProgressNote,
    Project,
    ProjectIndicator,
    ProjectShortfall,
    ProjectUnit,
    Review,
    ReviewAssignment,
    Score,
    State,
    TeamMember,
    Tier,
    Transition,
)
from projects.services import criteria_defaults, suggested_result, weighted
from targets.models import Indicator, Shortfall

PASS, CONDITIONAL, FAIL = Review.Result.PASS, Review.Result.CONDITIONAL, Review.Result.FAIL
MIDTERM, CLOSING = Review.Kind.MIDTERM, Review.Kind.CLOSING


class Builder:
    def __init__(self, tenant, org: Org, sizes: Sizes, rng: random.Random):
        self.tenant, self.org, self.sizes, self.rng = tenant, org, sizes, rng
        self.weights = {c.pk: c.weight for c in criteria_defaults()}
        self.staff = {unit.pk: org.staff(unit) for unit in org.units}
        self.team_unit = org.unit(EMPLOYEE_TEAM)
        rows = Indicator.objects.order_by("pk").values_list("pk", "node__tree__year", "direction")
        self.lower = {pk for pk, _year, direction in rows if direction == "lower"}  # "lower is better"
        self.indicators: dict[int, list[int]] = {}
        for pk, year, _direction in rows:
            self.indicators.setdefault(year, []).append(pk)
        # The target shortfalls per (year, unit), oldest first, with their indicators.
        self.shortfalls: dict[tuple[int, int], list[tuple[int, int]]] = {}
        rows = Shortfall.objects.filter(source=Shortfall.Source.TARGET).order_by("period_start", "pk")
        for pk, unit_id, indicator_id, start in rows.values_list("pk", "unit_id", "indicator_id", "period_start"):
            self.shortfalls.setdefault((start.year, unit_id), []).append((pk, indicator_id))

    def build(self) -> tuple[dict, list[Award]]:
        directions = self._guides()
        years = self.sizes.years
        per_year = [years[i % len(years)] for i in range(self.sizes.projects)]
        # Numbered as project_create numbers them, and wide enough that the next number it gives sorts last.
        widths = {year: max(3, len(str(per_year.count(year)))) for year in years}
        numbers = dict.fromkeys(years, 0)
        plans = []
        for i, year in enumerate(per_year):
            numbers[year] += 1
            code = f"P{year}-{numbers[year]:0{widths[year]}d}"
            plans.append(self._plan(i, year, code, directions.get(year, [])))
        self._merge(plans)
        for plan, pk in zip(plans, next_ids(Project, len(plans)), strict=True):
            plan.project.pk = pk
        for plan in plans:  # the moments the model stamps itself are the story's
            project, last = plan.project, plan.steps[-1].day if plan.steps else plan.filed_on
            project.created_at, project.updated_at = at(plan.filed_on, 9), at(last, 16)
            project.merged_into_id = plan.merged_into.project.pk if plan.merged_into else None
        insert_objects(Project, [plan.project for plan in plans], ids=True)
        counts = {"projects": len(plans), **self._parts(plans), **self._reviews_insert(plans)}
        return counts, self._awards(plans)

    # ------------------------------------------------------------ plans

    def _guides(self) -> dict[int, list[Direction]]:
        """Each year's guide, published the December before, with its directions (one per topic, up to 10)."""
        guides = Guide.objects.bulk_create(
            [
                Guide(
                    tenant=self.tenant,
                    year=year,
                    title=f"{year}年精益改善指引",
                    introduction=f"围绕{year}年目标树的重点指标和上年短板，明确本年度精益课题的选题方向。",
                    published_at=at(date(year - 1, 12, 20), 15),
                    published_by=self.org.office,
                )
                for year in self.sizes.years
            ]
        )
        count = min(10, max(2, self.sizes.projects // 100))
        directions = Direction.objects.bulk_create(
            [
                Direction(
                    tenant=self.tenant,
                    guide=guide,
                    code=f"D{k + 1:02d}",
                    title=TOPICS[k],
                    description=f"{TOPICS[k]}：对标先进值，系统分析差距成因，形成可推广的做法。",
                    position=k,
                )
                for guide in guides
                for k in range(count)
            ]
        )
        by_year: dict[int, list[Direction]] = {}
        for direction in directions:
            by_year.setdefault(direction.guide.year, []).append(direction)
        return by_year

    def _team(self, i: int, unit) -> list[tuple[int, Decimal]]:
        staff = self.staff[unit.pk]
        chosen = self.rng.sample(staff, min(self.rng.randint(2, 5), len(staff)))
        employee = self.org.employee
        if employee is not None and unit.code == EMPLOYEE_TEAM and employee.pk not in chosen:
            chosen[i % len(chosen)] = employee.pk  # SC-EM works on every project of their team
        return [(pk, Decimal(share)) for pk, share in zip(chosen, SHARES.get(len(chosen), (100,)), strict=True)]

    def _plan(self, i: int, year: int, code: str, directions: list[Direction]) -> Plan:
        rng, org = self.rng, self.org
        unit = self.team_unit if self.team_unit is not None and i % 150 == 0 else rng.choice(org.units)
        tier = Tier.HQ if i % 5 == 0 else Tier.UNIT
        filed_on = date(year, 1, 5) + timedelta(days=rng.randrange(150))
        # Stride 5 through the mix (prime to its length): even a handful of projects are in different states.
        planned = story(MIX[i * 5 % len(MIX)], tier, rng, filed_on)
        steps = [step for step in planned if step.day <= AS_OF]
        topic = rng.choice(TOPICS)
        team = self._team(i, unit)
        found = self.shortfalls.get((year, unit.pk), [])
        shortfalls = rng.sample(found, min(3, len(found)))
        indicators = list(dict.fromkeys(ind for _pk, ind in shortfalls))[:2] or [rng.choice(self.indicators[year])]
        benefit = Decimal(rng.randint(5, 200) * 10000)
        planned_start = filed_on + timedelta(days=30)
        title = f"{topic}（{unit.name}）"
        problem = f"{unit.name}{topic[2:]}与目标值存在差距，近一年多次未达标，需要系统分析原因并制定对策。"
        acknowledged = next((s for s in steps if s.action == "acknowledge_filing"), None)
        project = Project(
            tenant=self.tenant,
            code=code,
            title=title,
            tier=tier,
            unit=unit,
            direction=rng.choice(directions) if directions and rng.random() < 0.7 else None,
            year=year,
            state=steps[-1].target if steps else State.DRAFT,
            problem=problem,
            management_base="已建立指标日统计、周分析机制，基础数据完整。",
            capability="课题组成员具备运行、检修和统计分析经验，曾完成同类课题。",
            expected_effect=f"{topic[2:]}达到年度目标值，预计年创效{benefit / 10000:.0f}万元。",
            planned_start=planned_start,
            planned_end=planned_start + timedelta(days=270),
            pdca_plan=f"现状：{problem}\n目标：{topic}。\n对策：现场调查、要因验证、对策实施、效果跟踪。",
            estimated_benefit=benefit,
            estimated_hours=Decimal(rng.randint(0, 40) * 10),
            estimated_quality=f"{topic[2:]}稳定受控",
            tokens=similarity.tokens(title, problem),
            created_by_id=team[0][0],
            state_changed_at=at(steps[-1].day, 16) if steps else None,
            midterm_passed=any(step.action == "midterm_pass" for step in steps),
            filing_acknowledged_at=at(acknowledged.day, 11) if acknowledged else None,
            filing_acknowledged_by=org.office if acknowledged else None,
        )
        plan = Plan(project, filed_on, steps, team, [pk for pk, _ind in shortfalls], indicators)
        if project.state in (State.CLOSING, State.CLOSED, State.FILED):
            self._finish(project)
        self._reviews(plan)
        return plan

    def _finish(self, project: Project) -> None:
        """What a project carries from its closing review on: the verified benefits, the check and act phases
        and the case summary."""
        factor = Decimal(str(round(self.rng.uniform(0.9, 1.15), 2)))
        project.verified_benefit = (project.estimated_benefit * factor / 1000).quantize(Decimal(1)) * 1000
        project.verified_hours = (project.estimated_hours * factor).quantize(Decimal("0.1"))
        project.verified_quality = project.estimated_quality
        benefit = f"{project.verified_benefit / 10000:.1f}万元"
        project.pdca_do = "现场调查、要因验证、对策实施全部完成。"
        project.pdca_check = f"经财务核定年创效{benefit}，指标达到目标值。"
        project.pdca_act = "将有效做法固化为标准作业文件，纳入年度培训，在同类单位推广。"
        project.case_summary = f"课题组通过现场调查和要因验证完成“{project.title}”，年创效{benefit}。"

    def _merge(self, plans: list[Plan]) -> None:
        """A merged proposal joins an earlier project of its year that is submitted, approved or running, which
        takes its unit and shortfalls; with none, the proposal was rejected instead."""
        live = (State.SUBMITTED, State.APPROVED, State.IN_PROGRESS)
        for index, plan in enumerate(plans):
            if plan.project.state != State.MERGED:
                continue
            same_year = (p for p in plans[:index] if p.project.year == plan.project.year)
            into = next((p for p in same_year if p.project.state in live), None)
            if into is None:
                plan.project.state = plan.steps[-1].target = State.REJECTED
                plan.steps[-1].action, plan.steps[-1].reason = "reject", REASONS["reject"]
                continue
            plan.merged_into = into
            into.participants.append(plan.project.unit_id)
            into.shortfalls += [pk for pk in plan.shortfalls if pk not in into.shortfalls]
            plan.shortfalls = []

    # ------------------------------------------------------------ reviews

    def _panel(self, plan: Plan) -> list[int]:
        """Reviewers from outside the project's unit and team (any but its team, where there are too few)."""
        on_team = {pk for pk, _share in plan.team}
        path = plan.project.unit.path
        pool = [pk for pk, p in self.org.reviewers if not p.startswith(path) and pk not in on_team]
        pool = pool or [pk for pk, _p in self.org.reviewers if pk not in on_team]
        if not pool:
            return []
        start = self.rng.randrange(len(pool))
        return [pool[(start + k) % len(pool)] for k in range(min(3 if plan.project.tier == Tier.HQ else 2, len(pool)))]

    def _reviews(self, plan: Plan) -> None:
        """A review for each request of one, decided by the chair's step that follows (pass, with conditions, or
        fail), or still open: no panel yet, partly scored, or scored and waiting for the chair."""
        rounds = {MIDTERM: 0, CLOSING: 0}
        for index, step in enumerate(plan.steps):
            if not step.action.startswith("request_"):
                continue
            kind = MIDTERM if step.action == "request_midterm" else CLOSING
            rounds[kind] += 1
            decision = plan.steps[index + 1] if index + 1 < len(plan.steps) else None
            result = None
            if decision is not None:
                result = FAIL if decision.action.endswith("_fail") else self.rng.choice([PASS] * 4 + [CONDITIONAL])
            stage = "all" if result else self.rng.choice(["none", "some", "all"])
            panel = [] if stage == "none" else self._panel(plan)
            excellent = kind == CLOSING and result in (PASS, CONDITIONAL) and self.rng.random() < 0.1
            level = 93 if excellent else LEVELS[result or PASS]
            sheets = []
            for k, reviewer in enumerate(panel[:1] if stage == "some" else panel):
                offset = self.rng.uniform(-2, 2)
                values = {
                    pk: Decimal(max(0, min(100, round(level + offset + self.rng.uniform(-4, 4)))))
                    for pk in self.weights
                }
                moment = at(min(step.day + timedelta(days=8 + k), AS_OF), 14 + k)
                sheets.append((reviewer, values, COMMENTS[result or PASS][k % 3], moment))
            totals = [weighted(values, self.weights) for _r, values, _c, _m in sheets]
            score = (sum(totals) / len(totals)).quantize(Decimal("0.01")) if totals else None
            chair = panel[0] if panel else None
            review = Review(
                tenant=self.tenant,
                kind=kind,
                round=rounds[kind],
                chair_id=chair,
                scheduled_for=step.day + timedelta(days=12) if panel else None,
                score=score,
                suggested=suggested_result(score),
            )
            if result:
                decision.reason = decision.reason or CONDITIONS.get((kind, result), "")
                review.result, review.excellent, review.conditions = result, excellent, decision.reason
                review.decided_by_id, review.decided_at = chair or self.org.office.pk, at(decision.day, 16)
                if kind == CLOSING and result != FAIL:
                    review.complexity = Complexity.HIGH if excellent else self.rng.choice(Complexity.values)
                    plan.project.excellent = excellent
            plan.reviews.append({"review": review, "asked": step.day, "panel": panel, "sheets": sheets})

    # ------------------------------------------------------------ insert

    def _parts(self, plans: list[Plan]) -> dict:
        """Units, team, indicators, shortfall links, transitions and progress notes of every project."""
        tenant, org = self.tenant, self.org
        units, team, indicators, links, transitions, notes = [], [], [], [], [], []
        for plan in plans:
            project, leader = plan.project, plan.team[0][0]
            for pk in dict.fromkeys([project.unit_id, *plan.participants]):
                units.append(ProjectUnit(tenant=tenant, project=project, unit_id=pk))
            for k, (pk, share) in enumerate(plan.team):
                role = TeamMember.Role.LEADER if k == 0 else TeamMember.Role.MEMBER
                team.append(TeamMember(tenant=tenant, project=project, member_id=pk, role=role, share=share))
            for pk in plan.indicators:  # the goal and what was achieved, better than the baseline
                better = -1 if pk in self.lower else 1
                baseline = Decimal(self.rng.randint(850, 950)) / 10
                goal = baseline + better * Decimal(self.rng.randint(20, 60)) / 10
                reached = goal + better * Decimal(self.rng.randint(-10, 20)) / 10
                achieved = reached if project.verified_benefit else None
                indicators.append(
                    ProjectIndicator(
                        tenant=tenant, project=project, indicator_id=pk, baseline=baseline, goal=goal, achieved=achieved
                    )
                )
            links += [ProjectShortfall(tenant=tenant, project=project, shortfall_id=pk) for pk in plan.shortfalls]
            manager = org.managers[project.unit_id].pk
            actors = {
                "manager": manager,
                "approver": org.office.pk if project.tier == Tier.HQ else manager,
                "office": org.office.pk,
                "leader": leader,
            }
            reviews = iter(plan.reviews)
            chair = None
            for step in plan.steps:
                if step.action.startswith("request_"):
                    chair = next(reviews)["review"].decided_by_id
                transition = Transition(
                    tenant=tenant,
                    project=project,
                    action=step.action,
                    from_state=step.source,
                    to_state=step.target,
                    actor_id=actors.get(step.who, chair),
                    reason=step.reason,
                    created_at=at(step.day, 10 + len(transitions) % 7, len(transitions) % 60),
                )
                transitions.append(transition)
                if step.action == "start" and step.day + timedelta(days=25) <= AS_OF:
                    moment = at(step.day + timedelta(days=25), 17)
                    notes.append(
                        ProgressNote(tenant=tenant, project=project, author_id=leader, text=NOTE, created_at=moment)
                    )
        for model, rows in (
            (ProjectUnit, units),
            (TeamMember, team),
            (ProjectIndicator, indicators),
            (ProjectShortfall, links),
            (Transition, transitions),
            (ProgressNote, notes),
        ):
            insert_objects(model, rows)
        return {
            "transitions": len(transitions),
            "team members": len(team),
            "project indicators": len(indicators),
            "shortfall links": len(links),
            "progress notes": len(notes),
        }

    def _reviews_insert(self, plans: list[Plan]) -> dict:
        """The reviews with their panels and score sheets, and finance's sign-offs of the verified benefits
        (before a closing decision, and for half the closing reviews still open)."""
        tenant = self.tenant
        entries = [(plan, entry) for plan in plans for entry in plan.reviews]
        for plan, entry in entries:
            entry["review"].project = plan.project
        for _plan, entry in entries:
            entry["review"].created_at = at(entry["asked"], 17, 30)  # opened by the day's request
        insert_objects(Review, [entry["review"] for _plan, entry in entries], ids=True)
        assignments, sheets, signoffs = [], [], []
        for plan, entry in entries:
            review, submitted = entry["review"], {sheet[0]: sheet[1:] for sheet in entry["sheets"]}
            for reviewer in entry["panel"]:
                values, comment, moment = submitted.get(reviewer, (None, "", None))
                assignment = ReviewAssignment(
                    tenant=tenant, review=review, reviewer_id=reviewer, comment=comment, submitted_at=moment
                )
                assignments.append(assignment)
                if values:
                    sheets.append((assignment, values))
            closes = review.kind == CLOSING and review.result in (PASS, CONDITIONAL)
            waiting = review.kind == CLOSING and not review.result and self.rng.random() < 0.5
            if (closes or waiting) and plan.project.verified_benefit is not None:
                signoffs.append(
                    BenefitSignoff(
                        tenant=tenant,
                        project=plan.project,
                        status=BenefitSignoff.Status.SIGNED,
                        amount=plan.project.verified_benefit,
                        basis=BASIS,
                        signed_by=self.org.finance,
                        signed_at=at(min(entry["asked"] + timedelta(days=10), AS_OF), 10),
                    )
                )
        insert_objects(ReviewAssignment, assignments, ids=True)
        scores = [
            Score(tenant=tenant, assignment=assignment, criterion_id=pk, value=value)
            for assignment, values in sheets
            for pk, value in values.items()
        ]
        insert_objects(Score, scores)
        insert_objects(BenefitSignoff, signoffs)
        return {
            "reviews": len(entries),
            "review assignments": len(assignments),
            "scores": len(scores),
            "sign-offs": len(signoffs),
        }

    def _awards(self, plans: list[Plan]) -> list[Award]:
        awards = []
        for plan in plans:
            for entry in plan.reviews:
                review = entry["review"]
                if review.complexity:  # a closing review that closed the project
                    project = plan.project
                    awards.append(
                        Award(
                            project.pk,
                            project.title,
                            project.unit_id,
                            review.decided_at.date(),
                            review.complexity,
                            project.verified_benefit,
                            plan.team,
                        )
                    )
        return awards


def build_projects(tenant, org: Org, sizes: Sizes, rng: random.Random) -> tuple[dict, list[Award]]:
    """Every project with all it carries; the counts, and the closed projects' awards for innovation."""
    return Builder(tenant, org, sizes, rng).build()
