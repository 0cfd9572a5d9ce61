"""Sharing the reading (issue 14): HR or the chair shares the applications out so each is
read by k panel members, balanced, never to someone who stepped aside, with a patient
panelist on every candidate; members see and score only their share; moderation flags
candidates read by fewer than k; a reader who stops has their unscored share moved."""
from __future__ import annotations

from collections import Counter
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from panel.builders import Builder
from panel.models import AuditEvent, Candidate, ShortlistAllocation, ShortlistReaderRelease, Vacancy
from panel.shortlisting import allocation
from panel.shortlisting.allocation import AllocationError, Reader, balance
from tests.builders_plugin import (  # noqa: F401  (sl is a fixture)
    PASSWORD,
    put_scores,
    sl,
    step_aside,
    url,
)
from tests.conftest import make_user
from tests.snapshots import snapshotted

# --- the rules, as a pure function ---------------------------------------------------------

PANEL = [Reader(1, patient=True), Reader(2), Reader(3), Reader(4), Reader(5, patient=True), Reader(6), Reader(7),
         Reader(8)]


def loads(result) -> Counter:
    return Counter(u for uids in result.values() for u in uids)


def test_400_candidates_over_8_members_each_read_by_2_balanced_within_one():
    staff = [Reader(u) for u in range(1, 9)]
    result = balance(range(1, 401), staff, 2)
    assert all(len(uids) == 2 and len(set(uids)) == 2 for uids in result.values())
    counts = loads(result)
    assert sum(counts.values()) == 800
    assert max(counts.values()) - min(counts.values()) <= 1, counts  # 100 each
    assert balance(range(1, 401), staff, 2) == result  # the same every time


def test_with_two_patient_panelists_they_share_the_patient_reading_and_the_rest_is_balanced():
    result = balance(range(1, 401), PANEL, 2)
    assert all(len(set(uids)) == 2 and {1, 5} & set(uids) for uids in result.values())
    counts = loads(result)
    # every candidate needs a patient panelist: 400 readings between the two of them at least
    assert counts[1] == counts[5] == 200
    staff = [counts[u] for u in (2, 3, 4, 6, 7, 8)]
    assert sum(staff) == 400 and max(staff) - min(staff) <= 1, counts


def test_every_candidate_has_a_patient_panelist_when_the_panel_has_one():
    result = balance(range(1, 101), PANEL, 3)
    assert all(len(set(uids)) == 3 and {1, 5} & set(uids) for uids in result.values())
    counts = loads(result)
    staff = [counts[u] for u in (2, 3, 4, 6, 7, 8)]
    assert counts[1] == counts[5] == 50 and max(staff) - min(staff) <= 1, counts
    one_patient = [Reader(1), Reader(2), Reader(3, patient=True), Reader(4)]
    result = balance(range(1, 41), one_patient, 2)
    assert all(3 in uids for uids in result.values())  # the rule wins over balance: 40 for them
    counts = loads(result)
    assert counts[3] == 40 and sorted(counts[u] for u in (1, 2, 4)) == [13, 13, 14]


def test_no_patient_panelist_no_patient_rule():
    staff = [Reader(1), Reader(2), Reader(3)]
    result = balance(range(1, 10), staff, 1)
    assert loads(result) == Counter({1: 3, 2: 3, 3: 3})


def test_nobody_is_given_a_candidate_they_stepped_aside_from():
    aside = {(c, 1) for c in range(1, 51)} | {(7, 5), (7, 2)}
    result = balance(range(1, 101), PANEL, 2, stepped_aside=aside)
    for cid, uids in result.items():
        assert not any((cid, u) in aside for u in uids)
        assert len(uids) == 2 and ({1, 5} & set(uids) or cid == 7)  # both patient panelists know 7
    assert 5 in result[1]  # member 1 stepped aside, so the other patient panelist reads it
    # a candidate only one member can read: read by one, and reported as short
    short = balance([1], [Reader(1), Reader(2)], 2, stepped_aside={(1, 2)})
    assert short == {1: [1]} and allocation.readers_short(short, 2) == {1: 1}


def test_k_must_be_from_1_to_the_number_of_readers():
    for k in (0, 9, "two", "", None, -1):
        with pytest.raises(AllocationError) as exc:
            balance([1, 2], PANEL, k)
        assert exc.value.field == "readers"
        assert "from 1 to 8" in exc.value.message
    with pytest.raises(AllocationError, match="nobody on the panel"):
        balance([1], [], 1)


