"""Projects' timelines for the scale data: where a project is headed, the transitions that bring it there (with
an occasional detour: returned once, a failed midterm or closing review), dated from the day it was filed, and
the rows it becomes before it is inserted."""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from projects.demo.build import CONDITIONS
from projects.models import Project, Review, State, Tier

MIDTERM, CLOSING, FAIL = Review.Kind.MIDTERM, Review.Kind.CLOSING, Review.Result.FAIL
TOPICS = [
    "降低供电煤耗",
    "降低厂用电率",
    "减少设备非计划停运",
    "缩短计划检修工期",
    "压降备品备件库存",
    "降低物料损耗",
    "减少客户投诉",
    "降低综合线损率",
    "提升巡检效率",
    "提高燃料掺烧比例",
    "提升一次检修合格率",
    "缩短故障处理时间",
    "提高设备可用率",
    "降低单位产品水耗",
    "提升计划执行率",
    "减少加班工时",
]
# The states projects are headed for, weighted like a portfolio: more running and finished than stopped.
MIX = [
    State.DRAFT,
    State.SUBMITTED,
    State.RETURNED,
    State.REJECTED,
    State.MERGED,
    State.APPROVED,
    State.IN_PROGRESS,
    State.IN_PROGRESS,
    State.MIDTERM,
    State.CLOSING,
    State.CLOSED,
    State.CLOSED,
    State.FILED,
    State.FILED,
]
REASONS = {
    "return": "现状数据不完整，请补充近12个月的指标数据和要因分析后重新提交。",
    "reject": "与已立项课题重复，且预期效益不足，不予立项。",
    "merge": "与同年度同方向课题研究内容一致，整合研究，原单位作为参与单位。",
    "approve": "选题契合年度改善方向，同意立项。",
    "file": "结题资料齐全，报总部备案。",
}
NOTE = "召开课题启动会，成员分工到人，明确了现场调查、要因验证和对策实施的节点计划。"
BASIS = "按财务账面数据核算：对比实施前后各12个月同口径成本，扣除实施投入后的年化效益。"


@dataclass
class Step:
    action: str
    source: str
    target: str
    day: date
    who: str  # manager, approver, office, leader, chair
    reason: str = ""


@dataclass
class Plan:
    """One project before it is inserted: the row and what hangs off it."""

    project: Project
    filed_on: date
    steps: list[Step]
    team: list[tuple[int, Decimal]]  # (membership pk, share), the leader first
    shortfalls: list[int]
    indicators: list[int]
    reviews: list[dict] = field(default_factory=list)
    merged_into: "Plan | None" = None
    participants: list[int] = field(default_factory=list)  # unit pks besides its own (merged proposals')


@dataclass
class Award:
    """A closed project's points for its team (the innovation builder records them)."""

    project_id: int
    title: str
    unit_id: int
    day: date
    complexity: str
    benefit: Decimal
    team: list[tuple[int, Decimal]]


def story(target: str, tier: str, rng: random.Random, start: date) -> list[Step]:
    """The transitions that bring a new draft to `target`, a few with a detour (returned once, a failed midterm
    or closing review), dated from `start`."""
    steps: list[Step] = []
    day = start

    def go(action, source, to, gap, who, reason=""):
        nonlocal day
        day += timedelta(days=gap)
        steps.append(Step(action, source, to, day, who, reason or REASONS.get(action, "")))

    def ask(kind, review_state, fails, gap, again):
        """Ask for the review `gap` days on; with the chance `fails`, a first round failed and it is asked again
        `again` days after."""
        request, failed = f"request_{kind}", f"{kind}_fail"
        if rng.random() < fails:
            go(request, State.IN_PROGRESS, review_state, gap, "leader")
            go(failed, review_state, State.IN_PROGRESS, 12, "chair", CONDITIONS[(kind, FAIL)])
            gap = again
        go(request, State.IN_PROGRESS, review_state, gap, "leader")

    if target == State.DRAFT:
        return steps
    go("submit", State.DRAFT, State.SUBMITTED, 6, "manager")
    if target == State.RETURNED or (target not in (State.SUBMITTED, State.REJECTED) and rng.random() < 0.1):
        go("return", State.SUBMITTED, State.RETURNED, 9, "approver")
        if target == State.RETURNED:
            return steps
        go("submit", State.RETURNED, State.SUBMITTED, 10, "manager")
    if target == State.SUBMITTED:
        return steps
    if target in (State.REJECTED, State.MERGED):
        go("reject" if target == State.REJECTED else "merge", State.SUBMITTED, target, 9, "approver")
        return steps
    go("approve", State.SUBMITTED, State.APPROVED, 9, "approver")
    if target == State.APPROVED:
        return steps
    go("start", State.APPROVED, State.IN_PROGRESS, 5, "leader")
    if target == State.IN_PROGRESS and rng.random() < 0.5:
        return steps
    ask(MIDTERM, State.MIDTERM, 0.1, 120, 30)
    if target == State.MIDTERM:
        return steps
    go("midterm_pass", State.MIDTERM, State.IN_PROGRESS, 12, "chair")
    if target == State.IN_PROGRESS:
        return steps
    ask(CLOSING, State.CLOSING, 0.05, 95, 40)
    if target == State.CLOSING:
        return steps
    go("close", State.CLOSING, State.CLOSED, 12, "chair")
    if target == State.CLOSED or tier == Tier.HQ:
        return steps
    go("file", State.CLOSED, State.FILED, 8, "manager")
    if rng.random() < 0.8:
        go("acknowledge_filing", State.FILED, State.FILED, 5, "office")
    return steps
