"""Concurrency: real threads against the real Postgres, each on its own connection, released together.

Of two people acting on the same thing at the same moment exactly one wins and the other gets a clear
refusal (ApplicationError, or 400 over the API); nothing is lost, nothing is written twice, and no database
error (a unique violation, a deadlock) reaches anyone as a 500.

Where the contended lock is known, the race is made certain rather than left to the scheduler: the test holds
that lock in its own transaction (`gate`), lets every thread run until it waits on it, then lets go.
"""

import json
import threading
import time
from contextlib import nullcontext
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from innovation.models import Contribution, Credit, Listing
from innovation.services import contributions, listings, suggestions
from innovation.signals import listing_finalized
from integrations.models import IdempotencyRecord
from integrations.sync import hr_sync
from lean.apikeys import api_key_create
from lean.errors import ApplicationError
from lean.models import ApiKey, Membership, Role, Unit
from lean.tenancy import tenant_scope
from projects import services
from projects.models import Project, Review, ReviewAssignment, Score, State, Transition
from tests.factories import make_member
from tests.innovation.factories import make_opl, make_qc
from tests.projects.factories import make_project, make_projects, panel, sign_off
from tests.targets.factories import make_targets

pytestmark = pytest.mark.django_db(transaction=True)

HANG_GUARD = 60  # seconds: only so that a broken lock fails the test instead of hanging the suite


# ---------------------------------------------------------------- the harness