def test_k_equal_to_the_panel_gives_everyone_everything():
    result = balance(range(1, 6), PANEL, 8)
    assert all(sorted(uids) == list(range(1, 9)) for uids in result.values())


def test_kept_readers_stay_and_count_in_the_balance():
    result = balance(range(1, 5), [Reader(1), Reader(2), Reader(3)], 1, keep={1: [3], 2: [3]})
    assert result[1] == [3] and result[2] == [3]
    assert loads(result) == Counter({1: 1, 2: 1, 3: 2})


class CountingSet(frozenset):
    """A set of stepped-aside pairs that counts how often it is asked: a measure of the
    work done, free of the machine's noise."""

    asked = 0

    def __contains__(self, item):
        type(self).asked += 1
        return super().__contains__(item)


def test_balancing_is_linear_in_candidates():
    def work(n):
        CountingSet.asked = 0
        balance(range(n), PANEL, 2, stepped_aside=CountingSet({(0, 1)}))
        return CountingSet.asked

    small, large = work(400), work(2000)
    assert small > 400
    assert large <= small * 5 * 1.05, (small, large)  # five times the candidates: five times the work


# --- the page: HR or the chair shares the applications out ------------------------------------

@pytest.fixture()
@snapshotted
def big(app, session, sl):
    """sl's vacancy with two staff panel members added (chair, 2 patient panelists, 2 staff)
    and 20 candidates in all."""
    b = Builder(session, sl.hr, app=app, password=PASSWORD)
    staff = [make_user(session, "panelist", f"Staff Member {n}", f"staff{n}@example.org") for n in (1, 2)]
    for user in staff:
        b.panel_member(sl.v, user, "staff")
    extra = [b.candidate(sl.v) for _ in range(17)]
    session.commit()
    return SimpleNamespace(**vars(sl), staff=staff, all=sl.candidates + extra)


def stored(session, vacancy) -> dict[int, set[int]]:
    session.expire_all()
    out: dict[int, set[int]] = {}
    for a in session.scalars(select(ShortlistAllocation).where(ShortlistAllocation.vacancy_id == vacancy.id)):
        out.setdefault(a.candidate_id, set()).add(a.user_id)
    return out


def share(client, v, readers):
    return client.post_form(url(v, "shortlisting/allocation"), {"readers": readers})


@pytest.mark.parametrize("who", ["hr", "chair"])
def test_hr_and_the_chair_share_the_applications_out(as_user, session, big, who):
    client = as_user(getattr(big, who))
    page = client.get(url(big.v, "shortlisting/allocation"))
    assert page.status_code == 200
    assert "everyone on the panel" in page.get_data(as_text=True)
    r = share(client, big.v, "2")
    assert r.status_code == 302, r.get_data(as_text=True)
    allocated = stored(session, big.v)
    assert len(allocated) == 20 and all(len(u) == 2 for u in allocated.values())
    patients = {big.panelist.id, big.panelist2.id}
    assert all(u & patients for u in allocated.values())
    session.refresh(big.v)
    assert big.v.shortlist_readers == 2
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "allocate")).one()
    assert event.vacancy_id == big.v.id and "each read by 2 panel members" in event.summary
    assert event.changes["readers per application"] == {"before": "everyone", "after": 2}
    page = client.get(url(big.v, "shortlisting/allocation")).get_data(as_text=True)
    assert "2 panel members" in page and "Submitted" in page
    # back to everyone: k = the whole panel
    assert share(client, big.v, "5").status_code == 302
    assert stored(session, big.v) == {}
    session.refresh(big.v)
    assert big.v.shortlist_readers is None


@pytest.mark.parametrize("value,message", [
    ("6", "Enter a number from 1 to 5"), ("0", "Enter a number from 1 to 5"),
    ("two", "as a number from 1 to 5"), ("", "Enter how many panel members should read each application"),
])
def test_invalid_k_is_refused_next_to_the_field_and_changes_nothing(as_user, session, big, value, message):
    client = as_user(big.hr)
    r = share(client, big.v, value)
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert message in page and "There is a problem" in page
    assert 'id="readers-error"' in page  # the NHS inline error, next to the field
    assert stored(session, big.v) == {}
    assert not session.scalars(select(AuditEvent).where(AuditEvent.action == "allocate")).first()


