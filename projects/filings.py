"""备案 that HQ receives: the lean office's inbox of filed unit-tier projects, and the filing package — a PDF of the
application, the midterm and closing reviews, the verified benefits and the list of attachments, and a ZIP of that
PDF with the attachment files.

The acknowledgement and the return for correction are lifecycle actions (projects/workflow.py) taken through
projects.services.project_transition; this module only reads.
"""

import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from lean.models import Membership
from lean.pdf import font as _font
from lean.pdf import pdf_text as _pdf

from . import workflow
from .models import (
    Attachment,
    Criterion,
    Project,
    ProjectIndicator,
    Review,
    ReviewAssignment,
    Score,
    State,
    TeamMember,
    Tier,
    Transition,
)

ACKNOWLEDGED_SHOWN = 20  # the inbox shows the latest acknowledgements; the board and table hold the rest

# ---------------------------------------------------------------- the inbox


@dataclass
class Inbox:
    awaiting: list  # filed, waiting for the lean office's word
    returned: list  # returned for correction, waiting for the applicant to file again
    acknowledged: list  # the latest acknowledged
    sent_up: list  # unit-tier proposals no manager may judge (separation of duties): the lean office approves

    @property
    def is_empty(self) -> bool:
        return not (self.awaiting or self.returned or self.acknowledged or self.sent_up)


def _rows(projects):
    return projects.select_related("unit", "created_by__user", "filing_acknowledged_by__user").prefetch_related(
        Prefetch("team", TeamMember.objects.select_related("member__user").order_by("role", "-share", "pk"))
    )


def filing_inbox(*, viewer: Membership) -> Inbox:
    """The lean office's 备案 inbox, in eight queries whatever the number of filings. Each row says whether the
    viewer may act on it (`may_act`: not one of the project's own people)."""
    from .selectors.reviews import escalated_projects

    filed = Project.objects.filter(tier=Tier.UNIT)
    awaiting = list(_rows(filed.filter(state=State.FILED, filing_acknowledged_at=None)).order_by("state_changed_at"))
    returned = list(
        _rows(filed.filter(state=State.CLOSED).exclude(filing_return_reason="")).order_by("-state_changed_at")
    )
    acknowledged = list(
        _rows(filed.filter(state=State.FILED, filing_acknowledged_at__isnull=False)).order_by(
            "-filing_acknowledged_at"
        )[:ACKNOWLEDGED_SHOWN]
    )
    sent_up = list(
        _rows(filed.filter(state=State.SUBMITTED, pk__in=escalated_projects())).order_by("state_changed_at", "pk")
    )
    for project in awaiting + sent_up:
        project.may_act = workflow.is_filing_office(viewer, project)
    return Inbox(awaiting=awaiting, returned=returned, acknowledged=acknowledged, sent_up=sent_up)


# ---------------------------------------------------------------- the package


@dataclass
class ReviewPart:
    review: Review
    criteria: list  # the criteria scored, in rubric order
    rows: list  # (assignment, {criterion id: value}, weighted or None)


def package_project(project_id: int) -> Project:
    """The project with everything its package holds (a fixed number of queries)."""
    return (
        Project.objects.select_related(
            "unit", "direction__guide", "created_by__user", "filing_acknowledged_by__user", "merged_into"
        )
        .prefetch_related(
            "unit_links__unit",
            Prefetch("indicator_links", ProjectIndicator.objects.select_related("indicator__node")),
            Prefetch(
                "team", TeamMember.objects.select_related("member__user", "member__unit").order_by("role", "-share")
            ),
            Prefetch("attachments", Attachment.objects.select_related("uploaded_by__user").order_by("created_at")),
            Prefetch("transitions", Transition.objects.select_related("actor__user")),
        )
        .get(pk=project_id)
    )


def _review_parts(project: Project) -> list[ReviewPart]:
    from .services import weighted

    reviews = list(
        Review.objects.filter(project=project)
        .select_related("chair__user", "decided_by__user")
        .order_by("kind", "round")  # "closing" sorts before "midterm": reorder below
    )
    reviews.sort(key=lambda r: (r.kind != Review.Kind.MIDTERM, r.round))
    assignments = list(
        ReviewAssignment.objects.filter(review__project=project).select_related("reviewer__user").order_by("pk")
    )
    scores: dict[int, dict] = {}
    for score in Score.objects.filter(assignment__review__project=project):
        scores.setdefault(score.assignment_id, {})[score.criterion_id] = score.value
    criteria = list(Criterion.objects.order_by("position", "code"))
    weights = {c.pk: c.weight for c in criteria}
    parts = []
    for review in reviews:
        rows = []
        for assignment in (a for a in assignments if a.review_id == review.pk):
            mine = scores.get(assignment.pk, {})
            value = weighted(mine, weights) if mine and assignment.submitted_at else None
            rows.append((assignment, mine, value))
        scored = {pk for _a, mine, _v in rows for pk in mine}
        parts.append(ReviewPart(review, [c for c in criteria if c.pk in scored], rows))
    return parts


