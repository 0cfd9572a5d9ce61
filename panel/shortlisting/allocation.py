"""Sharing the reading (issue 14): HR or the chair shares the applications out so that each
is read by k panel members instead of everyone.

The rules, in ``balance`` (pure, no database): every live candidate gets k readers; nobody
reads a candidate they stepped aside from; when the panel has a patient panelist, every
candidate has at least one; the numbers each member reads differ by at most one where those
rules allow (the member with the fewest so far is picked next, ties in panel order, so the
result is the same every time). Cost O(N x M) for N candidates and M panel members.

Work already started is never taken away: a member's allocation they have scored or
submitted stays with them when the applications are shared out again or when they stop
reading (``release_reader``): only the unscored part moves to the others.
Services flush, never commit; every change is written to the audit log."""
from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from panel import audit
from panel.db import db
from panel.errors import ServiceError
from panel.models import (
    Candidate,
    AT_SHORTLISTING,
    ConflictDeclaration,
    PanelRole,
    ShortlistAllocation,
    ShortlistReaderRelease,
    ShortlistScore,
    ShortlistSubmission,
    User,
    Vacancy,
)

READERS_FIELD = "readers"


class AllocationError(ServiceError):
    """Refused: the applications cannot be shared out that way."""


@dataclass(frozen=True)
class Reader:
    user_id: int
    patient: bool = False


# --- the rules (pure) ------------------------------------------------------------

def check_readers(k, available: int) -> int:
    """k as a whole number from 1 to the number of panel members who can read, or a refusal
    in plain English for the field."""
    if available < 1:
        raise AllocationError("There is nobody on the panel to read the applications. Add panel members first.",
                              field=READERS_FIELD)
    try:
        k = int(str(k).strip())
    except (TypeError, ValueError):
        raise AllocationError(f"Enter how many panel members should read each application, as a number from 1 to "
                              f"{available}", field=READERS_FIELD) from None
    if not 1 <= k <= available:
        people = "panel member" if available == 1 else "panel members"
        raise AllocationError(f"Enter a number from 1 to {available}: there {'is' if available == 1 else 'are'} "
                              f"{available} {people} to read the applications", field=READERS_FIELD)
    return k


def balance(candidate_ids: Sequence[int], readers: Sequence[Reader], k: int, *,
            stepped_aside: Collection[tuple[int, int]] = frozenset(),
            keep: Mapping[int, Sequence[int]] | None = None) -> dict[int, list[int]]:
    """candidate id -> the user ids who read it.

    ``readers``: the panel members who can read, in panel order; ``stepped_aside``:
    (candidate id, user id) pairs; ``keep``: readers a candidate already has and keeps
    (work started), counted in everyone's load. Raises AllocationError when k is not
    from 1 to the number of readers."""
    k = check_readers(k, len(readers))
    keep = keep or {}
    position = {r.user_id: n for n, r in enumerate(readers)}
    patients = {r.user_id for r in readers if r.patient}
    load: Counter[int] = Counter({r.user_id: 0 for r in readers})
    for uids in keep.values():
        load.update(u for u in uids if u in position)
    result: dict[int, list[int]] = {}
    for cid in candidate_ids:
        chosen = list(keep.get(cid, ()))
        reading = sum(1 for u in chosen if (cid, u) not in stepped_aside)
        free = [u for u in position if u not in chosen and (cid, u) not in stepped_aside]

        def take(pool: list[int]) -> None:
            nonlocal reading
            u = min(pool, key=lambda u: (load[u], position[u]))
            chosen.append(u)
            free.remove(u)
            load[u] += 1
            reading += 1

        if patients and not any(u in patients and (cid, u) not in stepped_aside for u in chosen):
            free_patients = [u for u in free if u in patients]
            if free_patients:
                take(free_patients)
        while reading < k and free:
            take(free)
        result[cid] = chosen
    return result


def readers_short(allocation: Mapping[int, Sequence[int]], k: int,
                  stepped_aside: Collection[tuple[int, int]] = frozenset()) -> dict[int, int]:
    """Candidates read by fewer than k (not counting those who stepped aside): id -> readers."""
    counts = {cid: sum(1 for u in uids if (cid, u) not in stepped_aside) for cid, uids in allocation.items()}
    return {cid: n for cid, n in counts.items() if n < k}


# --- what is stored (a fixed number of queries) -------------------------------------