@pytest.mark.parametrize("who", ["panelist", "panelist2", "other"])
def test_panel_members_cannot_share_the_applications_out(as_user, session, big, who):
    client = as_user(getattr(big, who))
    assert client.get(url(big.v, "shortlisting/allocation")).status_code == 404
    assert share(client, big.v, "2").status_code == 404
    assert client.post_form(url(big.v, "shortlisting/allocation/release"),
                            {"member": big.panelist.id}).status_code == 404
    assert stored(session, big.v) == {}


def test_a_reader_who_stops_has_their_unscored_share_moved_and_audited(as_user, session, big):
    client = as_user(big.hr)
    assert share(client, big.v, "2").status_code == 302
    before = stored(session, big.v)
    leaver = big.staff[0]
    theirs = sorted(cid for cid, uids in before.items() if leaver.id in uids)
    assert len(theirs) >= 4
    scored = next(c for c in big.all if c.id == theirs[0])
    put_scores(session, scored, leaver, [2, 1, 2])  # scored and submitted: stays with them
    r = client.post_form(url(big.v, "shortlisting/allocation/release"), {"member": leaver.id})
    assert r.status_code == 302, r.get_data(as_text=True)
    after = stored(session, big.v)
    assert {cid for cid, uids in after.items() if leaver.id in uids} == {scored.id}
    for cid, uids in after.items():
        assert len(uids - {leaver.id}) >= 2 or cid == scored.id
        assert uids & {big.panelist.id, big.panelist2.id}
    counts = Counter(u for cid, uids in after.items() for u in uids if u != leaver.id)
    assert max(counts.values()) - min(counts.values()) <= 2, counts  # the patient rule may tip one more
    for cid in theirs[1:]:
        assert before[cid] - {leaver.id} <= after[cid]  # the others keep what they had
    assert session.scalars(select(ShortlistReaderRelease)).one().user_id == leaver.id
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "reallocate")).one()
    assert f"{len(theirs) - 1} unscored applications shared among the others" in event.summary
    assert event.changes[f"applications for {leaver.name}"]["after"] == 1
    # sharing out again never gives them new work
    assert share(client, big.v, "2").status_code == 302
    assert {cid for cid, uids in stored(session, big.v).items() if leaver.id in uids} == {scored.id}
    # twice: refused next to the field
    r = client.post_form(url(big.v, "shortlisting/allocation/release"), {"member": leaver.id})
    assert r.status_code == 400 and "has already stopped reading" in r.get_data(as_text=True)


@pytest.mark.parametrize("who", ["hr", "chair"])
def test_a_reading_stop_can_be_undone_and_is_audited(as_user, session, big, who):
    client = as_user(getattr(big, who))
    assert share(client, big.v, "2").status_code == 302
    leaver = big.staff[0]
    theirs = sorted(cid for cid, uids in stored(session, big.v).items() if leaver.id in uids)
    scored = next(c for c in big.all if c.id == theirs[0])
    put_scores(session, scored, leaver, [2, 1, 2])
    assert client.post_form(url(big.v, "shortlisting/allocation/release"), {"member": leaver.id}).status_code == 302
    page = client.get(url(big.v, "shortlisting/allocation")).get_data(as_text=True)
    assert "If someone who stopped can read again" in page and 'id="resume-member' in page
    # nobody chosen, or someone who has not stopped: refused next to the field, nothing changes
    before = stored(session, big.v)
    r = client.post_form(url(big.v, "shortlisting/allocation/resume"), {})
    assert r.status_code == 400 and "Choose the panel member who reads again" in r.get_data(as_text=True)
    r = client.post_form(url(big.v, "shortlisting/allocation/resume"), {"resume-member": big.staff[1].id})
    assert r.status_code == 400 and "Choose a panel member who has stopped reading" in r.get_data(as_text=True)
    assert stored(session, big.v) == before

    r = client.post_form(url(big.v, "shortlisting/allocation/resume"), {"resume-member": leaver.id})
    assert r.status_code == 302, r.get_data(as_text=True)
    after = stored(session, big.v)
    assert not session.scalars(select(ShortlistReaderRelease)).all()
    mine = {cid for cid, uids in after.items() if leaver.id in uids}
    assert scored.id in mine and len(mine) >= 4  # their share back, their started work kept
    for cid, uids in after.items():
        assert len(uids) >= 2 and uids & {big.panelist.id, big.panelist2.id}
    counts = Counter(u for uids in after.values() for u in uids)
    patients = [counts.pop(big.panelist.id), counts.pop(big.panelist2.id)]
    assert max(patients) - min(patients) <= 1 and max(counts.values()) - min(counts.values()) <= 1, counts
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "reallocate")
                            .order_by(AuditEvent.id.desc())).first()
    assert event.summary.startswith(f"{leaver.name} reads applications for {big.v.reference} again: "
                                    f"{len(mine) - 1} unstarted applications shared back to them")
    assert event.changes["stopped reading"] == {"before": True, "after": False}
    assert event.actor_id == getattr(big, who).id
    # undone twice: refused
    r = client.post_form(url(big.v, "shortlisting/allocation/resume"), {"resume-member": leaver.id})
    assert r.status_code == 400


