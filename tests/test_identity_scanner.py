"""The identity scanner (panel/candidates/identity.py) on a corpus of application sentences: what it
must find (hits) and what it must leave alone (non-hits). Each case is one sentence, the candidate's
names, and the exact hits expected as (kind, text as written). ``test_corpus_totals`` adds them up:
hits found out of hits expected, and false alarms (anything found that was not expected)."""
from __future__ import annotations

import pytest

from panel.candidates import identity

# (id, text, first name, last name, expected hits)
CORPUS = [
    # --- names: every part, accents, apostrophes, hyphens, right-to-left, initials -----------------
    ("name plain", "My name is Aoife Byrne and I work in Boston.", "Aoife", "Byrne",
     [("name", "Aoife"), ("name", "Byrne")]),
    ("apostrophe straight", "Signed, Siobhan O'Brien", "Siobhan", "O'Brien", [("name", "Siobhan"), ("name", "O'Brien")]),
    ("apostrophe curly", "Ms O\u2019Brien led the group.", "Siobhan", "O'Brien", [("name", "O\u2019Brien")]),
    ("apostrophe missing", "OBrien is my family name.", "Siobhan", "O'Brien", [("name", "OBrien")]),
    ("possessive", "O'Brien's approach to groups", "Siobhan", "O'Brien", [("name", "O'Brien")]),
    ("accent dropped in text", "Sian ran the clinic.", "Siân", "Evans", [("name", "Sian")]),
    ("accent added in text", "Siân ran the clinic.", "Sian", "Evans", [("name", "Siân")]),
    ("accents both ways", "Zoe Bronte, assistant psychologist", "Zoë", "Brontë", [("name", "Zoe"), ("name", "Bronte")]),
    ("hyphenated surname, one part", "Colleagues call me Dr Lefèvre.", "Hélène", "Lefèvre-D'Arcy", [("name", "Lefèvre")]),
    ("hyphenated surname, whole", "Hélène Lefevre-DArcy, PWP", "Hélène", "Lefèvre-D'Arcy",
     [("name", "Hélène"), ("name", "Lefevre-DArcy")]),
    ("hyphenated first name", "Mary-Jane supervised me.", "Mary-Jane", "Okafor", [("name", "Mary-Jane")]),
    ("part of hyphenated first name", "Jane is what people call me.", "Mary-Jane", "Okafor", [("name", "Jane")]),
    ("two-word surname", "Ní Dhomhnaill is my maiden name", "Róisín", "Ní Dhomhnaill",
     [("name", "Ní Dhomhnaill")]),
    ("arabic name", "كتبت يوسف المصري هذا الطلب", "يوسف", "المصري", [("name", "يوسف"), ("name", "المصري")]),
    ("arabic with diacritics in the name", "أنا مُحَمَّد", "محمد", "الأحمد", [("name", "مُحَمَّد")]),
    ("hebrew in direction marks", "Written by \u202bנועה\u202c", "נועה", "כהן", [("name", "נועה")]),
    ("upper case", "AOIFE BYRNE", "Aoife", "Byrne", [("name", "AOIFE"), ("name", "BYRNE")]),
    ("dotted initials", "Reviewed by A.B. last year", "Aoife", "Byrne", [("name", "A.B.")]),
    ("initial and surname", "A. Byrne, team lead", "Aoife", "Byrne", [("name", "Byrne")]),
    ("name in an email is one hit", "Write to aoife.byrne+jobs@gmail.com please", "Aoife", "Byrne",
     [("email", "aoife.byrne+jobs@gmail.com")]),
    # --- contact details ---------------------------------------------------------------------------
    ("email with plus", "Contact: j.smith+nhs@nhs.net", "Jo", "Smith", [("email", "j.smith+nhs@nhs.net")]),
    ("mobile", "Call me on 07700 900123.", "Jo", "Smith", [("phone", "07700 900123")]),
    ("mobile international", "Mobile +44 7911 123456", "Jo", "Smith", [("phone", "+44 7911 123456")]),
    ("landline with brackets", "Tel (01205) 123456 any time", "Jo", "Smith", [("phone", "(01205) 123456")]),
    ("london number", "or 020 7946 0000", "Jo", "Smith", [("phone", "020 7946 0000")]),
    ("mobile no spaces", "text 07911123456", "Jo", "Smith", [("phone", "07911123456")]),
    ("postcode", "I live in Boston, PE21 9QS.", "Jo", "Smith", [("postcode", "PE21 9QS")]),
    ("postcode no space", "Address: SW1A1AA", "Jo", "Smith", [("postcode", "SW1A1AA")]),
    ("date of birth numeric", "DOB: 14/02/1988", "Jo", "Smith", [("date_of_birth", "14/02/1988")]),
    ("date of birth words", "I was born on 3rd March 1979 in Leeds.", "Jo", "Smith", [("date_of_birth", "3rd March 1979")]),
    ("nhs number spaced", "My NHS number is 943 476 5919.", "Jo", "Smith", [("nhs_number", "943 476 5919")]),
    ("nhs number joined", "ref 9434765919", "Jo", "Smith", [("nhs_number", "9434765919")]),
    ("url", "My blog: https://example.org/about-me", "Jo", "Smith", [("url", "https://example.org/about-me")]),
    ("linkedin", "see linkedin.com/in/someone-123", "Jo", "Smith", [("url", "linkedin.com/in/someone-123")]),
    ("www", "www.myportfolio.co.uk shows my work", "Jo", "Smith", [("url", "www.myportfolio.co.uk")]),
    ("handle", "Follow me @mindful_jo on X", "Jo", "Smith", [("handle", "@mindful_jo")]),
    # --- non-hits: what an application says all the time ----------------------------------------
    ("everyday word that is a first name", "I will start in May and hope to grow.", "Will", "Hope", []),
    ("name inside another word", "I am an Evansville graduate; I like Byrnes' poems", "Sian", "Evans", []),
    ("other people's names", "My supervisor Dr Patel and my manager Ruth taught me a lot.", "Aoife", "Byrne", []),
    ("years and ranges", "I worked there 2019-2021 at Band 5 and saw 120 clients.", "Jo", "Smith", []),
    ("employment dates are not dates of birth", "Since 01/09/2015 I have worked in IAPT.", "Jo", "Smith", []),
    ("nhs number failing the check", "Case 943 476 5918 was audited.", "Jo", "Smith", []),
    ("scores and counts", "PHQ-9 fell from 18 to 6; GAD-7 from 15 to 5 over 12 sessions.", "Jo", "Smith", []),
    ("a lone at sign", "We met @ 5pm each week.", "Jo", "Smith", []),
    ("initials without dots", "I know JS and HTML.", "Jo", "Smith", []),
    ("service names", "NHS Talking Therapies, CBT, EMDR and step 2 work", "Jo", "Smith", []),
    ("short references", "Ref 12345678 for the DBS check", "Jo", "Smith", []),
    ("reference numbers with letters", "Course code PSY3001 and module B12", "Jo", "Smith", []),
]


