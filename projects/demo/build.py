"""Builds one tenant's demo projects from a Plan, through the services, the way the people would have done it:
the lean office writes and publishes the year's guide (some directions drafted from shortfalls), the unit
managers file proposals with their teams, indicators and shortfalls, the approvers decide, the teams work and
write progress notes, the organisers name review panels, the reviewers score, the chairs decide, closed unit-tier
projects are filed to HQ. Every state change goes through project_transition, so the timelines and the
notifications are the real ones.

The demo's clock: each step runs at its own moment of the year (a proposal in January, its midterm review in
June …) by standing in for django.utils.timezone.now while the step runs, so every timestamp the services write
(transitions, reviews, notes, notifications, history) tells a believable year. Scores come from a seeded
`random.Random`, so every run gives the same demo.
"""

import random
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lean.access import is_within
from lean.exports import table_csv
from lean.models import Membership, Role, Unit
from projects import finance, guides, services
from projects.models import Complexity, Project, Review, State, TeamMember, Tier
from targets.models import Direction as IndicatorDirection
from targets.models import Indicator, Reading, Shortfall, TargetNode

HQ, UNIT = Tier.HQ, Tier.UNIT
PASS, CONDITIONAL, FAIL = Review.Result.PASS, Review.Result.CONDITIONAL, Review.Result.FAIL

# Days after a proposal is filed: submitted, decided, work started, midterm asked, closing asked.
SUBMIT, DECIDE, START, MIDTERM, CLOSING = 6, 15, 20, 140, 235
# Days after a review is asked for: panel named, first score, decision; filing after the closing decision.
PANEL, SCORES, DECISION, FILE = 3, 8, 12, 8
SHARES = {2: (60, 40), 3: (50, 30, 20), 4: (40, 25, 20, 15), 5: (35, 25, 15, 15, 10)}
# The panel's average level for each result, far enough from the thresholds (80, 60) that the scores agree.
LEVELS = {PASS: 87, CONDITIONAL: 70, FAIL: 50}
COMMENTS = {
    PASS: ["思路清晰，数据翔实，对策落地有力。", "现状分析透彻，效果验证充分。", "对策针对要因，标准化扎实。"],
    CONDITIONAL: ["要因验证不够充分，需补充数据。", "效果尚不稳定，建议延长验证期。", "部分对策进度滞后。"],
    FAIL: ["现状数据不足，目标值依据不充分。", "对策与要因对应关系不清。", "未见阶段性效果，计划需调整。"],
}
CONDITIONS = {
    (Review.Kind.MIDTERM, CONDITIONAL): "补充要因验证数据，结题前完成全部对策的效果确认。",
    (Review.Kind.MIDTERM, FAIL): "现状调查数据不完整、要因未经验证，请补充后重新申请中期答辩。",
    (Review.Kind.CLOSING, CONDITIONAL): "结题后连续三个月跟踪指标，巩固效果后方可推广。",
    (Review.Kind.CLOSING, FAIL): "效果未达目标，请继续实施后重新申请结题评审。",
}


@dataclass(frozen=True)
class DirectionSpec:
    """A direction of the guide; `shortfall` (unit code, indicator code): drafted from that pair's newest
    shortfall with one action, then edited."""

    code: str
    title: str
    description: str
    requirements: str
    sources: tuple[str, ...]
    shortfall: tuple[str, str] | None = None


@dataclass(frozen=True)
class GuideSpec:
    title: str
    introduction: str
    created: date
    published: date
    directions: list[DirectionSpec]


@dataclass(frozen=True)
class Spec:
    """One project and how far its year went. `indicators`: (code, relative improvement the goal aims at)."""

    key: str
    unit: str
    tier: str
    title: str
    problem: str
    created: str  # MM-DD of the plan's year
    state: str
    indicators: tuple[tuple[str, float], ...]
    measures: tuple[str, ...]
    direction: str = ""
    team: int = 3
    benefit: int = 0  # estimated, 万元 a year
    hours: int = 0
    quality: str = ""
    midterm: str = PASS  # the decision of the (last) midterm review; "" for a project not that far yet
    excellent: bool = False
    into: str = ""  # merged into the project with this key
    reason: str = ""  # why it was returned or rejected
    panel: str = "all"  # a review still open: "none" asked for, "some" partly scored, "all" waiting for the chair