def test_release_is_refused_when_too_few_would_be_left_or_nothing_is_shared(as_user, session, big):
    client = as_user(big.hr)
    r = client.post_form(url(big.v, "shortlisting/allocation/release"), {"member": big.staff[0].id})
    assert r.status_code == 400 and "Share the applications out first" in r.get_data(as_text=True)
    assert share(client, big.v, "4").status_code == 302
    assert client.post_form(url(big.v, "shortlisting/allocation/release"),
                            {"member": big.staff[0].id}).status_code == 302
    r = client.post_form(url(big.v, "shortlisting/allocation/release"), {"member": big.staff[1].id})
    assert r.status_code == 400 and "only 3 would be left" in r.get_data(as_text=True)
    r = client.post_form(url(big.v, "shortlisting/allocation/release"), {"member": "nobody"})
    assert r.status_code == 400 and "Choose the panel member who has stopped reading" in r.get_data(as_text=True)


def test_sharing_out_avoids_members_who_stepped_aside(as_user, session, big):
    c = big.all[5]
    step_aside(session, c, big.panelist)
    step_aside(session, c, big.staff[0])
    assert share(as_user(big.hr), big.v, "2").status_code == 302
    readers = stored(session, big.v)[c.id]
    assert big.panelist.id not in readers and big.staff[0].id not in readers
    assert big.panelist2.id in readers and len(readers) == 2


# --- a member reads only their share ----------------------------------------------------------

def mine(session, big, user) -> set[int]:
    return {cid for cid, uids in stored(session, big.v).items() if user.id in uids}


@pytest.fixture()
def shared(as_user, session, big):
    """big, with the applications shared out two readers each."""
    assert share(as_user(big.hr), big.v, "2").status_code == 302
    return big


def test_a_member_sees_only_their_share_and_progress_against_it(as_user, session, shared):
    big = shared
    client = as_user(big.staff[0])
    theirs = mine(session, big, big.staff[0])
    assert 0 < len(theirs) < 20
    page = client.get(url(big.v, "shortlisting")).get_data(as_text=True)
    listed = {c.id for c in big.all if f"/shortlisting/candidates/{c.id}\"" in page}
    assert listed == theirs
    assert f"0 of {len(theirs)} read" in page and "each is read by 2 panel members" in page
    first = next(c for c in big.all if c.id in theirs)
    put_scores(session, first, big.staff[0], [2, 2, 1])
    page = client.get(url(big.v, "shortlisting")).get_data(as_text=True)
    assert f"1 of {len(theirs)} read" in page


def test_a_candidate_not_allocated_is_404_to_the_member_on_every_route(as_user, session, shared):
    big = shared
    member = big.staff[0]
    client = as_user(member)
    other = next(c for c in big.all if c.id not in mine(session, big, member))
    base = url(big.v, "shortlisting/candidates", other.id)
    assert client.get(base).status_code == 404
    assert client.post_form(f"{base}/conflict", {"knows": "no"}).status_code == 404
    crit = big.criteria[0]
    assert client.post_form(f"{base}/scores", {f"score_{crit.id}": "2", "action": "save"}).status_code == 404
    assert client.post(f"{base}/scores/{crit.id}", json={"score": "2", "notes": "", "version": 0},
                       headers={"X-CSRFToken": client.csrf_token(), "Accept": "application/json"}).status_code == 404
    assert client.get(f"{base}/submit").status_code == 404
    assert client.post_form(f"{base}/submit", {}).status_code == 404
    session.expire_all()
    from panel.models import ConflictDeclaration, ShortlistScore

    assert not session.scalars(select(ConflictDeclaration).where(ConflictDeclaration.candidate_id == other.id)).first()
    assert not session.scalars(select(ShortlistScore).where(ShortlistScore.candidate_id == other.id)).first()
    # their own candidate still opens
    own = next(c for c in big.all if c.id in mine(session, big, member))
    assert client.get(url(big.v, "shortlisting/candidates", own.id)).status_code == 200


