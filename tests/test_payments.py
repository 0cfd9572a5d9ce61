"""Involvement payments and expenses (issue 18): money arithmetic, rates by date, claims and their
refusals, receipts, approval (own claims, two approvers at once), payroll export idempotency,
tax-year totals, financial retention and subject access; the permission matrix of /claims."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from panel.errors import ServiceError, StaleEdit
from panel.involvement.activities import INTERVIEW_DAY, activity_key
from panel.models import AuditEvent, Claim, ClaimReceipt, ClaimStatus, PayrollExport, StoredFile
from panel.payments import money, queries, records, services
from tests.builders_plugin import MINIMAL_PDF
from tests.conftest import PASSWORD, login
from tests.test_permissions import LOGIN, ROLES
from tests.snapshots import snapshotted

DAY = dt.date(2026, 11, 2)  # before the suite's today (paid dates may not be in the future)


# --- money ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, pence", [("12.50", 1250), ("£12.5", 1250), ("3", 300), ("0.05", 5), ("", 0),
                                         ("1,200.00", 120000)])
def test_pounds_are_parsed_into_pence(text, pence):
    assert money.parse_pounds(text) == pence


@pytest.mark.parametrize("text", ["-1", "12.555", "abc", "1e3", "£-2", "99999999"])
def test_negative_or_odd_amounts_are_refused(text):
    with pytest.raises(ValueError):
        money.parse_pounds(text)


def test_money_is_shown_one_way():
    assert [money.money(p) for p in (1250, 5, 0, 123456, -300)] == ["£12.50", "£0.05", "£0.00", "£1,234.56", "-£3.00"]
    assert money.pounds(1250) == "12.50"


def test_rounding_is_half_up_to_the_penny():
    assert money.mileage(123, 45) == 554          # 12.3 miles x 45p = 553.5p -> 554p
    assert money.mileage(121, 45) == 545          # 544.5p -> 545p (banker's rounding would give 544)
    assert money.fee(1333, money.HOUR, Decimal("1.5")) == 2000   # 1999.5p -> £20.00
    assert money.fee(7500, money.HALF_DAY, Decimal("3.5")) == 7500  # one half day
    assert money.fee(7500, money.HALF_DAY, Decimal("7")) == 15000   # two
    assert money.fee(3000, money.SESSION, Decimal("9")) == 3000


@pytest.mark.parametrize("day, year", [(dt.date(2027, 4, 5), 2026), (dt.date(2027, 4, 6), 2027),
                                       (dt.date(2027, 1, 1), 2026), (dt.date(2026, 12, 31), 2026)])
def test_the_uk_tax_year_starts_on_6_april(day, year):
    assert money.tax_year_start(day) == year
    assert money.tax_year_label(2026) == "2026-27"


# --- a panelist who sat on an interview day ---------------------------------------------------

def interviewed(build, chair, panelist, vacancy=None, day=DAY, reference="PAY-1"):
    """The panelist (and chair) interviewed a candidate on ``day`` (9:30am to 1pm: 3.5 hours)."""
    v = vacancy or build.vacancy(reference=reference, criteria=2, panel=[(chair, "chair"), (panelist, "patient")])
    person = build.candidate(v)
    build.advance(v)
    build.shortlist(v)
    build.advance(v)
    q = build.plan_question(v, "Why this job?")
    build.interview_day(v, day, start=dt.time(9, 30), end=dt.time(13, 0), breaks="")
    for member in (chair, panelist):
        build.interview_scores(person, member, [q], [3])
    return v


@pytest.fixture()
@snapshotted
def people(build):
    hr = build.actor
    chair = build.user("chair", name="Chris Morgan")
    john = build.user("panelist", name="John O'Neill")
    v = interviewed(build, chair, john)
    build.payment_rates(dt.date(2026, 4, 6))
    build.payment_choice(john, "paid", on=dt.date(2026, 4, 6), reference="=HYPERLINK(\"x\")")
    build.commit()
    return {"hr": hr, "chair": chair, "john": john, "vacancy": v, "key": activity_key(INTERVIEW_DAY, v.id)}


def photo(exif: bool = True, kind: str = "JPEG") -> bytes:
    image = Image.new("RGB", (40, 30), "white")
    out = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "PhoneMaker"          # Make
        data[0x0112] = 6                     # Orientation: turned
        image.save(out, kind, exif=data.tobytes())
    else:
        image.save(out, kind)
    return out.getvalue()


def upload(data: bytes, name: str = "receipt.jpg") -> FileStorage:
    return FileStorage(io.BytesIO(data), filename=name)


def test_a_claim_is_made_at_the_rates_in_force_on_the_day(build, session, people):
    john, key = people["john"], people["key"]
    build.payment_rates(dt.date(2027, 2, 1), interview_day_pence=9000, mileage_pence=50)  # after the day: not used
    claim = build.claim(john, key, mileage_from="Boston", mileage_to="Lincoln", tenth_miles=123, parking_pence=450,
                        files={"parking": upload(photo())})
    build.commit()
    assert (claim.quarter_hours, claim.rate_pence, claim.rate_unit, claim.fee_pence) == (14, 7500, "half_day", 7500)
    assert (claim.mileage_rate_pence, claim.mileage_pence) == (45, 554)
    assert claim.total_pence == 7500 + 554 + 450
    assert claim.cost_centre == "INV-001" and claim.status == ClaimStatus.SUBMITTED and claim.activity_on == DAY
    # a later rate change never rewrites the claim
    with build.context():
        services.add_rate(session, people["hr"], kind=INTERVIEW_DAY, unit="session", pence=1, cost_centre="",
                          effective_from=dt.date(2026, 10, 1), on=dt.date(2026, 10, 1))
    session.refresh(claim)
    assert claim.fee_pence == 7500
    assert services.rate_on(session, INTERVIEW_DAY, DAY).pence == 1  # the rate a new claim would get


def test_the_receipt_photo_is_kept_without_its_exif(build, session, people):
    claim = build.claim(people["john"], people["key"], parking_pence=300, files={"parking": upload(photo())})
    build.commit()
    (receipt,) = claim.receipts
    stored = session.get(StoredFile, receipt.store_key)
    assert receipt.content_type == "image/jpeg" and stored.data[:2] == b"\xff\xd8"
    with Image.open(io.BytesIO(stored.data)) as image:
        assert dict(image.getexif()) == {} and b"PhoneMaker" not in stored.data
        assert image.size == (30, 40)  # turned the way the camera held it


def test_a_pdf_receipt_is_accepted_and_a_fake_one_is_refused(build, session, people):
    with pytest.raises(ServiceError) as refused:
        build.claim(people["john"], people["key"], parking_pence=300,
                    files={"parking": upload(b"MZ\x90\x00 not a picture", "receipt.jpg")})
    assert refused.value.field == "parking_receipt" and "photo (JPEG or PNG) or a PDF" in refused.value.message
    assert session.scalars(select(Claim)).all() == []
    claim = build.claim(people["john"], people["key"], parking_pence=300,
                        files={"parking": upload(MINIMAL_PDF, "ticket.pdf")})
    assert claim.receipts[0].content_type == "application/pdf"


@pytest.mark.parametrize("expenses, field, message", [
    ({"parking_pence": 2501, "files": {"parking": "photo"}}, "parking", "at most £25.00"),
    ({"tenth_miles": 3001, "mileage_from": "A", "mileage_to": "B"}, "miles", "at most 300 miles"),
    ({"tenth_miles": 100}, "mileage_from", "from and to"),
    ({"care_pence": 500}, "care_receipt", "receipt"),
])
def test_bad_claims_are_refused_and_change_nothing(build, session, people, expenses, field, message):
    if expenses.get("files"):
        expenses["files"] = {"parking": upload(photo())}
    with pytest.raises(ServiceError) as refused:
        build.claim(people["john"], people["key"], **expenses)
    assert refused.value.field == field and message in refused.value.message
    assert session.scalars(select(Claim)).all() == [] and session.scalars(select(ClaimReceipt)).all() == []


def test_absurd_hours_an_activity_not_done_and_a_second_claim_are_refused(build, session, people):
    with build.context():
        with pytest.raises(ServiceError, match="between a quarter of an hour and 12 hours"):
            services.make_claim(session, people["john"], people["john"], people["key"],
                                services.ClaimData(quarter_hours=13 * 4))
        with pytest.raises(ServiceError, match="no such activity"):
            services.make_claim(session, people["john"], people["john"], "interview_day:999999",
                                services.ClaimData(quarter_hours=4))
    build.claim(people["john"], people["key"])
    with pytest.raises(ServiceError, match="already been claimed"):
        build.claim(people["john"], people["key"])
    assert len(session.scalars(select(Claim)).all()) == 1


def test_the_choice_decides_what_is_paid_and_changes_only_the_future(build, session, people):
    john, hr = people["john"], people["hr"]
    build.payment_choice(john, "expenses", on=dt.date(2027, 6, 1))  # after the interview day: not for it
    claim = build.claim(john, people["key"])
    assert claim.choice == "paid" and claim.fee_pence == 7500
    with build.context():
        with pytest.raises(ServiceError, match="never to the past"):
            services.set_choice(session, hr, john, choice="none", effective_from=dt.date(2020, 1, 1))
    history = services.choice_history(session, john.id)
    assert [h.choice for h in history] == ["expenses", "paid"]
    assert history[0].payroll_reference == history[1].payroll_reference  # kept when the person changes their choice


def test_someone_who_chose_neither_cannot_claim(build, session):
    chair, ann = build.user("chair"), build.user("panelist", name="Ann")
    v = interviewed(build, chair, ann, reference="PAY-N")
    build.payment_rates(dt.date(2026, 4, 6))
    build.payment_choice(ann, "none", on=dt.date(2026, 4, 6))
    with pytest.raises(ServiceError, match="chose not to be paid"):
        build.claim(ann, activity_key(INTERVIEW_DAY, v.id), parking_pence=100)


def test_expenses_only_pays_no_fee(build, session):
    chair, ann = build.user("chair"), build.user("panelist", name="Ann")
    v = interviewed(build, chair, ann, reference="PAY-E")
    build.payment_rates(dt.date(2026, 4, 6))
    build.payment_choice(ann, "expenses", on=dt.date(2026, 4, 6))
    key = activity_key(INTERVIEW_DAY, v.id)
    with pytest.raises(ServiceError, match="nothing to pay"):
        build.claim(ann, key)
    claim = build.claim(ann, key, tenth_miles=100, mileage_from="Louth", mileage_to="Lincoln")
    assert (claim.fee_pence, claim.rate_pence, claim.total_pence) == (0, 0, 450)


# --- approval --------------------------------------------------------------------------

def test_approval_query_answer_paid_are_audit_logged(build, session, people):
    hr, john = people["hr"], people["john"]
    claim = build.claim(john, people["key"])
    with build.context():
        services.decide(session, hr, claim, 1, "query", "Was the day really 3.5 hours?")
        assert (claim.status, claim.version) == (ClaimStatus.QUERIED, 2)
        services.answer(session, john, claim, 2, "Yes: 9:30 to 1pm.")
        services.decide(session, hr, claim, 3, "approve")
        services.mark_paid(session, hr, claim, 4, "BACS-0042", dt.date(2026, 11, 20))
    assert (claim.status, claim.payment_reference, claim.paid_on) == (ClaimStatus.PAID, "BACS-0042", dt.date(2026, 11, 20))
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "claim")
                              .order_by(AuditEvent.id)).all()
    assert actions == ["payments.claim_made", "payments.claim_queried", "payments.claim_answered",
                       "payments.claim_approved", "payments.claim_paid"]


def test_nobody_approves_their_own_claim_and_nothing_changes_after_approval(build, session, people):
    hr = people["hr"]
    v2 = interviewed(build, people["chair"], hr, reference="PAY-HR", day=dt.date(2027, 1, 20))
    build.payment_choice(hr, "paid", on=dt.date(2026, 4, 6))
    own = build.claim(hr, activity_key(INTERVIEW_DAY, v2.id))
    with build.context():
        with pytest.raises(ServiceError, match="your own claim"):
            services.decide(session, hr, own, own.version, "approve")
    assert own.status == ClaimStatus.SUBMITTED and own.version == 1
    claim = build.claim(people["john"], people["key"])
    with build.context():
        services.decide(session, hr, claim, 1, "approve")
        with pytest.raises(ServiceError, match="can no longer be changed"):
            services.update_claim(session, people["john"], claim, 2, services.ClaimData(quarter_hours=4))
        with pytest.raises(ServiceError, match="Enter the reason"):
            services.decide(session, hr, claim, 2, "reject", "")
    assert claim.total_pence == 7500 and claim.version == 2


def test_two_approvers_at_once_one_wins_the_other_is_told(app, build, session, people):
    """Two HR people load the same claim (version 1); the second's decision finds it changed."""
    second_hr = build.user("hr", name="Sam Patel")
    claim = build.claim(people["john"], people["key"])
    build.commit()
    other = app.extensions["panel.sessionmaker"]()
    try:
        theirs = other.get(Claim, claim.id)
        assert theirs.version == 1
        with build.context():
            services.decide(session, people["hr"], claim, 1, "approve")
        session.commit()
        with app.app_context():
            with pytest.raises(StaleEdit, match="Someone else changed this claim first: it is now “approved”"):
                services.decide(other, other.get(type(second_hr), second_hr.id), theirs, 1, "reject", "Too much")
        other.rollback()
    finally:
        other.close()
    session.refresh(claim)
    assert (claim.status, claim.version, claim.reject_reason) == (ClaimStatus.APPROVED, 2, "")