@dataclass
class MemberShare:
    user: User
    role_label: str
    released: bool
    allocated: int  # live applications to read, less those they stepped aside from
    submitted: int


@dataclass
class AllocationState:
    vacancy: Vacancy
    candidates: list[tuple[int, int, bool]]  # (id, number, withdrawn), in number order
    allocation: dict[int, list[int]] = field(default_factory=dict)  # candidate id -> user ids, panel order
    released: set[int] = field(default_factory=set)
    stepped_aside: set[tuple[int, int]] = field(default_factory=set)
    started: set[tuple[int, int]] = field(default_factory=set)  # scored (in part) or submitted
    submitted: set[tuple[int, int]] = field(default_factory=set)

    @property
    def k(self) -> int | None:
        return self.vacancy.shortlist_readers

    @property
    def live_ids(self) -> list[int]:
        return [cid for cid, _n, withdrawn in self.candidates if not withdrawn]

    def readers(self) -> list[Reader]:
        """Panel members who can be given applications to read, in panel order."""
        return [Reader(m.user_id, m.panel_role == PanelRole.PATIENT) for m in self.vacancy.panel_members
                if m.user_id not in self.released]

    def counts(self) -> Counter[int]:
        """user id -> how many live candidates they are allocated."""
        live = set(self.live_ids)
        return Counter(u for cid, uids in self.allocation.items() if cid in live for u in uids)

    def short(self) -> dict[int, int]:
        """Live candidates read by fewer than k: id -> readers (empty when everyone reads)."""
        if self.k is None:
            return {}
        return readers_short({cid: self.allocation.get(cid, []) for cid in self.live_ids}, self.k, self.stepped_aside)

    def members(self) -> list[MemberShare]:
        """Each panel member's share of the live applications and how many they have submitted."""
        live = set(self.live_ids)
        done = Counter(u for cid, u in self.submitted if cid in live)
        aside = Counter(u for cid, u in self.stepped_aside if cid in live)
        reading = Counter(u for cid, uids in self.allocation.items() if cid in live
                          for u in uids if (cid, u) not in self.stepped_aside)
        return [MemberShare(user=m.user, role_label=m.panel_role.label, released=m.user_id in self.released,
                            allocated=reading[m.user_id] if self.k is not None else len(live) - aside[m.user_id],
                            submitted=done[m.user_id]) for m in self.vacancy.panel_members]

    def no_patient(self) -> list[int]:
        """Live candidates with no patient panelist reading, when the panel has one."""
        patients = {r.user_id for r in self.readers() if r.patient}
        if self.k is None or not patients:
            return []
        return [cid for cid in self.live_ids
                if not any(u in patients and (cid, u) not in self.stepped_aside for u in self.allocation.get(cid, []))]


def _pairs(model, vacancy_id: int, *where):
    return (select(model.candidate_id, model.user_id).join(Candidate, Candidate.id == model.candidate_id)
            .where(Candidate.vacancy_id == vacancy_id, *where))


def load_state(vacancy: Vacancy) -> AllocationState:
    """Everything the allocation page and the services need: six queries, whatever the numbers.
    The vacancy must come with its panel loaded."""
    session = db()
    state = AllocationState(vacancy=vacancy, candidates=[
        (cid, number, withdrawn is not None) for cid, number, withdrawn in session.execute(
            select(Candidate.id, Candidate.number, Candidate.withdrawn_at)
            .where(Candidate.vacancy_id == vacancy.id).order_by(Candidate.number))])
    order = {m.user_id: n for n, m in enumerate(vacancy.panel_members)}
    for cid, uid in session.execute(select(ShortlistAllocation.candidate_id, ShortlistAllocation.user_id)
                                    .where(ShortlistAllocation.vacancy_id == vacancy.id)):
        state.allocation.setdefault(cid, []).append(uid)
    for uids in state.allocation.values():
        uids.sort(key=lambda u: (order.get(u, len(order)), u))
    state.released = set(session.scalars(select(ShortlistReaderRelease.user_id)
                                         .where(ShortlistReaderRelease.vacancy_id == vacancy.id)))
    state.stepped_aside = {tuple(p) for p in session.execute(
        _pairs(ConflictDeclaration, vacancy.id, ConflictDeclaration.aside_at(AT_SHORTLISTING)))}
    state.submitted = {tuple(p) for p in session.execute(_pairs(ShortlistSubmission, vacancy.id))}
    state.started = state.submitted | {tuple(p) for p in session.execute(_pairs(ShortlistScore, vacancy.id).distinct())}
    return state