def test_the_allocation_fact_in_the_predicates(session, shared):
    from panel import permissions

    big = shared
    session.refresh(big.v)
    c = big.all[0]
    member = big.staff[0]
    assert not permissions.can_open_shortlisting_candidate(member, big.v, c, allocated=False)
    assert permissions.can_open_shortlisting_candidate(member, big.v, c, allocated=True)
    assert not permissions.can_read_application(member, big.v, c, None, allocated=False)
    assert permissions.can_read_application(big.hr, big.v, c, None, allocated=False)  # HR reads everything
    assert permissions.can_allocate_shortlisting(big.hr, big.v) and permissions.can_allocate_shortlisting(big.chair, big.v)
    assert not permissions.can_allocate_shortlisting(member, big.v)
    big.v.shortlist_readers = None  # everyone reads everything: the fact does not matter
    assert permissions.can_open_shortlisting_candidate(member, big.v, c, allocated=False)
    session.rollback()


def test_save_and_next_goes_only_to_the_members_share(as_user, session, shared):
    """Stepping aside moves on to the next candidate that needs them (the same "next" as saving
    and going on): through the whole share and nothing else."""
    import re

    big = shared
    client = as_user(big.panelist)
    theirs = mine(session, big, big.panelist)
    page = client.get(url(big.v, "shortlisting")).get_data(as_text=True)
    found = re.search(r"/shortlisting/candidates/(\d+)\"", page)
    seen = []
    while found and len(seen) <= len(theirs):
        cid = int(found.group(1))
        assert cid in theirs and cid not in seen
        seen.append(cid)
        r = client.post_form(url(big.v, "shortlisting/candidates", cid, "conflict"), {"knows": "yes"})
        assert r.status_code == 302
        found = re.search(r"/shortlisting/candidates/(\d+)$", r.headers["Location"])
    assert set(seen) == theirs


def test_moderation_shows_who_read_what_means_over_scorers_and_flags_fewer_than_k(as_user, session, shared):
    big = shared
    names = {u.id: u.name for u in (big.chair, big.panelist, big.panelist2, *big.staff)}
    c = big.all[0]
    readers = sorted(stored(session, big.v)[c.id])
    put_scores(session, c, next(u for u in (big.chair, big.panelist, big.panelist2, *big.staff) if u.id == readers[0]),
               [2, 2, 2])
    put_scores(session, c, next(u for u in (big.chair, big.panelist, big.panelist2, *big.staff) if u.id == readers[1]),
               [0, 1, 2])
    short = big.all[1]
    leaving = sorted(stored(session, big.v)[short.id])[0]
    step_aside(session, short, next(u for u in (big.chair, big.panelist, big.panelist2, *big.staff) if u.id == leaving))
    client = as_user(big.chair)
    page = client.get(url(big.v, "shortlisting/moderation")).get_data(as_text=True)
    block = page[page.index(f'id="candidate-{c.id}"'):]
    block = block[:block.index("</li>")]
    assert "Read by " in block and all(names[u].replace("'", "&#39;") in block for u in readers), block
    assert "1 of 20" not in block
    short_block = page[page.index(f'id="candidate-{short.id}"'):]
    short_block = short_block[:short_block.index("</li>")]
    assert "Read by fewer than 2" in short_block and "Read by fewer than 2" not in block
    assert "1 candidate is read by fewer than 2" in page
    data_page = client.get(url(big.v, "shortlisting/moderation", c.id)).get_data(as_text=True)
    # the two readers' scores are all in: the means are over them ((2+0)/2, (2+1)/2, (2+2)/2)
    assert "Waiting for scores" not in data_page
    assert "3.5" in data_page


def test_progress_counts_each_members_share(as_user, session, shared):
    big = shared
    page = as_user(big.hr).get(url(big.v, "shortlisting/progress")).get_data(as_text=True)
    for user in (big.panelist, big.staff[0]):
        assert f"0 of {len(mine(session, big, user))}" in page
    assert "0 of 2 panel members submitted" in page