# --- payroll export, totals, retention, subject access ---------------------------------------------

def approved_claims(build, session, people, n=2):
    hr, chair = people["hr"], people["chair"]
    claims = [build.claim(people["john"], people["key"], parking_pence=250, files={"parking": upload(photo())})]
    for i in range(1, n):
        ann = build.user("panelist", name=f"Ann {i}")
        v = interviewed(build, chair, ann, reference=f"PAY-X{i}")
        build.payment_choice(ann, "paid", on=dt.date(2026, 4, 6), reference=f"SUP-{i}")
        claims.append(build.claim(ann, activity_key(INTERVIEW_DAY, v.id), hours="2"))
    with build.context():
        for c in claims:
            services.decide(session, hr, c, c.version, "approve")
    build.commit()
    return claims


def test_a_payroll_export_has_each_approved_claim_once(build, session, people):
    hr = people["hr"]
    first, second = approved_claims(build, session, people)
    today = services.today()
    with build.context():
        export = services.make_export(session, hr, today)
    build.commit()
    assert export.claim_count == 2 and export.total_pence == first.total_pence + second.total_pence
    lines = export.csv.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Person,Payroll or supplier reference,Claim,Activity")
    assert "John O'Neill,\"'=HYPERLINK(\"\"x\"\")\"" in lines[1]  # formula-safe
    assert ",75.00,0,0.00,0.00,2.50,0.00,2.50,77.50,INV-001,no," in lines[1]
    with build.context():
        with pytest.raises(ServiceError, match="no approved claims"):  # nothing new: nothing exported twice
            services.make_export(session, hr, today)
    ann = build.user("panelist", name="Late Claimant")
    v = interviewed(build, people["chair"], ann, reference="PAY-LATE")
    build.payment_choice(ann, "expenses", on=dt.date(2026, 4, 6))
    late = build.claim(ann, activity_key(INTERVIEW_DAY, v.id), fares_pence=620, files={"fares": upload(photo())})
    with build.context():
        services.decide(session, hr, late, 1, "approve")
        again = services.make_export(session, hr, today)
    assert again.claim_count == 1 and "Late Claimant" in again.csv and "John O'Neill" not in again.csv
    assert session.get(PayrollExport, export.id).csv == export.csv  # the first file is kept as it was