def _waiting_on_locks() -> int:
    """Other sessions of this database now waiting for a lock (pg_stat_activity is read afresh each time)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def race(calls, *, tenant, gate=None, api=False):
    """Run each call in its own thread, on its own connection (closed at the end), all started together by a
    barrier; inside tenant_scope(tenant), unless they are API requests (`api`: the middleware enters it).

    With `gate` (a function that takes locks in the test's own transaction of `tenant`), the locks are held
    until every thread waits on a lock or has ended, then released: the calls are certainly in flight at once.
    Returns what each call returned, or the exception it raised, in order."""
    barrier = threading.Barrier(len(calls), timeout=HANG_GUARD)
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            with nullcontext() if api else tenant_scope(tenant):
                barrier.wait()
                outcomes[index] = call()
        except Exception as error:  # the outcome under test: a refusal, or the bug
            outcomes[index] = error
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    with tenant_scope(tenant) if gate is not None else nullcontext():  # the test's own connection
        if gate is not None:
            gate()
        for thread in threads:
            thread.start()
        if gate is not None:
            deadline = time.monotonic() + HANG_GUARD
            while _waiting_on_locks() + sum(not t.is_alive() for t in threads) < len(calls):
                assert time.monotonic() < deadline, "the threads never reached the gate"
                time.sleep(0.02)
    for thread in threads:
        thread.join(HANG_GUARD)
        assert not thread.is_alive(), "a thread hangs (an undetected deadlock?)"
    return outcomes


def codes(outcomes) -> list:
    """ "ok" for a call that returned, the error code for a refusal, sorted; anything else (an IntegrityError,
    a deadlock) is raised again: it would have been a 500."""
    result = []
    for outcome in outcomes:
        if isinstance(outcome, ApplicationError):
            result.append(outcome.code)
        elif isinstance(outcome, Exception):
            raise outcome
        else:
            result.append("ok")
    return sorted(result)


def rows(*objects):
    """A gate: lock these rows (model instances) in the test's transaction."""

    def lock():
        for obj in objects:
            type(obj).objects.select_for_update().get(pk=obj.pk)

    return lock


def units():
    """A gate: lock every unit of the tenant, as a sync does."""
    list(Unit.objects.select_for_update())


# ---------------------------------------------------------------- project transitions


def test_two_approvers_at_once_one_wins_and_the_history_shows_one_decision(tenant_a):
    """Two lean office members decide the same submitted project at once (approve and return), and the same
    transition is taken twice at once (approve, approve) on another."""
    a = tenant_a
    with tenant_scope(a.tenant):
        make_targets(a)
        one, two = make_project(a), make_project(a, title="降低二号机组煤耗")
        for project in (one, two):
            services.project_transition(actor=a.manager, project=project, action="submit")
        second = make_member(a.hq, [Role.LEAN_OFFICE], number="ALPHA-LO2")

    def act(actor, project, action, reason=""):
        return lambda: services.project_transition(actor=actor, project=project, action=action, reason=reason)

    outcomes = race(
        [
            act(a.lean_office, one, "approve"),
            act(second, one, "return", "补充效益测算"),
            act(a.lean_office, two, "approve"),
            act(second, two, "approve"),
        ],
        tenant=a.tenant,
        gate=rows(one, two),
    )
    assert codes(outcomes[:2]) == codes(outcomes[2:]) == ["ok", "wrong_state"]
    with tenant_scope(a.tenant):
        for project, pair in ((one, outcomes[:2]), (two, outcomes[2:])):
            winner = next(o for o in pair if isinstance(o, Project))
            decisions = Transition.objects.filter(project=project).exclude(action="submit")
            assert [t.to_state for t in decisions] == [winner.state]  # one decision in the history
            assert Project.objects.get(pk=project.pk).state == winner.state
            assert project.history.filter(state__in=[State.APPROVED, State.RETURNED]).count() == 1
            error = next(o for o in pair if isinstance(o, ApplicationError))
            assert str(error.message)  # a clear refusal, to show


def test_two_opposite_merges_at_once_one_wins_and_neither_deadlocks(tenant_a):
    """Two similar proposals, merged at the same moment by two lean office members, each into the other: both
    rows are needed by both, so without one locking order each would wait on the other (a deadlock, a 500)."""
    a = tenant_a
    with tenant_scope(a.tenant):
        make_targets(a)
        one, two = make_project(a), make_project(a, title="减少一分公司设备非计划停运")
        for project in (one, two):
            services.project_transition(actor=a.manager, project=project, action="submit")
        second = make_member(a.hq, [Role.LEAN_OFFICE], number="ALPHA-LO2")

    def merge(actor, project, into):
        return lambda: services.project_transition(actor=actor, project=project, action="merge", into=into)

    outcomes = race([merge(a.lean_office, one, two), merge(second, two, one)], tenant=a.tenant, gate=rows(one, two))
    assert codes(outcomes) == ["merge_target", "ok"]  # the loser's target is merged away: a clear refusal
    with tenant_scope(a.tenant):
        states = sorted(Project.objects.filter(pk__in=[one.pk, two.pk]).values_list("state", flat=True))
        assert states == sorted([State.MERGED, State.SUBMITTED])
        assert Transition.objects.filter(project__in=[one, two], action="merge").count() == 1


def test_the_same_transition_twice_over_the_api_answers_once_200_and_once_400(tenant_a):
    a = tenant_a
    with tenant_scope(a.tenant):
        make_targets(a)
        project = make_project(a)
        services.project_transition(actor=a.manager, project=project, action="submit")
    url = f"/t/{a.tenant.slug}/api/v1/projects/projects/{project.pk}/transitions/"
    clients = [Client(raise_request_exception=False), Client(raise_request_exception=False)]  # a 500 is a 500
    for client in clients:  # one person clicking twice, from two tabs
        client.force_login(a.lean_office.user, backend="lean.auth.TenantLoginBackend")

    def approve(client):
        return lambda: client.post(url, {"action": "approve"}, content_type="application/json")

    responses = race([approve(c) for c in clients], tenant=a.tenant, gate=rows(project), api=True)
    assert sorted(r.status_code for r in responses) == [200, 400]
    refusal = next(r for r in responses if r.status_code == 400).json()
    assert refusal["code"] == "wrong_state" and refusal["message"]
    with tenant_scope(a.tenant):
        assert Transition.objects.filter(project=project, action="approve").count() == 1
        assert Project.objects.get(pk=project.pk).state == State.APPROVED


# ---------------------------------------------------------------- reviews


@pytest.fixture
def midterm(tenant_a):
    """make_projects: an HQ project in its midterm review; the panel is the reviewer (chair, scored 85 on
    every criterion) and reviewer2 (not scored yet)."""
    a = tenant_a
    with tenant_scope(a.tenant):
        make_targets(a)
        make_projects(a)
    return a


def _submit(a, reviewer, value):
    review, criteria = a.extra["review"], a.extra["criteria"]
    return lambda: services.review_submit_scores(
        actor=reviewer, review=review, scores={c.pk: D(value) for c in criteria}
    )


def _stored(review):
    """Each reviewer's stored scores: {reviewer_id: [values]}."""
    stored = {}
    for reviewer_id, value in Score.objects.filter(assignment__review=review).values_list(
        "assignment__reviewer_id", "value"
    ):
        stored.setdefault(reviewer_id, []).append(value)
    return stored


def test_reviewers_scoring_at_once_lose_no_score_and_write_none_twice(midterm):
    """reviewer2 scores for the first time while the reviewer corrects theirs twice at the same moment."""
    a = midterm
    reviewer, reviewer2 = panel(a)
    review, n = a.extra["review"], len(a.extra["criteria"])
    outcomes = race(
        [_submit(a, reviewer2, 90), _submit(a, reviewer, 70), _submit(a, reviewer, 50)],
        tenant=a.tenant,
        gate=rows(review),
    )
    assert codes(outcomes) == ["ok", "ok", "ok"]  # a reviewer may correct until the decision: the last stands
    with tenant_scope(a.tenant):
        stored = _stored(review)
        assert stored[reviewer2.pk] == [D(90)] * n  # not lost
        assert stored[reviewer.pk] in ([D(70)] * n, [D(50)] * n)  # one whole submission: none twice, none mixed
        assert ReviewAssignment.objects.filter(review=review, submitted_at__isnull=False).count() == 2
        review.refresh_from_db()
        assert review.score == services.review_score(review) == (D(90) + stored[reviewer.pk][0]) / 2


def test_deciding_a_review_while_a_score_arrives_loses_nothing(midterm):
    a = midterm
    reviewer, reviewer2 = panel(a)
    review, n = a.extra["review"], len(a.extra["criteria"])
    with tenant_scope(a.tenant):
        _submit(a, reviewer2, 90)()  # both scored: 87.5, a pass

    def decide():
        return services.review_decide(actor=reviewer, review=review, result=Review.Result.PASS)

    # reviewer2 lowers their scores to 40 (62.5: pass with conditions) while the chair passes it on 87.5
    decided, scored = race([decide, _submit(a, reviewer2, 40)], tenant=a.tenant, gate=rows(review))
    with tenant_scope(a.tenant):
        review.refresh_from_db()
        # Either the decision came first (the late score is refused: the review is decided) or the score did
        # (the chair's pass now differs from the scores and needs a reason): never both, never neither.
        if isinstance(decided, Review):
            assert isinstance(scored, ApplicationError) and scored.code == "decided"
            assert review.result == Review.Result.PASS and review.score == D("87.50")
            assert _stored(review)[reviewer2.pk] == [D(90)] * n
        else:
            assert isinstance(decided, ApplicationError) and decided.code == "reason_required"
            assert isinstance(scored, ReviewAssignment)
            assert review.result == "" and review.score == D("62.50")
        assert review.score == services.review_score(review)
        midterm_passed = Transition.objects.filter(project=review.project, action="midterm_pass").count()
        assert midterm_passed == (1 if review.result else 0)


# ---------------------------------------------------------------- points


def test_the_same_contribution_awarded_twice_at_once_is_awarded_once(tenant_a):
    """Two verifiers confirm the same waiting OPL at once; two deciders adopt the same suggestion at once."""
    a = tenant_a
    with tenant_scope(a.tenant):
        opl = make_opl(a)
        idea = suggestions.suggestion_submit(actor=a.employee, title="加装清扫器", problem="撒煤", proposal="加装")
        suggestions.suggestion_evaluate(actor=a.manager, suggestion=idea, evaluation="可行")
        second = make_member(a.hq, [Role.LEAN_OFFICE], number="ALPHA-LO2")

    def verify(actor):
        return lambda: contributions.contribution_verify(actor=actor, contribution=opl)

    def adopt(actor):
        return lambda: suggestions.suggestion_decide(actor=actor, suggestion=idea, adopt=True)

    outcomes = race(
        [verify(a.manager), verify(second), adopt(a.manager), adopt(second)], tenant=a.tenant, gate=rows(opl, idea)
    )
    assert codes(outcomes[:2]) == codes(outcomes[2:]) == ["ok", "wrong_state"]
    with tenant_scope(a.tenant):
        opl = Contribution.objects.get(pk=opl.pk)
        assert opl.status == Contribution.Status.VERIFIED
        assert opl.history.filter(status=Contribution.Status.VERIFIED).count() == 1
        assert Credit.objects.filter(contribution=opl).count() == 1
        assert Contribution.objects.filter(suggestion=idea).count() == 1
        assert Credit.objects.filter(contribution__suggestion=idea, member=a.employee).count() == 1


def test_closing_a_project_twice_at_once_awards_its_team_once(midterm):
    """The chair's double click on the closing decision: one decision, one closing, the team's points once."""
    a = midterm
    reviewer, reviewer2 = panel(a)
    with tenant_scope(a.tenant):
        _submit(a, reviewer2, 90)()
        services.review_decide(actor=reviewer, review=a.extra["review"], result="pass")
        project = Project.objects.get(pk=a.extra["project"].pk)
        services.project_update(actor=a.manager, project=project, verified_benefit=D(1200000))
        project.indicator_links.update(achieved=D("95.5"))
        services.project_transition(actor=a.manager, project=project, action="request_closing")
        closing = project.reviews.get(kind=Review.Kind.CLOSING)
        services.review_setup(actor=a.lean_office, review=closing, reviewers=[reviewer, reviewer2], chair=reviewer)
        for member in (reviewer, reviewer2):
            scores = {c.pk: D(92) for c in a.extra["criteria"]}
            services.review_submit_scores(actor=member, review=closing, scores=scores)
        sign_off(a, project)

    def close():
        return services.review_decide(actor=reviewer, review=closing, result="pass", complexity="medium")

    outcomes = race([close, close], tenant=a.tenant, gate=rows(closing))
    assert codes(outcomes) == ["decided", "ok"]
    with tenant_scope(a.tenant):
        assert Project.objects.get(pk=project.pk).state == State.CLOSED
        assert Transition.objects.filter(project=project, action="close").count() == 1
        award = Contribution.objects.get(project=project)  # awarded after the commit, once
        assert Credit.objects.filter(contribution=award).count() == project.team.count()


def test_a_listing_finalized_twice_and_one_opened_twice_at_once(tenant_a):
    """The first half-year's listing (window closed) is finalized twice at once: its points lock once and HR
    hears of it once. The second half-year's is opened twice at once: one listing."""
    a = tenant_a
    with tenant_scope(a.tenant):
        first_half = make_qc(a)  # verified, 2025-04-20
        second_half = make_qc(a, day=date(2025, 8, 1))
        listing = listings.listing_open(
            actor=a.lean_office,
            period_start=date(2025, 1, 1),
            period_end=date(2025, 6, 30),
            now=timezone.now() - timedelta(days=60),
        )
    sent = []

    def receiver(sender, listing, **kwargs):
        sent.append(listing.pk)

    def finalize():
        return listings.listing_finalize(actor=a.lean_office, listing=listing)

    def open_second_half():
        return listings.listing_open(actor=a.lean_office, period_start=date(2025, 7, 1), period_end=date(2025, 12, 31))

    listing_finalized.connect(receiver, dispatch_uid="test-concurrency-finalized")
    try:
        outcomes = race([finalize, finalize, open_second_half, open_second_half], tenant=a.tenant, gate=rows(listing))
    finally:
        listing_finalized.disconnect(dispatch_uid="test-concurrency-finalized")
    assert codes(outcomes) == ["ok"] * 4  # both are idempotent: the second finds the work done
    assert sent == [listing.pk]
    assert outcomes[2].pk == outcomes[3].pk
    with tenant_scope(a.tenant):
        listing = Listing.objects.get(pk=listing.pk)
        assert listing.state == Listing.State.FINAL
        assert listing.history.filter(state=Listing.State.FINAL).count() == 1
        assert Contribution.history.filter(id=first_half.pk, final=True).count() == 1
        assert Listing.objects.count() == 2
        assert Contribution.objects.get(pk=second_half.pk).listing_id == outcomes[2].pk


# ---------------------------------------------------------------- HR sync


def _batch(numbers):
    """A batch that brings a new unit (the same in every batch) and employees into it."""
    return {
        "units": [{"code": "U2", "name": "二分公司", "parent_code": "HQ"}],
        "employees": [{"employee_number": n, "name": f"员工{n}", "unit_code": "U2"} for n in numbers],
    }


FIRST = [f"E{n}" for n in range(1, 7)]  # E1 … E6
SECOND = [f"E{n}" for n in range(4, 10)]  # E4 … E9: three in common


def _each_once(a, numbers):
    with tenant_scope(a.tenant):
        found = Membership.objects.filter(employee_number__in=numbers).values_list("employee_number", flat=True)
        assert sorted(found) == sorted(set(numbers))
        assert Unit.objects.filter(code="U2").count() == 1


def test_two_overlapping_syncs_at_once_create_each_unit_and_person_once(tenant_a):
    a = tenant_a

    def sync(numbers):
        return lambda: hr_sync(actor=a.lean_office, **_batch(numbers))

    outcomes = race([sync(FIRST), sync(SECOND)], tenant=a.tenant, gate=units)
    assert codes(outcomes) == ["ok", "ok"]  # no IntegrityError: the second sees what the first made
    assert sum(o["employees"]["created"] for o in outcomes) == 9
    assert sum(o["units"]["created"] for o in outcomes) == 1
    _each_once(a, FIRST + SECOND)


def _hr_client(a):
    """A client factory with a new HR key (each thread makes its own client). The key counts as just used, so
    requests do not write its last use (which would queue requests of one key behind each other by itself)."""
    with tenant_scope(a.tenant):
        key, token = api_key_create(actor=a.lean_office, name="HR", scopes=["hr:write"])
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return lambda: Client(HTTP_AUTHORIZATION=f"Bearer {token}", raise_request_exception=False)


def test_syncs_over_the_api_at_once_answer_200_replay_one_idempotency_key_and_create_each_person_once(tenant_a):
    """The HR system retries a batch with its Idempotency-Key while the first attempt still runs, and a second
    feed (its own key) syncs an overlapping batch at the same moment."""
    a = tenant_a
    url = f"/t/{a.tenant.slug}/api/v1/hr/sync/"
    feed, other_feed = _hr_client(a), _hr_client(a)

    def post(client_for, body, **headers):
        return lambda: client_for().post(url, json.dumps(body), content_type="application/json", **headers)

    retried = post(feed, _batch(FIRST), HTTP_IDEMPOTENCY_KEY="hr-2026-10-01")
    responses = race([retried, retried, post(other_feed, _batch(SECOND))], tenant=a.tenant, gate=units, api=True)
    assert [r.status_code for r in responses] == [200, 200, 200], [r.content for r in responses]
    first, again = responses[:2]
    assert first.json() == again.json()  # the first answer, replayed as it was
    assert sorted(r.get("Idempotent-Replayed", "") for r in (first, again)) == ["", "true"]
    applied = [r for r in responses if not r.get("Idempotent-Replayed")]
    assert sum(r.json()["employees"]["created"] for r in applied) == 9
    _each_once(a, FIRST + SECOND)
    with tenant_scope(a.tenant):
        assert IdempotencyRecord.objects.filter(key="hr-2026-10-01").count() == 1
        assert Membership.history.filter(employee_number__in=FIRST + SECOND, history_type="+").count() == 9