def test_the_pages_cost_the_same_queries_at_20_and_100_candidates(app, as_user, session, big):
    """The member's list, the allocation page, progress and moderation, with the reading shared."""
    from tests.conftest import count_queries

    b = Builder(session, big.hr, app=app, password=PASSWORD)
    pages = [(as_user(big.panelist), "shortlisting"), (as_user(big.hr), "shortlisting/allocation"),
             (as_user(big.hr), "shortlisting/progress"), (as_user(big.chair), "shortlisting/moderation")]
    hr = as_user(big.hr)
    assert share(hr, big.v, "2").status_code == 302

    def measure():
        counts = []
        for client, path in pages:
            client.get(url(big.v, path))  # warm up
            with count_queries(app) as statements:
                assert client.get(url(big.v, path)).status_code == 200
            counts.append(len(statements))
        return counts

    at_20 = measure()
    for n in range(80):
        b.candidate(big.v, email=f"more{n}@candidates.example.org")
    session.commit()
    assert share(hr, big.v, "3").status_code == 302
    at_100 = measure()
    assert at_20 == at_100, (at_20, at_100)
    assert len(mine(session, big, big.panelist)) >= 100 * 3 // 5 - 1


def test_a_members_shortlisting_pack_holds_only_their_share(app, session, shared):
    from panel.packs import context as pack_context

    big = shared
    theirs = mine(session, big, big.staff[0])
    labels = {f"Candidate {c.number:02d}" for c in big.all if c.id in theirs}
    with app.test_request_context():
        vacancy = pack_context.load_vacancy(big.v.id)
        own = pack_context.build("shortlisting", vacancy, for_user_id=big.staff[0].id)
        everyone = pack_context.build("shortlisting", vacancy)  # HR's copy: every application
    assert {c["label"] for c in own["candidates"]} == labels
    assert len(everyone["candidates"]) == 20


def test_sharing_out_again_fills_gaps_and_keeps_what_people_have(as_user, session, shared, app):
    """A candidate whose reader stepped aside is read by fewer than k until HR shares out
    again, which fills the gap and moves nobody else (a candidate added later is given to
    readers at once)."""
    big = shared
    before = stored(session, big.v)
    late = Builder(session, big.hr, app=app, password=PASSWORD).candidate(big.v, email="late@candidates.example.org")
    session.commit()
    assert len(stored(session, big.v)[late.id]) == 2
    knows = big.all[3]
    step_aside(session, knows, next(u for u in (big.chair, big.panelist, big.panelist2, *big.staff)
                                    if u.id == sorted(before[knows.id])[0]))
    client = as_user(big.hr)
    page = client.get(url(big.v, "shortlisting/allocation")).get_data(as_text=True)
    assert "1 application is read by fewer than 2 panel members" in page
    assert share(client, big.v, "2").status_code == 302
    after = stored(session, big.v)
    assert len(after[late.id]) == 2 and len(after[knows.id]) == 3  # the one who knows them keeps the row
    assert all(before[cid] <= after[cid] for cid in before)
    page = client.get(url(big.v, "shortlisting/allocation")).get_data(as_text=True)
    assert "read by fewer than" not in page


def test_a_candidate_nobody_was_given_is_not_ready_to_decide():
    from panel.shortlisting import scoring

    crit = [scoring.CriterionInfo(id=1, number=1, text="Experience", essential=True)]
    shared = scoring.moderate(7, crit, [], [], [], {}, readers_wanted=2)
    assert not shared.all_in and shared.readers_short
    one = scoring.moderate(7, crit, [3], [], [3], {(1, 3): 2}, readers_wanted=2)
    assert one.all_in and one.readers_short and one.total == 2
    everyone = scoring.moderate(7, crit, [3, 4], [], [3, 4], {(1, 3): 2, (1, 4): 1})
    assert everyone.all_in and not everyone.readers_short and everyone.total == 1.5