def test_the_same_export_downloads_as_the_same_file(as_user, build, session, people):
    approved_claims(build, session, people, n=1)
    with build.context():
        export = services.make_export(session, people["hr"], services.today())
    build.commit()
    client = as_user(people["hr"])
    one = client.get(f"/claims/exports/{export.id}.csv")
    two = client.get(f"/claims/exports/{export.id}.csv")
    assert one.status_code == 200 and one.data == two.data and one.mimetype == "text/csv"


def test_totals_per_person_per_tax_year(build, session, people):
    hr = people["hr"]
    first, second = approved_claims(build, session, people)
    with build.context(), time_machine.travel(dt.datetime(2027, 5, 1, 12, tzinfo=dt.timezone.utc), tick=False):
        services.mark_paid(session, hr, first, first.version, "P1", dt.date(2027, 4, 5))   # tax year 2026-27
        services.mark_paid(session, hr, second, second.version, "P2", dt.date(2027, 4, 6))  # tax year 2027-28
    totals = {(t.name, t.tax_year): t for t in queries.tax_year_totals(session)}
    john = totals[("John O'Neill", 2026)]
    assert (john.claims, john.fee_pence, john.expenses_pence, john.paid_pence) == (1, 7500, 250, 7750)
    assert totals[("Ann 1", 2027)].total_pence == second.total_pence == 7500