def allocated_candidate_ids(vacancy: Vacancy, user_id: int) -> set[int] | None:
    """The candidates allocated to this panel member, or None when everyone reads everything
    (no query then, one otherwise)."""
    if vacancy.shortlist_readers is None:
        return None
    return set(db().scalars(select(ShortlistAllocation.candidate_id).where(
        ShortlistAllocation.vacancy_id == vacancy.id, ShortlistAllocation.user_id == user_id)))


def is_allocated(vacancy: Vacancy, user_id: int | None, candidate_id: int) -> bool:
    """The fact permissions.is_my_application takes, for one candidate: allocated to this person
    (always, when everyone reads everything; no query then, one otherwise)."""
    if vacancy.shortlist_readers is None:
        return True
    return user_id is not None and db().scalar(select(ShortlistAllocation.id).where(
        ShortlistAllocation.candidate_id == candidate_id, ShortlistAllocation.user_id == user_id)) is not None


# --- the services ------------------------------------------------------------------

def _store(session: Session, state: AllocationState, new: Mapping[int, Sequence[int]]) -> tuple[int, int]:
    """Make the stored rows for these candidates what ``new`` says: (added, removed)."""
    added = removed = 0
    for cid in state.live_ids:
        before, after = set(state.allocation.get(cid, ())), set(new.get(cid, ()))
        gone = before - after
        if gone:
            session.execute(delete(ShortlistAllocation).where(ShortlistAllocation.candidate_id == cid,
                                                              ShortlistAllocation.user_id.in_(gone)))
            removed += len(gone)
        for uid in sorted(after - before):
            session.add(ShortlistAllocation(vacancy_id=state.vacancy.id, candidate_id=cid, user_id=uid))
            added += 1
        state.allocation[cid] = list(new.get(cid, ()))
    session.flush()
    return added, removed


def _names(vacancy: Vacancy) -> dict[int, str]:
    return {m.user_id: m.user.name for m in vacancy.panel_members}


def _count_changes(names: Mapping[int, str], before: Counter[int], after: Counter[int]) -> dict[str, dict]:
    """For the audit log: how many applications each panel member had, for those whose number changed."""
    return {f"applications for {names.get(u, f'panel member {u}')}": {"before": before[u], "after": after[u]}
            for u in sorted(set(before) | set(after)) if before[u] != after[u]}


def share_out(session: Session, actor: User, vacancy: Vacancy, readers, state: AllocationState | None = None) -> int | None:
    """Each live application read by ``readers`` panel members (k). k equal to the whole panel
    (nobody has stopped reading) means everyone reads everything, as before sharing existed.
    Started work stays with whoever started it. Returns the k stored (None: everyone)."""
    state = state or load_state(vacancy)
    available = state.readers()
    k = check_readers(readers, len(available))
    before_k = vacancy.shortlist_readers
    before_counts = state.counts()
    if k == len(vacancy.panel_members) and not state.released:
        new_k = None
        session.execute(delete(ShortlistAllocation).where(ShortlistAllocation.vacancy_id == vacancy.id))
        state.allocation.clear()
    else:
        new_k = k
        keep_all = before_k is not None and k >= before_k
        keep = {cid: [u for u in uids if keep_all or (cid, u) in state.started]
                for cid, uids in state.allocation.items()}
        _store(session, state, balance(state.live_ids, available, k, stepped_aside=state.stepped_aside, keep=keep))
    vacancy.shortlist_readers = new_k
    session.flush()
    after_counts = state.counts()
    names = _names(vacancy)
    changes = {"readers per application": {"before": before_k or "everyone", "after": new_k or "everyone"}}
    changes.update(_count_changes(names, before_counts, after_counts))
    audit.record(session, actor, "allocate", vacancy, vacancy_id=vacancy.id,
                 summary=(f"Applications for {vacancy.reference} shared out: each read by {new_k} panel members"
                          if new_k else f"Every panel member reads every application for {vacancy.reference}"),
                 changes=changes)
    return new_k


