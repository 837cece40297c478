"""Employee innovation at scale: suggestions through their flow, contributions with their credits (the closed
projects' awards, the adopted suggestions', and QC activities, one-page improvements and OPLs recorded by
everyone), scored by the tenant's rules; a monthly public listing (公示) of the verified ones, final but the last,
which is open with objections. All bulk inserted."""

import json
import random
from calendar import monthrange
from datetime import date, timedelta
from decimal import Decimal

from config.demo.scale.base import AS_OF, JsonText, Sizes, at, insert_objects, insert_rows, next_ids
from config.demo.scale.org import Org
from config.demo.scale.projects import Award
from innovation import points
from innovation.models import Contribution, ContributionType, Credit, Listing, Objection, RuleVersion, Suggestion
from innovation.services import scoring

SHARES = {1: (100,), 2: (60, 40), 3: (50, 30, 20), 4: (40, 25, 20, 15), 5: (35, 25, 15, 15, 10)}
OWN_TYPES = ["qc", "one_page", "opl"]  # what people record; "project" and "suggestion" come from their flows
TITLES = {
    "qc": "QC小组：{topic}",
    "one_page": "一页纸改善：{topic}",
    "opl": "OPL一点课：{topic}",
}
TOPICS = [
    "阀门内漏快速判断",
    "皮带跑偏调整",
    "备件定置管理",
    "巡检路线优化",
    "工器具目视化",
    "交接班标准化",
    "油品取样规范",
]
SUGGESTION_FLOW = list(Suggestion.State.values)  # submitted → evaluated → adopted / not adopted → implemented
VERIFIED = Contribution.Status.VERIFIED
CONTRIBUTION_FIELDS = [
    "id",
    "tenant",
    "type",
    "unit",
    "title",
    "occurred_on",
    "positioning",
    "breadth",
    "complexity",
    "award",
    "status",
    "points",
    "rule_version",
    "scoring",
    "recorded_by",
    "recorded_at",
    "verified_by",
    "verified_at",
    "rejection_reason",
    "project",
    "suggestion",
    "listing",
    "final",
]