@dataclass(frozen=True)
class Plan:
    year: int
    lean_office: str  # employee number of the lean office member who writes the guide and approves HQ projects
    assessments: dict  # unit code → (management base, capability)
    projects: list[Spec]
    guide: GuideSpec | None = None
    seed: int = 2026


class Clock:
    """Runs a step at a given moment of the demo year (never later than the real now)."""

    def __init__(self, zone: str):
        self.zone = ZoneInfo(zone)
        self.real_now = timezone.now()

    @contextmanager
    def at(self, day: date, hour: int = 10):
        moment = min(datetime.combine(day, time(hour, 0), self.zone), self.real_now - timedelta(minutes=5))
        with mock.patch("django.utils.timezone.now", return_value=moment):
            yield


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _round(value) -> Decimal:
    """Two decimals, four for small values (an emission performance of 0.095 g/kWh)."""
    value = Decimal(str(value))
    return value.quantize(Decimal("0.01") if abs(value) >= 10 else Decimal("0.0001"))


class Builder:
    def __init__(self, plan: Plan, tenant):
        self.plan, self.year = plan, plan.year
        self.rng = random.Random(plan.seed)
        self.clock = Clock(tenant.time_zone)
        self.units = {unit.code: unit for unit in Unit.objects.all()}
        people = list(Membership.objects.filter(active=True).select_related("user", "unit").order_by("employee_number"))
        self.office = next(m for m in people if m.employee_number == plan.lean_office)
        self.managers = {m.unit.code: m for m in people if Role.UNIT_MANAGER in m.roles}
        self.reviewers = [m for m in people if Role.REVIEWER in m.roles]
        self.finance = next((m for m in people if Role.FINANCE in m.roles), None)
        self.returned_once = False
        self.people = people
        with self.clock.at(date(self.year - 1, 12, 15)):
            self.criteria = services.criteria_defaults()
        indicators = Indicator.objects.filter(node__tree__year=self.year).select_related("node", "tenant")
        self.indicators = {indicator.node.code: indicator for indicator in indicators}
        self.readings: dict[tuple[int, int], list[tuple[date, Decimal]]] = {}
        readings = Reading.objects.filter(indicator__node__tree__year=self.year).order_by("period_start")
        for indicator_id, unit_id, start, value in readings.values_list(
            "indicator_id", "unit_id", "period_start", "value"
        ):
            self.readings.setdefault((indicator_id, unit_id), []).append((start, value))
        self.shortfalls: dict[tuple[int, int], list[Shortfall]] = {}
        open_shortfalls = Shortfall.objects.filter(
            indicator__node__tree__year=self.year, resolved=False, source=Shortfall.Source.TARGET
        ).select_related("indicator__node", "unit", "tenant")
        for shortfall in open_shortfalls.order_by("-period_start"):
            self.shortfalls.setdefault((shortfall.indicator_id, shortfall.unit_id), []).append(shortfall)
        self.directions = {}
        self.projects: dict[str, Project] = {}
        self.filings = 0  # filed projects so far: the lean office answers each in turn (_filing_answer)

    # ------------------------------------------------------------ the guide

    def guide(self) -> None:
        spec = self.plan.guide
        if spec is None:
            return
        with self.clock.at(spec.created, 9):
            guide = guides.guide_create(
                actor=self.office, year=self.year, title=spec.title, introduction=spec.introduction
            )
        nodes = {node.code: node for node in TargetNode.objects.filter(tree__year=self.year).select_related("tree")}
        for index, direction in enumerate(spec.directions):
            with self.clock.at(spec.created + timedelta(days=1 + index // 3), 10 + index % 3 * 2):
                drafted = None
                if direction.shortfall:
                    unit, code = direction.shortfall
                    found = self.shortfalls.get((self.indicators[code].pk, self.units[unit].pk))
                    if found:
                        drafted = guides.direction_from_shortfall(actor=self.office, guide=guide, shortfall=found[0])
                self.directions[direction.code] = guides.direction_save(
                    actor=self.office,
                    guide=guide,
                    direction=drafted,
                    code=direction.code,
                    title=direction.title,
                    description=direction.description,
                    requirements=direction.requirements,
                    sources=[nodes[code] for code in direction.sources],
                )
        with self.clock.at(spec.published, 15):
            guides.guide_publish(actor=self.office, guide=guide)

    # ------------------------------------------------------------ projects

    def build_all(self) -> None:
        order = sorted(enumerate(self.plan.projects), key=lambda pair: (pair[1].created, pair[0]))
        for index, spec in order:
            self.projects[spec.key] = self.build(index, spec)

    def _team(self, index: int, spec: Spec) -> list[services.TeamRow]:
        unit = self.units[spec.unit]
        staff = [
            m
            for m in self.people
            if is_within(m.unit, unit) and Role.UNIT_MANAGER not in m.roles and Role.EMPLOYEE in m.roles
        ]
        start = index * 3 % len(staff)
        chosen = [staff[(start + k) % len(staff)] for k in range(min(spec.team, len(staff)))]
        shares = SHARES[len(chosen)]
        return [
            services.TeamRow(member, TeamMember.Role.LEADER if k == 0 else TeamMember.Role.MEMBER, Decimal(share))
            for k, (member, share) in enumerate(zip(chosen, shares, strict=True))
        ]

    def _baseline(self, indicator: Indicator, unit: Unit, filed_on: date) -> Decimal:
        """Where the unit stands when it files: its last three months before, or the first three of the year."""
        series = self.readings.get((indicator.pk, unit.pk), [])
        values = [value for start, value in series if start < filed_on][-3:] or [value for _, value in series[:3]]
        return sum(values) / len(values) if values else indicator.baseline

    def _goals(self, spec: Spec, filed_on: date) -> list[services.IndicatorRow]:
        unit = self.units[spec.unit]
        rows = []
        for code, change in spec.indicators:
            indicator = self.indicators[code]
            baseline = _round(self._baseline(indicator, unit, filed_on))
            better = -1 if indicator.direction == IndicatorDirection.LOWER else 1
            goal = _round(baseline * (1 + better * Decimal(str(change))))
            if indicator.measure_unit == "%":
                goal = min(goal, Decimal(100))
            rows.append(services.IndicatorRow(indicator, baseline, goal))
        return rows

    def _shortfalls(self, spec: Spec, filed_on: date) -> list[Shortfall]:
        """The shortfalls of the project's indicators and unit known when it was filed (their periods ended
        before), else the pair's first one. The later months are covered through the project's span
        (projects/selectors/coverage.py), not by links made in advance."""
        unit = self.units[spec.unit]
        found = []
        for code, _change in spec.indicators:
            pair = self.shortfalls.get((self.indicators[code].pk, unit.pk), [])  # newest first
            found += [s for s in pair if s.period_end <= filed_on] or pair[-1:]
        return found

    @staticmethod
    def _moves(row: services.IndicatorRow, value: Decimal) -> str:
        indicator = row.indicator
        verb = "降至" if value < row.baseline else "提升至"
        unit = indicator.measure_unit
        return f"{indicator.node.name}由{_plain(row.baseline)}{unit}{verb}{_plain(value)}{unit}"

    def _panel(self, index: int, project: Project, team: list[services.TeamRow]) -> list[Membership]:
        on_team = {row.member.pk for row in team}
        pool = [r for r in self.reviewers if r.pk not in on_team and not is_within(r.unit, project.unit)]
        size = min(3 if project.tier == HQ else 2, len(pool))
        return [pool[(index + k) % len(pool)] for k in range(size)]

    def _scores(self, level: int) -> dict:
        offset = self.rng.uniform(-2, 2)
        return {c.pk: Decimal(max(0, min(100, round(level + offset + self.rng.uniform(-4, 4))))) for c in self.criteria}

    def _review(self, index, spec, project, team, kind, asked: date, result: str, final: bool) -> None:
        """Ask for a review, name the panel, score and decide. `final`: the project stops in this review, as far
        as spec.panel says."""
        leader = team[0].member
        action = "request_midterm" if kind == Review.Kind.MIDTERM else "request_closing"
        with self.clock.at(asked, 9):
            project = services.project_transition(actor=leader, project=project, action=action)
        review = Review.objects.filter(project=project, kind=kind).order_by("-round").first()
        if final and spec.panel == "none":
            return
        organiser = self.office if project.tier == HQ else self.managers[spec.unit]
        panel = self._panel(index, project, team)
        with self.clock.at(asked + timedelta(days=PANEL), 11):
            services.review_setup(
                actor=organiser,
                review=review,
                reviewers=panel,
                chair=panel[0],
                scheduled_for=asked + timedelta(days=DECISION),
            )
        level = 93 if spec.excellent and kind == Review.Kind.CLOSING else LEVELS[result]
        scorers = panel[:1] if final and spec.panel == "some" else panel
        for k, reviewer in enumerate(scorers):
            with self.clock.at(asked + timedelta(days=SCORES + k), 14 + k):
                comment = COMMENTS[result][(index + k) % len(COMMENTS[result])]
                services.review_submit_scores(
                    actor=reviewer, review=review, scores=self._scores(level), comment=comment
                )
        if final:
            return
        closes = kind == Review.Kind.CLOSING and result != FAIL
        if closes:
            self._sign_off(project, asked + timedelta(days=DECISION - 2))
        with self.clock.at(asked + timedelta(days=DECISION), 16):
            services.review_decide(
                actor=panel[0],
                review=review,
                result=result,
                conditions=CONDITIONS.get((kind, result), ""),
                excellent=spec.excellent and kind == Review.Kind.CLOSING,
                complexity=self._complexity(index, spec) if closes else "",
            )

    @staticmethod
    def _complexity(index: int, spec: Spec) -> str:
        """The closing panel's judgement: excellent and HQ-tier work is complex, the rest varies."""
        if spec.excellent:
            return Complexity.HIGH
        return [Complexity.MEDIUM, Complexity.LOW, Complexity.MEDIUM, Complexity.HIGH][index % 4]

    def _evidence(self, project: Project) -> SimpleUploadedFile:
        """The finance verifier's workings as a CSV file (opens in Excel): before and after, and the benefit."""
        benefit = project.verified_benefit
        rows = [
            [project.code, "实施前12个月同口径成本", _plain(benefit * Decimal("3.2"))],
            [project.code, "实施后12个月同口径成本（年化）", _plain(benefit * Decimal("2.2"))],
            [project.code, "经核定年化效益", _plain(benefit)],
        ]
        content = table_csv(["项目", "口径", "金额（元）"], rows)
        return SimpleUploadedFile(f"{project.code}-效益核算表.csv", content, content_type="text/csv")

    def _sign_off(self, project: Project, on: date) -> None:
        """财务核验 before the closing decision: the finance verifier checks the team's figure against the books."""
        if self.finance is None:
            return
        project = Project.objects.get(pk=project.pk)
        with self.clock.at(on, 10):
            finance.benefit_signoff_sign(
                actor=self.finance,
                project=project,
                amount=project.verified_benefit,
                basis=f"按财务账面数据核算：对比实施前后各12个月同口径成本，扣除实施投入后，年化效益"
                f"{_plain(_round(project.verified_benefit / 10000))}万元；节约工时按工时台账核定。",
                evidence_upload=self._evidence(project),
            )

    def return_for_correction(self, project: Project, on: date) -> None:
        """One closing project whose figures finance sent back, so the demo shows that path too."""
        project = Project.objects.get(pk=project.pk)
        if self.finance is None or self.returned_once or project.verified_benefit is None:
            return
        self.returned_once = True
        with self.clock.at(on, 11):
            finance.benefit_signoff_return(
                actor=self.finance,
                project=project,
                reason="效益测算未扣除新增设备折旧和维护费用，请按财务口径修正后重新提交核验。",
            )

    def build(self, index: int, spec: Spec) -> Project:
        month, day = (int(part) for part in spec.created.split("-"))
        filed_on = date(self.year, month, day)
        manager = self.managers[spec.unit]
        unit = self.units[spec.unit]
        team = self._team(index, spec)
        goals = self._goals(spec, filed_on)
        management_base, capability = self.plan.assessments[spec.unit]
        effect = "；".join(self._moves(row, row.goal) for row in goals)
        if spec.benefit:
            effect += f"；预计年创效约{spec.benefit}万元"
        steps = "；".join(f"{k}. {measure}" for k, measure in enumerate(spec.measures, start=1))
        planned_start = filed_on + timedelta(days=START + 10)
        with self.clock.at(filed_on, 9):
            # The team's leader files, so the unit's manager stays free to approve and organise the reviews
            # (separation of duties: whoever filed a project never judges it).
            project = services.project_create(
                actor=team[0].member,
                title=spec.title,
                unit=unit,
                problem=spec.problem,
                tier=spec.tier,
                year=self.year,
                direction=self.directions.get(spec.direction),
                management_base=management_base,
                capability=capability,
                expected_effect=effect + "。",
                planned_start=planned_start,
                planned_end=min(planned_start + timedelta(days=270), date(self.year + 1, 6, 30)),
                pdca_plan=f"现状：{spec.problem}\n目标：{effect}。\n对策：{steps}。",
                estimated_benefit=Decimal(spec.benefit * 10000),
                estimated_hours=Decimal(spec.hours),
                estimated_quality=spec.quality,
            )
            services.team_set(actor=manager, project=project, rows=team)
            services.indicators_set(actor=manager, project=project, rows=goals)
            services.shortfalls_set(actor=manager, project=project, shortfalls=self._shortfalls(spec, filed_on))
        if spec.state == State.DRAFT:
            return project

        approver = self.office if spec.tier == HQ else manager
        with self.clock.at(filed_on + timedelta(days=SUBMIT), 10):
            project = services.project_transition(actor=manager, project=project, action="submit")
        if spec.state == State.SUBMITTED:
            return project
        with self.clock.at(filed_on + timedelta(days=DECIDE), 15):
            if spec.state in (State.RETURNED, State.REJECTED):
                action = "return" if spec.state == State.RETURNED else "reject"
                return services.project_transition(actor=approver, project=project, action=action, reason=spec.reason)
            if spec.state == State.MERGED:
                into = self.projects[spec.into]
                reason = f"与{into.code}《{into.title}》研究方向一致，整合研究，原单位作为参与单位。"
                return services.project_transition(
                    actor=self.office, project=project, action="merge", reason=reason, into=into
                )
            project = services.project_transition(
                actor=approver, project=project, action="approve", reason="选题契合年度改善方向，同意立项。"
            )
        if spec.state == State.APPROVED:
            return project

        leader = team[0].member
        started = filed_on + timedelta(days=START)
        with self.clock.at(started, 9):
            project = services.project_transition(actor=leader, project=project, action="start")
        with self.clock.at(started + timedelta(days=25), 17):
            services.note_add(
                actor=leader,
                project=project,
                text=f"召开课题启动会，{leader.user.display_name}牵头，{len(team)}名成员分工到人，"
                f"明确了{spec.measures[0]}等对策的节点计划。",
            )
        with self.clock.at(started + timedelta(days=70), 16):
            services.project_update(
                actor=leader,
                project=project,
                pdca_do=f"{spec.measures[0]}已完成，{'、'.join(spec.measures[1:]) or '效果跟踪'}按计划推进。",
            )
            services.note_add(
                actor=leader, project=project, text=f"{spec.measures[0]}已完成，正在推进{spec.measures[-1]}。"
            )
        if spec.tier == HQ:
            with self.clock.at(started + timedelta(days=90), 10):
                services.note_add(
                    actor=self.office, project=project, text="精益办跟踪：进度符合计划，请按节点准备中期答辩材料。"
                )
        if spec.state == State.IN_PROGRESS and not spec.midterm:
            return project
        midterm_on = filed_on + timedelta(days=MIDTERM)

        final = spec.state == State.MIDTERM
        self._review(index, spec, project, team, Review.Kind.MIDTERM, midterm_on, spec.midterm, final)
        if final or spec.state == State.IN_PROGRESS:
            return Project.objects.get(pk=project.pk)

        closing_on = filed_on + timedelta(days=CLOSING)
        factor = Decimal(str(self.rng.uniform(1.1, 1.3) if spec.excellent else self.rng.uniform(0.92, 1.08)))
        achieved = []
        for row in goals:
            value = _round(row.baseline + (row.goal - row.baseline) * factor)
            if row.indicator.measure_unit == "%":
                value = min(value, Decimal(100))
            achieved.append(services.IndicatorRow(row.indicator, row.baseline, row.goal, value))
        verified = (Decimal(spec.benefit * 10) * factor).quantize(Decimal(1)) * 1000  # to the thousand yuan
        results = "；".join(self._moves(row, row.achieved) for row in achieved)
        with self.clock.at(closing_on - timedelta(days=5), 15):
            services.indicators_set(actor=leader, project=project, rows=achieved)
            services.project_update(
                actor=leader,
                project=project,
                pdca_do=f"{'；'.join(spec.measures)}，全部实施完成。",
                pdca_check=f"{results}。经财务核定年创效{_plain(_round(verified / 10000))}万元。",
                pdca_act=f"将{spec.measures[-1]}等做法固化为{unit.name}标准作业文件，纳入年度培训，在同类单位推广。",
                case_summary=f"针对{spec.problem.split('，')[0].rstrip('。')}的问题，课题组通过"
                f"{'、'.join(spec.measures)}，{results}，年创效{_plain(verified / 10000)}万元。",
                verified_benefit=verified,
                verified_hours=Decimal(round(spec.hours * float(factor))),
                verified_quality=spec.quality,
            )
        final = spec.state == State.CLOSING
        self._review(index, spec, project, team, Review.Kind.CLOSING, closing_on, PASS, final)
        if final:
            self.return_for_correction(project, closing_on + timedelta(days=PANEL + 1))
        if spec.state == State.FILED:
            filed = closing_on + timedelta(days=DECISION + FILE)
            with self.clock.at(filed, 10):
                services.project_transition(
                    actor=manager, project=project, action="file", reason="结题资料齐全，报总部备案。"
                )
            self._filing_answer(project, manager, filed)
        return Project.objects.get(pk=project.pk)

    def _filing_answer(self, project: Project, manager: Membership, filed: date) -> None:
        """备案: the lean office's word on the filings in turn — the first returned, corrected and filed again,
        then acknowledged; the second returned and being corrected; the third still waiting; the rest acknowledged."""
        self.filings += 1
        turn = self.filings
        project = Project.objects.get(pk=project.pk)
        if turn == 3:
            return
        if turn in (1, 2):
            with self.clock.at(filed + timedelta(days=4), 15):
                services.project_transition(
                    actor=self.office,
                    project=project,
                    action="return_filing",
                    reason="备案材料缺少效益测算依据和验收签字页，请补充后重新备案。",
                )
            if turn == 2:
                return
            with self.clock.at(filed + timedelta(days=7), 10):
                services.project_update(
                    actor=manager,
                    project=project,
                    pdca_check=f"{project.pdca_check}\n（已补充效益测算依据，附财务核定表和验收签字页。）",
                )
                services.project_transition(
                    actor=manager, project=project, action="file", reason="已按总部意见补充效益测算依据，重新备案。"
                )
            filed += timedelta(days=7)
        with self.clock.at(filed + timedelta(days=5), 11):
            services.project_transition(actor=self.office, project=project, action="acknowledge_filing")


def seed_plan(plan: Plan, tenant) -> None:
    """Run inside the tenant's scope, on a tenant with its target trees and no project yet."""
    builder = Builder(plan, tenant)
    builder.guide()
    builder.build_all()