def release_reader(session: Session, actor: User, vacancy: Vacancy, user_id: int,
                   state: AllocationState | None = None) -> int:
    """This panel member stops reading (they dropped out): the applications allocated to them
    that they have not scored go to the others, keeping the rules. Returns how many moved."""
    state = state or load_state(vacancy)
    names = _names(vacancy)
    if user_id not in names:
        raise AllocationError("Choose a panel member from the list", field="member")
    name = names[user_id]
    if vacancy.shortlist_readers is None:
        raise AllocationError("Every panel member reads every application. Share the applications out first, "
                              "or remove the person from the panel.", field="member")
    if user_id in state.released:
        raise AllocationError(f"{name} has already stopped reading applications.", field="member")
    others = [r for r in state.readers() if r.user_id != user_id]
    if len(others) < vacancy.shortlist_readers:
        raise AllocationError(f"Each application is read by {vacancy.shortlist_readers} panel members and only "
                              f"{len(others)} would be left. Choose fewer readers first.", field="member")
    session.add(ShortlistReaderRelease(vacancy_id=vacancy.id, user_id=user_id))
    state.released.add(user_id)
    before_counts = state.counts()
    keep = {cid: [u for u in uids if u != user_id or (cid, u) in state.started]
            for cid, uids in state.allocation.items()}
    moved = sum(len(uids) for uids in state.allocation.values()) - sum(len(uids) for uids in keep.values())
    _store(session, state, balance(state.live_ids, others, vacancy.shortlist_readers,
                                   stepped_aside=state.stepped_aside | {(cid, user_id) for cid in state.live_ids},
                                   keep=keep))
    changes = _count_changes(names, before_counts, state.counts())
    audit.record(session, actor, "reallocate", vacancy, vacancy_id=vacancy.id,
                 summary=f"{name} stopped reading applications for {vacancy.reference}: "
                         f"{moved} unscored application{'s' if moved != 1 else ''} shared among the others",
                 changes=changes)
    return moved


def resume_reader(session: Session, actor: User, vacancy: Vacancy, user_id: int,
                  state: AllocationState | None = None) -> int:
    """Undo a reading-stop: this panel member reads again (they were released by mistake, or
    are back). The applications nobody has started are shared out again among everyone
    reading, them included, keeping the rules; started work stays where it is. Returns how
    many applications they are given."""
    state = state or load_state(vacancy)
    names = _names(vacancy)
    if user_id not in names or user_id not in state.released:
        raise AllocationError("Choose a panel member who has stopped reading", field="member")
    if vacancy.shortlist_readers is None:  # (sharing out everything again clears every stop)
        raise AllocationError("Every panel member reads every application: nobody has stopped reading.",
                              field="member")
    name = names[user_id]
    session.execute(delete(ShortlistReaderRelease).where(ShortlistReaderRelease.vacancy_id == vacancy.id,
                                                         ShortlistReaderRelease.user_id == user_id))
    state.released.discard(user_id)
    before_counts = state.counts()
    keep = {cid: [u for u in uids if (cid, u) in state.started] for cid, uids in state.allocation.items()}
    _store(session, state, balance(state.live_ids, state.readers(), vacancy.shortlist_readers,
                                   stepped_aside=state.stepped_aside, keep=keep))
    after_counts = state.counts()
    given = after_counts[user_id] - before_counts[user_id]
    audit.record(session, actor, "reallocate", vacancy, vacancy_id=vacancy.id,
                 summary=f"{name} reads applications for {vacancy.reference} again: {given} unstarted "
                         f"application{'s' if given != 1 else ''} shared back to them",
                 changes={"stopped reading": {"before": True, "after": False},
                          **_count_changes(names, before_counts, after_counts)})
    return given


def give_new_candidates(session: Session, vacancy: Vacancy, candidate_ids: Sequence[int]) -> int:
    """Candidates just added (the form or a CSV import) after the applications were shared out
    go to readers at once, under the same rules, in the caller's transaction; nobody else's
    share moves. Returns how many readings were given (0, and no query, when everyone reads
    everything). The caller's audit row records the count."""
    if vacancy.shortlist_readers is None or not candidate_ids:
        return 0
    state = load_state(vacancy)
    available = state.readers()
    if not available:
        return 0
    live = set(state.live_ids)
    new_ids = [cid for cid in state.live_ids if cid in set(candidate_ids)]
    keep = {cid: uids for cid, uids in state.allocation.items() if cid in live}  # counted in everyone's load
    given = balance(new_ids, available, min(vacancy.shortlist_readers, len(available)),
                    stepped_aside=state.stepped_aside, keep=keep)
    added, _removed = _store(session, state, {**keep, **given})
    return added