def test_the_chair_moderates_a_candidate_they_were_not_given_once_the_readers_are_in(as_user, session, shared):
    big = shared
    people = {u.id: u for u in (big.chair, big.panelist, big.panelist2, *big.staff)}
    allocated = stored(session, big.v)
    c = next(x for x in big.all if big.chair.id not in allocated[x.id])
    client = as_user(big.chair)
    readers = sorted(allocated[c.id])
    put_scores(session, c, people[readers[0]], [2, 2, 2])
    page = client.get(url(big.v, "shortlisting/moderation", c.id)).get_data(as_text=True)
    assert "Waiting for scores: 1 of 2" in page  # not until every reader is in
    put_scores(session, c, people[readers[1]], [2, 1, 2])
    page = client.get(url(big.v, "shortlisting/moderation", c.id)).get_data(as_text=True)
    assert "Waiting for scores" not in page and "5.5" in page  # 2 + 1.5 + 2
    r = client.post_form(url(big.v, "shortlisting/moderation", c.id), {"outcome": "shortlist", "reason": "",
                                                                        "version": ""})
    assert r.status_code == 302, r.get_data(as_text=True)


# --- candidates added after sharing out ---------------------------------------------------------

def test_a_candidate_added_by_form_after_sharing_out_is_given_to_readers_at_once(as_user, session, shared):
    big = shared
    patients = {big.panelist.id, big.panelist2.id}
    loads_before = Counter(u for uids in stored(session, big.v).values() for u in uids)
    r = as_user(big.hr).post_form(url(big.v, "candidates/new"), {
        "first_name": "Late", "last_name": "Comer", "email": "late.comer@example.org", "phone": "",
        "supporting_information": "I applied late."})
    assert r.status_code == 302, r.get_data(as_text=True)
    session.expire_all()
    late = session.scalar(select(Candidate).where(Candidate.email == "late.comer@example.org"))
    readers = stored(session, big.v)[late.id]
    assert len(readers) == 2 and readers & patients
    # the least loaded are chosen: nobody ends up two ahead of another non-patient reader
    loads_after = Counter(u for uids in stored(session, big.v).values() for u in uids)
    assert sum(loads_after.values()) == sum(loads_before.values()) + 2
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "create",
                                                     AuditEvent.entity_type == "candidate",
                                                     AuditEvent.entity_id == late.id)).one()
    assert "given to 2 panel members to read" in event.summary
    assert event.changes["panel members reading"] == {"before": 0, "after": 2}
    assert not session.scalars(select(AuditEvent).where(AuditEvent.action.in_(["allocate", "reallocate"]),
                                                        AuditEvent.id > event.id)).all()


def test_a_csv_import_after_sharing_out_is_shared_balanced_and_never_to_someone_who_stopped(as_user, session,
                                                                                           shared):
    import io

    big = shared
    hr = as_user(big.hr)
    assert hr.post_form(url(big.v, "shortlisting/allocation/release"),
                        {"member": str(big.staff[1].id)}).status_code == 302
    counts_before = Counter(u for uids in stored(session, big.v).values() for u in uids)
    lines = "".join(f"New,Person{n},new{n}@example.org,,Statement {n}.,no\r\n" for n in range(30))
    data = ("first_name,last_name,email,phone,supporting_information,disability_confident\r\n" + lines).encode()
    r = hr.post_form(url(big.v, "candidates/import"), {"file": (io.BytesIO(data), "c.csv")},
                     content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)
    session.expire_all()
    new = session.scalars(select(Candidate).where(Candidate.email.like("new%@example.org"))).all()
    after = stored(session, big.v)
    assert len(new) == 30
    patients = {big.panelist.id, big.panelist2.id}
    for c in new:
        assert len(after[c.id]) == 2 and after[c.id] & patients and big.staff[1].id not in after[c.id]
    gained = Counter(u for c in new for u in after[c.id])
    assert gained[big.panelist.id] + gained[big.panelist2.id] >= 30
    totals = Counter(u for uids in after.values() for u in uids)
    assert abs(totals[big.panelist.id] - totals[big.panelist2.id]) <= 1
    assert sum(gained.values()) == 60 and sum(totals.values()) == sum(counts_before.values()) + 60
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "import")).one()
    assert event.changes == {"applications given to readers": {"before": 0, "after": 60}}
    creates = session.scalars(select(AuditEvent).where(AuditEvent.action == "create",
                                                       AuditEvent.summary.like("%CSV import"))).all()
    assert len(creates) == 30  # one row each as before, nothing more per candidate


def test_candidates_added_when_everyone_reads_are_not_allocated(as_user, session, big, app):
    late = Builder(session, big.hr, app=app, password=PASSWORD).candidate(big.v, email="late@candidates.example.org")
    session.commit()
    assert stored(session, big.v) == {} and late.id