class Builder:
    def __init__(self, tenant, org: Org, sizes: Sizes, rng: random.Random):
        self.tenant, self.org, self.sizes, self.rng = tenant, org, sizes, rng
        scoring.innovation_setup()
        self.types = {t.code: t.pk for t in ContributionType.objects.all()}
        self.version = RuleVersion.objects.order_by("-number").first()
        self.managers = {unit: manager.pk for unit, manager in org.managers.items()}
        self.scores: dict[points.Sample, tuple] = {}
        self.contributions: list[list] = []  # rows of CONTRIBUTION_FIELDS
        self.credits: list[list[tuple[int, Decimal]]] = []  # per contribution: (membership pk, share)
        self.counts = {"contributions": 0, "credits": 0}

    def _score(self, sample: points.Sample) -> tuple[Decimal, JsonText]:
        """The rules' points and breakdown for `sample` (the same few hundred combinations over and over: each
        computed and serialized once)."""
        if sample not in self.scores:
            total, breakdown = points.compute(self.version.rules, sample)
            self.scores[sample] = total, JsonText(json.dumps(breakdown, ensure_ascii=False))
        return self.scores[sample]

    def _day(self, year: int) -> date:
        last = min(date(year, 12, 31), AS_OF)
        return date(year, 1, 1) + timedelta(days=self.rng.randrange((last - date(year, 1, 1)).days + 1))

    # ------------------------------------------------------------ listings

    def listings(self) -> dict[tuple[int, int], tuple[int, bool]]:
        """One listing per month, opened on its last day (月末公示) for a week of objections; final, unless its
        week is not over at AS_OF. By (year, month): its id and whether it is final."""
        rows = []
        for year in self.sizes.years:
            for month in range(1, 13):
                end = date(year, month, monthrange(year, month)[1])
                opened = at(end, 17)
                closes = opened + timedelta(days=7)
                final = closes.date() < AS_OF
                rows.append(
                    Listing(
                        tenant=self.tenant,
                        title=f"{year}年{month}月创新积分公示",
                        period_start=date(year, month, 1),
                        period_end=end,
                        state=Listing.State.FINAL if final else Listing.State.OPEN,
                        opened_at=opened,
                        closes_at=closes,
                        opened_by=self.org.office,
                        finalized_at=closes + timedelta(hours=17) if final else None,
                        finalized_by=self.org.office if final else None,
                    )
                )
        listings = Listing.objects.bulk_create(rows)
        return {
            (listing.period_start.year, listing.period_start.month): (listing.pk, listing.state == Listing.State.FINAL)
            for listing in listings
        }

    # ------------------------------------------------------------ suggestions

    def suggestions(self) -> list[Suggestion]:
        """Suggestions through their flow (evaluated a week after, decided a fortnight after, implemented six
        weeks after), each as far as it got by AS_OF; those older than three months are all decided."""
        S = Suggestion.State
        rows = []
        people, managers = self.org.people, self.org.managers
        for i in range(self.sizes.suggestions):
            member, unit = people[self.rng.randrange(len(people))]
            day = self._day(self.sizes.years[i % len(self.sizes.years)])
            state = SUGGESTION_FLOW[i % len(SUGGESTION_FLOW)]
            if (AS_OF - day).days > 90 and state in (S.SUBMITTED, S.EVALUATED):
                state = S.ADOPTED if state == S.SUBMITTED else S.NOT_ADOPTED
            for later, earlier, days in ((S.IMPLEMENTED, S.ADOPTED, 45), (S.ADOPTED, S.EVALUATED, 14)):
                if state == later and day + timedelta(days=days) > AS_OF:
                    state = earlier
            if state == S.NOT_ADOPTED and day + timedelta(days=14) > AS_OF:
                state = S.EVALUATED
            if state == S.EVALUATED and day + timedelta(days=7) > AS_OF:
                state = S.SUBMITTED
            suggestion = Suggestion(
                tenant=self.tenant,
                proposer_id=member,
                unit_id=unit,
                title=f"关于{TOPICS[i % len(TOPICS)]}的建议",
                problem="现场作业存在重复劳动和等待浪费。",
                proposal="调整作业顺序并制作定置标识，减少往返和查找时间。",
                expected_benefit="每班节约工时约0.5小时。",
                state=state,
                submitted_at=at(day, 9),
            )
            manager = managers[unit].pk
            if state != S.SUBMITTED:
                suggestion.evaluation, suggestion.evaluated_by_id = "方案可行，投入小。", manager
                suggestion.evaluated_at = at(day + timedelta(days=7), 15)
            if state in (S.ADOPTED, S.NOT_ADOPTED, S.IMPLEMENTED):
                suggestion.decided_by_id, suggestion.decided_at = manager, at(day + timedelta(days=14), 16)
                if state == S.NOT_ADOPTED:
                    suggestion.decision_reason = "与现行规程冲突，暂不采纳。"
            if state == S.IMPLEMENTED:
                suggestion.implemented_at = at(day + timedelta(days=45), 11)
                suggestion.implementation_note = "已按建议实施，纳入班组作业指导书。"
            rows.append(suggestion)
        insert_objects(Suggestion, rows, ids=True)
        return rows

    # ------------------------------------------------------------ contributions

    def _add(self, kind, unit, day, sample, team, listings, *, title, status=VERIFIED, **links) -> None:
        """One contribution and its credits, queued; `team` is (membership pk, share) with the recorder first."""
        total, scoring = self._score(sample)
        listing, final = listings.get((day.year, day.month), (None, False)) if status == VERIFIED else (None, False)
        manager = self.managers[unit]
        checked = status != Contribution.Status.SUBMITTED
        self.contributions.append(
            [
                None,  # the id, drawn when the batch goes in
                self.tenant.pk,
                self.types[kind],
                unit,
                title,
                day,
                sample.positioning,
                sample.breadth,
                sample.complexity,
                sample.award,
                status,
                total,
                self.version.pk,
                scoring,
                team[0][0] if kind in ("one_page", "opl") else manager,
                at(day, 18),
                manager if checked else None,
                at(min(day + timedelta(days=3), AS_OF), 15) if checked else None,
                "与已登记成果重复。" if status == Contribution.Status.REJECTED else "",
                links.get("project"),
                links.get("suggestion"),
                listing,
                final,
            ]
        )
        self.credits.append(team)
        if len(self.contributions) >= 20_000:
            self._flush()

    def _flush(self) -> None:
        """Insert the queued contributions (with ids drawn first, so their credits can name them) and credits."""
        rows, credits = self.contributions, []
        for row, pk in zip(rows, next_ids(Contribution, len(rows)), strict=True):
            row[0] = pk
        for row, team in zip(rows, self.credits, strict=True):
            shares = [share for _pk, share in team]
            amounts = [row[11]] if len(team) == 1 else points.split(row[11], shares)
            credits += [
                (self.tenant.pk, row[0], pk, share, amount) for (pk, share), amount in zip(team, amounts, strict=True)
            ]
        self.counts["contributions"] += insert_rows(Contribution, CONTRIBUTION_FIELDS, rows)
        self.counts["credits"] += insert_rows(Credit, ["tenant", "contribution", "member", "share", "points"], credits)
        self.contributions, self.credits = [], []

    def contributions_all(self, awards: list[Award], suggestions, listings) -> None:
        rules = self.version.rules
        for award in awards:  # a closed project is positioned by its benefit signed off by finance
            positioning = points.benefit_positioning(rules, award.benefit)
            sample = points.Sample("project", positioning, "unit", award.complexity, "none")
            day, team = award.day, award.team
            self._add(
                "project", award.unit_id, day, sample, team, listings, project=award.project_id, title=award.title
            )
        adopted = (Suggestion.State.ADOPTED, Suggestion.State.IMPLEMENTED)
        sample = points.Sample("suggestion", "general", "team", "low", "none")
        for suggestion in suggestions:
            if suggestion.state in adopted:  # adoption records the proposer's contribution
                team = [(suggestion.proposer_id, Decimal(100))]
                fields = {"suggestion": suggestion.pk, "title": suggestion.title}
                day = suggestion.decided_at.date()
                self._add("suggestion", suggestion.unit_id, day, sample, team, listings, **fields)
        self._own(self.sizes.contributions - len(self.contributions) - self.counts["contributions"], listings)
        self._flush()

    def _own(self, count: int, listings) -> None:
        """QC activities (a team of up to three), one-page improvements and OPLs (one person each); SC-EM has one
        in a thousand. Most are verified; a few were rejected, and the newest may still wait."""
        people, by_unit, rng = self.org.people, self.org.by_unit, self.rng
        employee = self.org.employee
        for i in range(max(0, count)):
            kind = OWN_TYPES[i % len(OWN_TYPES)]
            member, unit = people[rng.randrange(len(people))]
            if employee is not None and i % 1000 == 0:
                member, unit = employee.pk, employee.unit_id
            team = [member]
            if kind == "qc":  # two more of the team
                colleagues = by_unit.get(unit, [])
                team += [pk for pk in rng.sample(colleagues, min(3, len(colleagues))) if pk != member][:2]
            day = self._day(self.sizes.years[i % len(self.sizes.years)])
            status = Contribution.Status.VERIFIED
            if i % 20 == 7:
                status = Contribution.Status.REJECTED
            elif (AS_OF - day).days < 45 and rng.random() < 0.3:
                status = Contribution.Status.SUBMITTED
            sample = points.Sample(
                kind,
                rng.choice(["general"] * 6 + ["key"] * 3 + ["strategic"]),
                rng.choice(["team"] * 5 + ["unit"] * 3 + ["cross_unit", "tenant"]),
                rng.choice(["low"] * 5 + ["medium"] * 3 + ["high"] * 2),
                rng.choice(["none"] * 12 + ["unit", "company"]),
            )
            shares = [Decimal(s) for s in SHARES[len(team)]]
            self._add(
                kind,
                unit,
                day,
                sample,
                list(zip(team, shares, strict=True)),
                listings,
                title=TITLES[kind].format(topic=TOPICS[i % len(TOPICS)]),
                status=status,
            )

    def objections(self, listings) -> int:
        """Objections to contributions on the open listing, from colleagues: most still open, some dismissed."""
        open_ids = [pk for pk, final in listings.values() if not final]
        listed = list(
            Contribution.objects.filter(listing_id__in=open_ids).order_by("occurred_on", "title", "unit_id")[
                : self.sizes.objections
            ]
        )
        people = self.org.people
        rows = []
        for k, contribution in enumerate(listed):
            objection = Objection(
                tenant=self.tenant,
                listing_id=contribution.listing_id,
                contribution=contribution,
                raised_by_id=people[self.rng.randrange(len(people))][0],
                text="该成果与班组另一项已登记成果内容重复，请核实。",
                created_at=at(AS_OF, 18, k % 60),  # the listing opened at 17:00
            )
            if k % 4 == 3:
                objection.state, objection.resolution = Objection.State.DISMISSED, "经核实内容不同，异议不成立。"
                objection.resolved_by, objection.resolved_at = self.org.office, at(AS_OF, 21)
            rows.append(objection)
        return insert_objects(Objection, rows)


def build_innovation(tenant, org: Org, sizes: Sizes, rng: random.Random, awards: list[Award]) -> dict:
    builder = Builder(tenant, org, sizes, rng)
    listings = builder.listings()
    suggestions = builder.suggestions()
    builder.contributions_all(awards, suggestions, listings)
    objections = builder.objections(listings)
    return {
        **builder.counts,
        "suggestions": len(suggestions),
        "listings": len(listings),
        "objections": objections,
    }