def _found(text, first, last):
    return [(h.kind, h.text) for h in identity.scan(text, first_name=first, last_name=last)]


@pytest.mark.parametrize("text,first,last,expected", [c[1:] for c in CORPUS], ids=[c[0] for c in CORPUS])
def test_the_scanner_on_the_corpus(text, first, last, expected):
    assert _found(text, first, last) == expected


def test_corpus_totals():
    """The scanner's results on the whole corpus: every expected hit found, no false alarm."""
    expected = found = false_alarms = 0
    for _, text, first, last, wanted in CORPUS:
        got = _found(text, first, last)
        expected += len(wanted)
        found += sum(1 for w in wanted if w in got)
        false_alarms += sum(1 for g in got if g not in wanted)
    non_hit_cases = sum(1 for c in CORPUS if not c[4])
    print(f"\nidentity scanner corpus: {found}/{expected} hits found, {false_alarms} false alarms, "
          f"{len(CORPUS)} sentences ({non_hit_cases} with nothing to find)")
    assert (found, false_alarms) == (expected, 0)
    assert expected >= 40 and non_hit_cases >= 10


def test_hit_positions_context_and_redaction():
    text = "Hello, I am Zoë Brontë (zoe@example.com) from PE21 9QS."
    hits = identity.scan(text, first_name="Zoe", last_name="Bronte")
    assert [text[h.start:h.end] for h in hits] == ["Zoë", "Brontë", "zoe@example.com", "PE21 9QS"]
    before, match, after = identity.context(text, hits[2].start, hits[2].end, width=10)
    assert match == "zoe@example.com" and before.endswith("(") and after.startswith(")")
    redacted = identity.redact(text, [(h.start, h.end) for h in hits])
    assert redacted == "Hello, I am [removed] [removed] ([removed]) from [removed]."
    assert identity.scan(redacted, first_name="Zoe", last_name="Bronte") == []
    assert identity.empty_after_redaction(identity.redact("Zoë.", [(0, 3)]))
    assert not identity.empty_after_redaction(redacted)


def test_the_key_of_a_hit_ignores_where_and_how_it_is_written():
    a = identity.scan("O'Brien", first_name="", last_name="O'Brien")[0]
    b = identity.scan("Then OBrien", first_name="", last_name="O'Brien")[0]
    assert a.key == b.key and a.start != b.start


def test_nhs_number_check_digit():
    assert identity.nhs_number_valid("9434765919")
    assert not identity.nhs_number_valid("9434765918")
    assert not identity.nhs_number_valid("943476591")