def _signoff(project: Project):
    """The finance verifier's standing sign-off of the verified benefits, when the tenant has one."""
    signoffs = getattr(project, "benefit_signoffs", None)
    if signoffs is None:
        return None
    return signoffs.filter(status="signed").select_related("signed_by__user").first()


def _text(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value else "0"
    return str(value)


def package_pdf(project: Project) -> bytes:
    """The filing package as a PDF (A4, the built-in Chinese font of the shortfall reports)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _font()
    heading = ParagraphStyle("heading", fontName=font, fontSize=16, leading=21)
    section = ParagraphStyle("section", fontName=font, fontSize=12, leading=16, spaceBefore=6, spaceAfter=3)
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=13)
    small = ParagraphStyle("small", fontName=font, fontSize=8, leading=10)

    def para(text, style=body):
        return Paragraph(_pdf(_text(text)).replace("\n", "<br/>"), style)

    def table(headers, rows, widths=None):
        data = [[para(h, small) for h in headers]] + [[para(v, small) for v in row] for row in rows]
        t = Table(data, colWidths=widths, repeatRows=1)
        t.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), font),
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return t

    def pairs(rows):
        return table([_("Item"), _("Content")], rows, widths=[40 * mm, 140 * mm])

    story = [
        para(_("Filing package (备案材料)"), heading),
        para(f"{project.code} {project.title}", section),
        para(_("Made on %(date)s") % {"date": timezone.localtime().strftime("%Y-%m-%d %H:%M")}, small),
        Spacer(1, 3 * mm),
    ]

    # 1. The application
    story.append(para(_("1. Application"), section))
    participants = "、".join(link.unit.name for link in project.unit_links.all())
    direction = f"{project.direction.code} {project.direction.title}" if project.direction else ""
    planned = f"{project.planned_start or '—'} → {project.planned_end or '—'}"
    story.append(
        pairs(
            [
                (_("Code"), project.code),
                (_("Title"), project.title),
                (_("Tier"), project.get_tier_display()),
                (_("Unit"), project.unit.name),
                (_("Participants"), participants),
                (_("Year"), project.year),
                (_("Direction"), direction),
                (_("State"), project.get_state_display()),
                (_("Filed by"), f"{project.created_by.user.display_name} · {project.created_at:%Y-%m-%d}"),
                (_("Planned"), planned),
                (_("Problem statement"), project.problem),
                (_("Management base"), project.management_base),
                (_("Capability"), project.capability),
                (_("Expected effect"), project.expected_effect),
            ]
        )
    )
    story.append(para(_("Indicators"), section))
    story.append(
        table(
            [_("Indicator"), _("Unit of measure"), _("Baseline"), _("Goal"), _("Achieved")],
            [
                (
                    f"{link.indicator.node.code} {link.indicator.node.name}",
                    link.indicator.measure_unit,
                    link.baseline,
                    link.goal,
                    link.achieved,
                )
                for link in project.indicator_links.all()
            ],
            widths=[75 * mm, 25 * mm, 27 * mm, 27 * mm, 26 * mm],
        )
    )
    story.append(para(_("Team and contribution shares"), section))
    story.append(
        table(
            [_("Name"), _("Employee number"), _("Unit"), _("Role"), _("Share (%)")],
            [
                (
                    t.member.user.display_name,
                    t.member.employee_number,
                    t.member.unit.name,
                    t.get_role_display(),
                    t.share,
                )
                for t in project.team.all()
            ],
            widths=[40 * mm, 30 * mm, 60 * mm, 25 * mm, 25 * mm],
        )
    )
    story.append(para(_("PDCA plan"), section))
    story.append(
        pairs(
            [
                (_("Plan (P)"), project.pdca_plan),
                (_("Do (D)"), project.pdca_do),
                (_("Check (C)"), project.pdca_check),
                (_("Act (A)"), project.pdca_act),
            ]
        )
    )

    # 2. The reviews
    story.append(para(_("2. Midterm and closing reviews"), section))
    parts = _review_parts(project)
    if not parts:
        story.append(para(_("No review yet.")))
    for part in parts:
        review = part.review
        title = review.get_kind_display() + (f" #{review.round}" if review.round > 1 else "")
        story.append(para(title, section))
        decided = f"{review.decided_by.user.display_name} · {review.decided_at:%Y-%m-%d}" if review.decided_by else ""
        story.append(
            pairs(
                [
                    (_("Chair"), review.chair.user.display_name if review.chair else ""),
                    (_("Panel"), "、".join(a.reviewer.user.display_name for a, _s, _v in part.rows)),
                    (_("Score"), review.score),
                    (_("Result"), review.get_result_display() if review.result else _("not decided yet")),
                    (_("Conditions or reasons"), review.conditions),
                    (_("Decided by"), decided),
                ]
            )
        )
        if part.rows:
            headers = [_("Reviewer")] + [c.name for c in part.criteria] + [_("Weighted"), _("Comment")]
            rows = [
                [a.reviewer.user.display_name] + [scores.get(c.pk) for c in part.criteria] + [value, a.comment]
                for a, scores, value in part.rows
            ]
            story.append(Spacer(1, 2 * mm))
            story.append(table(headers, rows))

    # 3. The verified benefits
    story.append(para(_("3. Verified benefits"), section))
    benefits = [
        (_("Money (CNY)"), project.verified_benefit),
        (_("Hours saved"), project.verified_hours),
        (_("Quality"), project.verified_quality),
        (_("Estimated (CNY)"), project.estimated_benefit),
        (_("Case summary"), project.case_summary),
    ]
    signoff = _signoff(project)
    if signoff is not None:
        benefits += [
            (_("Signed off by finance"), f"{signoff.signed_by.user.display_name} · {signoff.signed_at:%Y-%m-%d}"),
            (_("Calculation basis"), signoff.basis),
        ]
    story.append(pairs(benefits))

    # 4. The attachments
    story.append(para(_("4. Attachments"), section))
    attachments = list(project.attachments.all())
    if attachments:
        story.append(
            table(
                [_("File"), _("Size (bytes)"), _("Uploaded by"), _("Date")],
                [(a.name, a.size, a.uploaded_by.user.display_name, f"{a.created_at:%Y-%m-%d}") for a in attachments],
                widths=[90 * mm, 25 * mm, 35 * mm, 30 * mm],
            )
        )
    else:
        story.append(para(_("No attachment.")))

    # 5. The filing's own history
    steps = [
        t for t in project.transitions.all() if t.action in ("close", "file", "acknowledge_filing", "return_filing")
    ]
    if steps:
        story.append(para(_("5. Filing history"), section))
        labels = {name: action.label for name, action in workflow.ACTIONS.items()}
        story.append(
            table(
                [_("When"), _("Who"), _("Action"), _("Reason")],
                [
                    (
                        f"{timezone.localtime(t.created_at):%Y-%m-%d %H:%M}",
                        t.actor.user.display_name,
                        labels.get(t.action, t.action),
                        t.reason,
                    )
                    for t in steps
                ],
                widths=[32 * mm, 30 * mm, 45 * mm, 73 * mm],
            )
        )

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=15 * mm
    )
    doc.title = f"{project.code} {project.title}"
    doc.build(story)
    return buffer.getvalue()


def package_zip(project: Project) -> bytes:
    """The PDF and every attachment file (under attachments/, names made unique). A file missing from storage is
    listed in MISSING.txt instead of failing the whole download."""
    buffer = io.BytesIO()
    missing = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{project.code}.pdf", package_pdf(project))
        used: set[str] = set()
        for attachment in project.attachments.all():
            name = _unique(attachment.name, used)
            try:
                with attachment.file.open("rb") as handle:
                    archive.writestr(f"attachments/{name}", handle.read())
            except FileNotFoundError:
                missing.append(attachment.name)
        if missing:
            archive.writestr("MISSING.txt", "\n".join(missing))
    return buffer.getvalue()


def _unique(name: str, used: set[str]) -> str:
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    candidate, number = name, 1
    while candidate in used:
        number += 1
        candidate = f"{stem} ({number}).{extension}" if extension else f"{stem} ({number})"
    used.add(candidate)
    return candidate