def test_purge_removes_receipts_when_due_and_keeps_the_ledger(app, build, session, people):
    hr = people["hr"]
    (claim,) = approved_claims(build, session, people, n=1)
    with build.context():
        services.mark_paid(session, hr, claim, claim.version, "P1", dt.date(2026, 11, 20))
    build.commit()
    key = claim.receipts[0].store_key
    six_years_less_a_day = dt.datetime(2032, 11, 20, tzinfo=dt.timezone.utc)  # 2192 days
    with app.app_context():
        assert records.purge(session, six_years_less_a_day).claims == 0
        result = records.purge(session, dt.datetime(2032, 11, 22, tzinfo=dt.timezone.utc))
        session.commit()
        assert result.claims == 1 and result.receipt_keys == [key]
        assert records.delete_files(result) == 1
    session.expire_all()
    claim = session.get(Claim, claim.id)
    assert claim.receipts == [] and claim.mileage_from == "" and claim.receipts_purged_at is not None
    assert claim.total_pence == 7750 and session.get(StoredFile, key) is None
    assert queries.tax_year_totals(session)[0].total_pence == 7750


def test_the_retention_setting_is_separate_from_candidate_retention(app):
    assert app.config["FINANCE_RETENTION_DAYS"] == 2192 != app.config["RETENTION_APPOINTED_DAYS"]


