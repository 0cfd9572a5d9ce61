"""The purge blanks the texts of a vacancy's messages to its panel and HR, keeping the rows."""
from __future__ import annotations

import pytest

from panel.models import AuditEvent, Notification, NotificationStatus, User
from tests.builders_plugin import CLOSED_AT, closed_world
from tests.test_records_retention import DAY, run_purge
from tests.snapshots import snapshotted


@pytest.fixture()
@snapshotted
def rw(app, session, world):
    return closed_world(app, session, world)


def _row(session, key, vacancy_id, user_id, status=NotificationStatus.SENT):
    row = Notification(idempotency_key=key, user_id=user_id, vacancy_id=vacancy_id, kind="deadline_summary",
                       subject="Who has not finished", body="Hello Chris,\n- Pat Patient: 2 candidates left\n",
                       attachment="BEGIN:VCALENDAR\nATTENDEE;CN=Pat Patient:mailto:pat@example.org\n",
                       due_at=CLOSED_AT, status=status, attempts=1, last_error="")
    session.add(row)
    return row


def test_purge_blanks_the_vacancys_messages(app, session, rw, monkeypatch):
    a = rw["a"]
    user_id = session.query(User.id).order_by(User.id).first()[0]
    mine = _row(session, f"t:a:{a.id}", a.id, user_id)
    holding = _row(session, f"t:a2:{a.id}", a.id, user_id, NotificationStatus.SENDING)
    other = _row(session, "t:account", None, user_id)
    session.commit()
    ids = mine.id, holding.id, other.id

    run_purge(app, monkeypatch, CLOSED_AT + 182 * DAY)  # not due yet: untouched
    session.expire_all()
    assert session.get(Notification, ids[0]).body.startswith("Hello Chris")

    run_purge(app, monkeypatch, CLOSED_AT + 184 * DAY)
    session.expire_all()
    purged, held, account = (session.get(Notification, i) for i in ids)
    assert purged.body == "" and purged.attachment is None
    # kept: the row, its subject, status, recipient and key (nothing is sent twice)
    assert purged.subject == "Who has not finished" and purged.status == NotificationStatus.SENT
    assert purged.idempotency_key == f"t:a:{a.id}"
    assert held.body.startswith("Hello") and account.body.startswith("Hello")
    event = session.query(AuditEvent).filter(AuditEvent.action == "purge", AuditEvent.vacancy_id == a.id).first()
    assert event.changes["messages to the panel and HR (text blanked)"] >= 1
    assert "Pat" not in str(event.changes)