# --- the export -----------------------------------------------------------------------------------

def test_the_export_says_who_read_each_candidate_and_flags_fewer_than_k(as_user, session, shared):
    import csv
    import io

    big = shared
    people = {u.id: u for u in (big.chair, big.panelist, big.panelist2, *big.staff)}
    big.staff[0].name = "=HYPERLINK(\"http://evil\")"  # a name is neutralised like any other cell
    session.commit()
    allocated = stored(session, big.v)
    full = next(c for c in big.all if big.staff[0].id in allocated[c.id])
    for uid in allocated[full.id]:
        put_scores(session, full, people[uid], [2, 1, 2])
    short = next(c for c in big.all if c.id != full.id)
    leaving, staying = sorted(allocated[short.id])
    step_aside(session, short, people[leaving])
    put_scores(session, short, people[staying], [1, 1, 1])
    r = as_user(big.chair).get(url(big.v, "shortlisting/export.csv"))
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    header, body = rows[0], rows[1:]
    assert "Read by" in header and "Read by fewer than 2" in header
    read_by, fewer = header.index("Read by"), header.index("Read by fewer than 2")
    label = {c.id: f"Candidate {c.number:02d}" for c in big.all}
    names = {people[u].name for u in allocated[full.id]}
    full_rows = [row for row in body if row[0] == label[full.id]]
    assert full_rows and all(set(row[read_by].removeprefix("'").split("; ")) == names and row[fewer] == "No"
                         for row in full_rows)
    short_rows = [row for row in body if row[0] == label[short.id]]
    assert short_rows and all(row[read_by] == people[staying].name and row[fewer] == "Yes" for row in short_rows)
    assert not any(cell.startswith("=") for row in body for cell in row)


def test_the_export_has_no_reading_columns_when_everyone_reads(as_user, session, big):
    r = as_user(big.chair).get(url(big.v, "shortlisting/export.csv"))
    assert "Read by" not in r.get_data(as_text=True)


# --- the audit log's secrecy rule: "all in" over the candidate's readers ----------------------------

def test_the_chair_reads_audited_scores_once_the_candidates_readers_are_all_in(as_user, session, shared):
    from panel.records import secrecy

    big = shared
    people = {u.id: u for u in (big.chair, big.panelist, big.panelist2, *big.staff)}
    allocated = stored(session, big.v)
    knows = next(c for c in big.all if big.chair.id in allocated[c.id])  # the chair steps aside
    not_given = next(c for c in big.all if big.chair.id not in allocated[c.id])
    step_aside(session, knows, big.chair)
    other = next(u for u in allocated[knows.id] if u != big.chair.id)
    waiting, last = sorted(allocated[not_given.id])

    def hidden(candidate):
        session.expire_all()
        events = session.scalars(select(AuditEvent).where(AuditEvent.action.in_(["score", "submit"]),
                                                          AuditEvent.candidate_id == candidate.id)).all()
        assert events
        chair = session.get(type(big.chair), big.chair.id)
        return set(secrecy.hidden_events(session, chair, events).values())

    put_scores(session, knows, people[other], [2, 1, 2])
    put_scores(session, not_given, people[waiting], [1, 1, 1])
    assert hidden(knows) == set()  # every reader of theirs is in (the rest of the panel never reads it)
    assert hidden(not_given)  # one of its two readers is not in yet
    put_scores(session, not_given, people[last], [2, 2, 2])
    assert hidden(not_given) == set()  # as on the moderation page
    page = as_user(big.staff[0]).get(url(big.v, "shortlisting")).status_code
    assert page == 200


def test_the_demo_has_a_large_vacancy_with_the_reading_shared_out(app, session):
    from panel.demo import LARGE_APPLICATIONS, load_demo
    from panel.models import PanelRole

    with app.app_context():
        load_demo()
    v = session.scalar(select(Vacancy).where(Vacancy.reference == "TPWP-LIN-0512"))
    assert v.stage.shortlisting_open and v.shortlist_readers == 2
    readers = stored(session, v)
    patients = {m.user_id for m in v.panel_members if m.panel_role == PanelRole.PATIENT}
    assert len(readers) == LARGE_APPLICATIONS and all(len(u) == 2 and u & patients for u in readers.values())
    counts = Counter(u for uids in readers.values() for u in uids)
    assert sorted(counts.values()) == [60, 60, 60, 60]  # 240 readings over 4 members