def test_subject_access_holds_the_persons_claims(as_user, build, session, people):
    build.claim(people["john"], people["key"], parking_pence=250, files={"parking": upload(photo())},
                mileage_from="Zoë's house", mileage_to="Lincoln", tenth_miles=10)
    build.commit()
    data = as_user(people["john"]).get("/claims/my-records.json").get_json()
    assert data["claims"][0]["mileage_from"] == "Zoë's house" and data["claims"][0]["total"] == "77.95"
    assert data["payment_choices"][0]["choice"] == "paid"
    assert as_user(people["hr"]).get(f"/claims/people/{people['john'].id}/records.json").get_json() == data


# --- through the pages ---------------------------------------------------------------------

def test_a_bad_amount_is_refused_next_to_its_field(as_user, build, session, people):
    client = as_user(people["john"])
    page = client.get(f"/claims/new/{people['key']}")
    assert page.status_code == 200 and 'value="3.5"' in page.get_data(as_text=True)  # the hours pre-filled
    response = client.post_form(f"/claims/new/{people['key']}", {"hours": "3.5", "parking": "-4"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Parking must be an amount in pounds and pence" in html
    assert 'id="parking--error-message"' in html or "parking-error" in html
    response = client.post_form(f"/claims/new/{people['key']}", {"hours": "3.5", "parking": "4.00"})
    assert response.status_code == 400 and "Add a photo or PDF of the parking receipt" in response.get_data(as_text=True)
    assert session.scalars(select(Claim)).all() == []


def test_a_claim_through_the_page_then_edit_after_approval_is_refused(as_user, build, session, people):
    client = as_user(people["john"])
    response = client.post_form(f"/claims/new/{people['key']}", {
        "hours": "3.5", "mileage_from": "Boston", "mileage_to": "Lincoln", "miles": "62",
        "parking": "4.50", "parking_receipt": (io.BytesIO(photo()), "ticket.jpg")},
        content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    claim = session.scalars(select(Claim)).one()
    assert claim.total_pence == 7500 + 2790 + 450
    with build.context():
        services.decide(session, people["hr"], claim, 1, "approve")
    build.commit()
    response = client.post_form(f"/claims/{claim.id}/edit", {"version": "2", "hours": "7"})
    assert response.status_code == 400 and "can no longer be changed" in response.get_data(as_text=True)
    session.refresh(claim)
    assert claim.quarter_hours == 14


def test_hr_enters_a_paper_claim_recorded_as_such(as_user, build, session, people):
    client = as_user(people["hr"])
    response = client.post_form(f"/claims/people/{people['john'].id}/new/{people['key']}",
                                {"hours": "3.5", "parking": "3.00"})
    assert response.status_code == 302, response.get_data(as_text=True)
    claim = session.scalars(select(Claim)).one()
    assert claim.on_paper and claim.entered_by_id == people["hr"].id and claim.user_id == people["john"].id
    shown = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "From a paper form" in shown
    # a second person checks what one typed in: the one who entered it cannot decide it, and
    # the page says so instead of offering a decision they cannot make
    assert "someone else in the team must check and decide it" in shown
    assert f'action="/claims/{claim.id}/decide"' not in shown
    refused = client.post_form(f"/claims/{claim.id}/decide", {"version": str(claim.version), "decision": "approve"})
    assert refused.status_code == 400
    assert "someone else in the team must check and decide it" in refused.get_data(as_text=True)
    session.refresh(claim)
    assert claim.is_open and not claim.is_approved
    second = build.user("hr", name="Sam Patel", email="sam@example.org")
    build.commit()
    assert f'action="/claims/{claim.id}/decide"' in as_user(second).get(f"/claims/{claim.id}").get_data(as_text=True)
    approved = as_user(second).post_form(f"/claims/{claim.id}/decide", {"version": str(claim.version), "decision": "approve"})
    assert approved.status_code == 302, approved.get_data(as_text=True)
    session.refresh(claim)
    assert claim.is_approved


def test_the_second_approver_is_told_on_the_page(as_user, build, session, people):
    claim = build.claim(people["john"], people["key"])
    second = build.user("hr", name="Sam Patel", email="sam@example.org")
    build.commit()
    as_user(people["hr"]).post_form(f"/claims/{claim.id}/decide", {"version": "1", "decision": "approve"})
    response = as_user(second).post_form(f"/claims/{claim.id}/decide",
                                         {"version": "1", "decision": "reject", "text": "No"})
    assert response.status_code == 409
    assert "Someone else changed this claim first" in response.get_data(as_text=True)
    session.refresh(claim)
    assert claim.status == ClaimStatus.APPROVED


# --- permission matrix --------------------------------------------------------------------

def R(method, url, anon=LOGIN, hr=200, chair=404, panelist=200, other=404):
    return (method, url, {"anon": anon, "hr": hr, "chair": chair, "panelist": panelist, "other": other})


ROUTES = [
    R("GET", "/claims", chair=200, other=200),
    R("GET", "/claims/choice", chair=200, other=200),
    R("POST", "/claims/choice", hr=400, chair=400, panelist=400, other=400),  # nothing chosen: refused
    # only people who did it: the chair (no choice made yet) is asked to choose first; the panelist
    # has claimed for it already and is shown the claim
    R("GET", "/claims/new/{key}", hr=404, chair=302, panelist=302),
    R("GET", "/claims/new/interview_day:999999", hr=404, panelist=404),
    R("GET", "/claims/{claim}"),                                # the claimant and HR
    R("GET", "/claims/{claim}/edit"),
    R("POST", "/claims/{claim}/answer", hr=404, panelist=404),  # only when queried
    R("GET", "/claims/{claim}/receipts/{receipt}/download"),
    R("GET", "/claims/my-records.json", chair=200, other=200),
    R("GET", "/claims/review", panelist=404),
    R("POST", "/claims/{claim}/decide", hr=400, panelist=404),  # no decision chosen
    R("POST", "/claims/{claim}/paid", hr=400, panelist=404),
    R("GET", "/claims/rates", panelist=404),
    R("GET", "/claims/rates/new", panelist=404),
    R("GET", "/claims/rules/new", panelist=404),
    R("GET", "/claims/people", panelist=404),
    R("GET", "/claims/people/{panelist_id}", panelist=404),
    R("GET", "/claims/people/999999", hr=404, panelist=404),
    R("GET", "/claims/people/{panelist_id}/new/{key}", hr=302, panelist=404),  # claimed already: shown the claim
    R("GET", "/claims/people/{panelist_id}/records.json", panelist=404),
    R("GET", "/claims/exports", panelist=404),
    R("GET", "/claims/exports/{export}.csv", panelist=404),
    R("GET", "/claims/exports/999999.csv", hr=404, panelist=404),
]


@pytest.mark.parametrize("method,url,expected", ROUTES, ids=[f"{m} {u}" for m, u, _ in ROUTES])
def test_claims_permission_matrix(app, as_user, world, build, session, method, url, expected):
    panelist, hr = world["panelist"], world["hr"]
    interviewed(build, world["chair"], panelist, vacancy=world["a"])
    build.payment_rates(dt.date(2026, 4, 6), actor=hr)
    build.payment_choice(panelist, "paid", on=dt.date(2026, 4, 6))
    key = activity_key(INTERVIEW_DAY, world["a"].id)
    claim = build.claim(panelist, key, parking_pence=200, files={"parking": upload(photo())})
    build.commit()
    values = {"key": key, "claim": claim.id, "receipt": claim.receipts[0].id, "panelist_id": panelist.id,
              "export": 999999}
    if "{export}" in url:
        with build.context():
            services.decide(session, hr, claim, 1, "approve")
            values["export"] = services.make_export(session, hr, services.today()).id
        build.commit()
    path = url.format(**values)
    for role in ROLES:
        client = as_user(None if role == "anon" else world[role])
        response = client.get(path) if method == "GET" else client.post_form(path, {})
        assert response.status_code == expected[role], f"{method} {path} as {role}: {response.status_code}"


def test_hostile_text_prints_literally_on_the_claim_page(as_user, build, session, people):
    claim = build.claim(people["john"], people["key"], mileage_from="<script>alert(1)</script>", mileage_to="O'Brien's",
                        tenth_miles=10)
    with build.context():
        services.decide(session, people["hr"], claim, 1, "reject", "<b>no</b> =HYPERLINK(\"x\")")
    build.commit()
    html = as_user(people["john"]).get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;no&lt;/b&gt;" in html and "<strong>Why it was not approved:</strong>" in html


def test_flask_purge_reports_the_financial_retention(app, build, session, people):
    build.claim(people["john"], people["key"])
    build.commit()
    result = app.test_cli_runner().invoke(args=["purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Payment claims past financial retention: 0 (0 receipts deleted; amounts kept for the ledger)." in result.output
