"""Demo payments: rates from the start of the tax year, each person's choice, and a claim in
each state (waiting, with a question, approved, not approved, paid and exported)."""
from __future__ import annotations

import datetime as dt
import io

from PIL import Image, ImageDraw
from werkzeug.datastructures import FileStorage

from panel.builders import Builder
from panel.involvement.activities import activities_for
from panel.models import User
from panel.payments import money, services


def _receipt_photo() -> FileStorage:
    image = Image.new("RGB", (240, 320), "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(["PILGRIM HOSPITAL", "CAR PARK", "4 HOURS", "GBP 4.50", "THANK YOU"]):
        draw.text((20, 30 + i * 40), line, fill="black")
    out = io.BytesIO()
    image.save(out, "JPEG")
    out.seek(0)
    return FileStorage(out, filename="parking.jpg", content_type="image/jpeg")


def load_payments_demo(build: Builder, users: dict[str, User]) -> None:
    session, hr = build.session, users["hr"]
    session.flush()
    today = services.today()
    start = dt.date(money.tax_year_start(today), 4, 6)
    build.payment_rates(start, hour_pence=2000, interview_day_pence=7500, mileage_pence=45, actor=hr)
    for key, choice, reference in (("panelist1", "paid", "SUP-10442"), ("panelist2", "expenses", "SUP-10587"),
                                   ("panelist3", "none", ""), ("chair2", "paid", "")):
        build.payment_choice(users[key], choice, on=start, reference=reference)
    john, zoe, amara = users["panelist1"], users["panelist2"], users["chair2"]
    done = {a.kind: a for a in activities_for(session, john.id)}
    with build.context():
        if "shortlisting" in done:  # approved, exported for payroll, then paid
            claim = build.claim(john, done["shortlisting"].key)
            services.decide(session, hr, claim, claim.version, "approve")
            services.make_export(session, hr, today)
            session.refresh(claim)
            services.mark_paid(session, hr, claim, claim.version, "BACS 2026-11-0042", today)
        if "interview_day" in done:  # approved, waiting for the next payroll export
            claim = build.claim(john, done["interview_day"].key, mileage_from="Skegness", mileage_to="Boston",
                                tenth_miles=486, parking_pence=450, files={"parking": _receipt_photo()})
            services.decide(session, hr, claim, claim.version, "approve")
        if "questions" in done:  # a question for John
            claim = build.claim(john, done["questions"].key, hours="1")
            services.decide(session, hr, claim, claim.version, "query",
                            "We estimate half an hour for two questions. Did writing them take you an hour?")
        for activity in activities_for(session, zoe.id)[:1]:  # waiting; entered by HR from Zoë's paper form
            build.claim(zoe, activity.key, actor=hr, on_paper=True, fares_pence=640)
        for activity in activities_for(session, amara.id)[:1]:  # not approved
            claim = build.claim(amara, activity.key)
            services.decide(session, hr, claim, claim.version, "reject",
                            "Staff time is paid through salary: this payment is for people who use our services.")
    session.flush()
