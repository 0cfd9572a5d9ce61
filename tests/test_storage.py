"""The shared file store (panel/storage.py) on both backends: the database (stored_files) and
S3-compatible object storage (moto's S3 server, tests/s3fake.py); uploads through it; the move
of an older panel's UPLOAD_FOLDER into it; backups of an S3 store; finished packs."""
from __future__ import annotations

import datetime as dt
import io
import tarfile
from pathlib import Path

import pikepdf
import pytest
from sqlalchemy import func, select

from panel import create_app, storage
from panel.db import db
from panel.models import Candidate, StoredFile
from tests.builders_plugin import MINIMAL_PDF, sl, store_pdf, stored_bytes, stored_keys, url  # noqa: F401
from tests.s3fake import bucket_keys, s3_endpoint, s3_url  # noqa: F401

DIRTY_AUTHOR = "Aoife O'Connor"


def dirty_pdf() -> bytes:
    """A PDF whose document properties name the candidate (the cleaned copy drops them)."""
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(MINIMAL_PDF)) as pdf:
        pdf.docinfo["/Author"] = DIRTY_AUTHOR
        pdf.save(out)
    return out.getvalue()


@pytest.fixture(params=["database", "s3"])
def kind(request, app):
    """Run the test on each backend: the app's store is the database, or a fresh S3 bucket."""
    if request.param == "s3":
        app.config["STORAGE_URL"] = request.getfixturevalue("s3_url")
        storage.init_app(app)
    return request.param


def _stored_file_rows(session) -> int:
    return session.scalar(select(func.count()).select_from(StoredFile))


# --- the store itself --------------------------------------------------------------

def test_put_get_exists_delete_keys_on_both_backends(app, kind):
    with app.app_context():
        store = storage.get_store()
        assert store.kind == kind
        assert store.get("uploads/none.pdf") is None and not store.exists("uploads/none.pdf")
        store.put("uploads/a.pdf", b"%PDF-a", "application/pdf")
        store.put("uploads/panel-copies/a.pdf", b"%PDF-a cleaned", "application/pdf")
        store.put("packs/k.pdf", b"%PDF-pack", "application/pdf")
        assert store.get("uploads/a.pdf") == b"%PDF-a" and store.exists("uploads/a.pdf")
        found = store.open("uploads/a.pdf")
        assert found.content_type == "application/pdf" and found.sha256 == storage.sha256(b"%PDF-a")
        assert store.keys("uploads/") == ["uploads/a.pdf", "uploads/panel-copies/a.pdf"]
        assert store.keys() == ["packs/k.pdf", "uploads/a.pdf", "uploads/panel-copies/a.pdf"]
        assert store.keys("uploads_") == []  # a prefix, not a pattern
        store.put("uploads/a.pdf", b"%PDF-a again", "application/pdf")  # a second write replaces the first
        assert store.get("uploads/a.pdf") == b"%PDF-a again"
        assert store.delete("uploads/a.pdf") is True and store.delete("uploads/a.pdf") is False
        assert store.get("uploads/a.pdf") is None
        later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=5)
        assert store.delete_older("packs/", later - dt.timedelta(hours=1)) == 0  # written just now: kept
        assert store.delete_older("packs/", later) == 1
        assert store.keys() == ["uploads/panel-copies/a.pdf"]
        db().commit()


def test_a_stored_file_is_sent_with_the_right_headers(app, kind):
    with app.test_request_context():
        store = storage.get_store()
        store.put("uploads/b.pdf", MINIMAL_PDF, "application/pdf")
        response = store.send("uploads/b.pdf", "REF-1 Candidate 01 application.pdf")
        response.direct_passthrough = False
        assert response.get_data() == MINIMAL_PDF
        assert response.mimetype == "application/pdf"
        assert response.content_length == len(MINIMAL_PDF)
        assert response.headers["Content-Disposition"] == 'attachment; filename="REF-1 Candidate 01 application.pdf"'
        assert response.headers["ETag"] == f'"{storage.sha256(MINIMAL_PDF)}"'
        assert "no-cache" in response.headers["Cache-Control"] and "max-age=0" in response.headers["Cache-Control"]
        with pytest.raises(FileNotFoundError):
            store.send("uploads/missing.pdf", "x.pdf")


def test_the_database_store_writes_in_the_callers_transaction(app, session):
    """Flushed, never committed: another connection sees the file only once the caller commits,
    and a rollback leaves nothing."""
    with app.app_context():
        storage.get_store().put("uploads/t.pdf", b"%PDF-t", "application/pdf")
        assert _stored_file_rows(session) == 0
        db().rollback()
        assert storage.get_store().get("uploads/t.pdf") is None
        storage.get_store().put("uploads/t.pdf", b"%PDF-t", "application/pdf")
        db().commit()
    session.expire_all()
    row = session.get(StoredFile, "uploads/t.pdf")
    assert bytes(row.data) == b"%PDF-t" and row.size == 6 and row.sha256 == storage.sha256(b"%PDF-t")
    assert row.content_type == "application/pdf" and row.created_at.tzinfo is not None


def test_an_s3_store_keeps_nothing_in_the_database(app, session, s3_url):
    app.config["STORAGE_URL"] = s3_url
    storage.init_app(app)
    with app.app_context():
        storage.get_store().put("uploads/s.pdf", b"%PDF-s", "application/pdf")
        db().rollback()  # an object store keeps it at once, whatever the request does next
        assert storage.get_store().get("uploads/s.pdf") == b"%PDF-s"
    assert _stored_file_rows(session) == 0
    assert bucket_keys(s3_url) == ["panel-files/uploads/s.pdf"]  # under the URL's prefix


@pytest.mark.parametrize("value", ["ftp://files/panel", "s3://", "s3://bucket?endpoint=http://x"])
def test_a_storage_url_panel_cannot_use_stops_the_app(tmp_path, value):
    config = {"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance"),
              "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "STORAGE_URL": value}
    with pytest.raises(ValueError, match="STORAGE_URL"):
        create_app(config)


def test_finished_packs_in_the_store(app, kind):
    with app.app_context():
        assert storage.get_pack("abc") is None
        storage.put_pack("abc", b"%PDF-pack")
        db().commit()
        assert storage.get_pack("abc") == b"%PDF-pack"
        assert storage.get_store().keys("packs/") == ["packs/abc.pdf"]
        assert storage.prune_packs(dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=5)) == 1
        assert storage.get_pack("abc") is None


# --- uploads through the store -------------------------------------------------------

def test_an_upload_goes_through_the_store_and_each_person_gets_their_copy(app, as_user, sl, session, kind):
    c = sl.candidates[0]
    dirty = dirty_pdf()
    hr = as_user(sl.hr)
    response = hr.post_form(url(sl.v, "candidates", c.id, "application"),
                            {"file": (io.BytesIO(dirty), "cv.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302
    session.expire_all()
    name = session.get(Candidate, c.id).application_file
    assert stored_keys(app) == [f"uploads/{name}", f"uploads/panel-copies/{name}"]
    assert stored_bytes(app, f"uploads/{name}") == dirty
    folder = Path(app.config["UPLOAD_FOLDER"])
    assert not folder.exists() or not any(p.is_file() for p in folder.rglob("*"))  # nothing on the host's disk
    if kind == "s3":
        assert _stored_file_rows(session) == 0
        assert bucket_keys(app.config["STORAGE_URL"]) == [f"panel-files/uploads/{name}",
                                                         f"panel-files/uploads/panel-copies/{name}"]
    path = url(sl.v, "candidates", c.id, "application.pdf")
    original = hr.get(path)
    assert original.status_code == 200 and original.data == dirty
    assert original.headers["Content-Type"] == "application/pdf"
    panel_copy = as_user(sl.panelist).get(path)
    assert panel_copy.status_code == 200 and panel_copy.data == stored_bytes(app, f"uploads/panel-copies/{name}")
    assert DIRTY_AUTHOR.encode() in dirty and DIRTY_AUTHOR.encode() not in panel_copy.data
    assert as_user(sl.other).get(path).status_code == 404  # not on the panel: the caller's check still decides
    # replaced: the old original and copy leave the store
    hr.post_form(url(sl.v, "candidates", c.id, "application"),
                 {"file": (io.BytesIO(MINIMAL_PDF), "v2.pdf")}, content_type="multipart/form-data")
    assert not [k for k in stored_keys(app) if name in k] and len(stored_keys(app)) == 2


def test_the_panel_copy_of_an_original_alone_is_made_on_first_download_and_kept(app, as_user, sl, session, kind):
    name = "ef" * 16 + ".pdf"
    with app.app_context():
        storage.get_store().put(f"uploads/{name}", dirty_pdf(), "application/pdf")  # as a restore leaves it
        db().commit()
    c = session.get(Candidate, sl.candidates[0].id)
    c.application_file = name
    session.commit()
    first = as_user(sl.panelist).get(url(sl.v, "candidates", c.id, "application.pdf"))
    assert first.status_code == 200 and DIRTY_AUTHOR.encode() not in first.data
    assert stored_bytes(app, f"uploads/panel-copies/{name}") == first.data


# --- files an older panel left in UPLOAD_FOLDER ----------------------------------------

def test_move_uploads_moves_the_old_folder_into_the_store_and_can_run_again(app, kind):
    folder = Path(app.config["UPLOAD_FOLDER"])
    (folder / "panel-copies").mkdir(parents=True)
    a, b, clash = "a1" * 16 + ".pdf", "b2" * 16 + ".pdf", "c3" * 16 + ".pdf"
    (folder / a).write_bytes(b"%PDF-a")
    (folder / "panel-copies" / a).write_bytes(b"%PDF-a cleaned")
    (folder / b).write_bytes(b"%PDF-b")
    (folder / clash).write_bytes(b"%PDF-on disk")
    (folder / ".x.pdf.1234.tmp").write_bytes(b"half")  # an interrupted write: not a stored file
    with app.app_context():
        storage.get_store().put(f"uploads/{clash}", b"%PDF-in the store", "application/pdf")
        db().commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["move-uploads"])
    assert result.exit_code == 0, result.output
    assert "3 moved" in result.output and "1 left in the folder" in result.output
    assert stored_bytes(app, f"uploads/{a}") == b"%PDF-a"
    assert stored_bytes(app, f"uploads/panel-copies/{a}") == b"%PDF-a cleaned"
    assert stored_bytes(app, f"uploads/{b}") == b"%PDF-b"
    assert stored_bytes(app, f"uploads/{clash}") == b"%PDF-in the store"  # never overwritten
    left = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert left == [".x.pdf.1234.tmp", clash]
    again = runner.invoke(args=["move-uploads"])
    assert again.exit_code == 0 and "0 moved" in again.output
    assert len(stored_keys(app, "uploads/")) == 4


def test_db_upgrade_moves_the_old_folder_too(app):
    folder = Path(app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True)
    name = "d4" * 16 + ".pdf"
    (folder / name).write_bytes(b"%PDF-d")
    result = app.test_cli_runner().invoke(args=["db-upgrade"])
    assert result.exit_code == 0, result.output
    assert stored_bytes(app, f"uploads/{name}") == b"%PDF-d" and not (folder / name).exists()


def test_a_purge_deletes_the_files_from_the_store_with_the_packs(app, kind):
    """retention.delete_files (after `flask purge` commits): the purged candidates' PDFs and their
    cleaned copies leave the store, and so does every finished pack (they may name them)."""
    from panel.records import retention

    kept, purged = store_pdf(app), store_pdf(app)
    with app.app_context():
        storage.put_pack("k1", b"%PDF-pack")
        db().commit()
    batch = retention.Batch(vacancy_id=1, reference="R", kind=retention.UNSUCCESSFUL, candidate_ids=[1],
                            files=[purged])
    result = retention.PurgeResult(batches=[batch], closed_vacancies=1, already_purged=0, next_due=None,
                                   dry_run=False)
    with app.app_context():
        assert retention.delete_files(result) == 1
    assert stored_keys(app) == [f"uploads/{kept}", f"uploads/panel-copies/{kept}"]


# --- backups -----------------------------------------------------------------------

def test_a_backup_copies_an_s3_store_and_a_restore_puts_it_back(app, session, s3_url, tmp_path):
    app.config["STORAGE_URL"] = s3_url
    storage.init_app(app)
    name = store_pdf(app, MINIMAL_PDF)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["backup", str(tmp_path / "backups")])
    assert result.exit_code == 0, result.output
    backup = next((tmp_path / "backups").glob("panel-backup-*.tar.gz"))
    with tarfile.open(backup) as tar:
        names = tar.getnames()
    assert f"store/uploads/{name}" in names and f"store/uploads/panel-copies/{name}" in names
    with app.app_context():
        for key in storage.get_store().keys():
            storage.get_store().delete(key)
    assert bucket_keys(s3_url) == []
    result = runner.invoke(args=["restore", str(backup), "--force"])
    assert result.exit_code == 0, result.output
    assert "2 uploaded files" in result.output
    assert stored_bytes(app, f"uploads/{name}") == MINIMAL_PDF
    assert bucket_keys(s3_url) == [f"panel-files/uploads/{name}", f"panel-files/uploads/panel-copies/{name}"]


# --- finished packs: made by a worker, kept in the store ---------------------------------

def test_the_pack_worker_keeps_the_finished_pack_in_the_store_and_a_cold_cache_is_filled_from_it(
        app, as_user, session, kind):
    import shutil

    from panel.models import PackJob
    from panel.packs import jobs
    from panel.packs.bench import generate
    from tests.builders_plugin import get_pack_pdf
    from tests.conftest import PASSWORD

    vacancy, hr, _members, _candidates = generate(session, reference="ST-1", candidates=2, members=2, questions=2,
                                                  password=PASSWORD, app=app)
    client = as_user(hr)
    pack_url = f"/vacancies/{vacancy.id}/packs/panel.pdf?large_print=0"
    made = get_pack_pdf(client, pack_url)  # 303, the worker makes it, then the PDF
    (job,) = session.scalars(select(PackJob)).all()
    assert stored_keys(app, "packs/") == [f"packs/{job.key}.pdf"]
    assert stored_bytes(app, f"packs/{job.key}.pdf") == made
    # this host's cache is lost (a new host, a restart on a fresh disk): the pack comes from the store
    shutil.rmtree(Path(app.instance_path) / "pack-cache")
    again = client.get(pack_url)
    assert again.status_code == 200 and again.get_data() == made
    assert (Path(app.instance_path) / "pack-cache" / f"{job.key}.pdf").read_bytes() == made
    session.expire_all()
    assert len(session.scalars(select(PackJob)).all()) == 1  # no second render
    # kept no longer than PACK_CACHE_HOURS: the worker prunes the store after each job
    app.config["PACK_CACHE_HOURS"] = 0
    with app.app_context():
        assert jobs.prune_stored_packs(app, db()) == 1
    assert stored_keys(app, "packs/") == []


def test_a_pack_that_cannot_be_stored_fails_its_job_with_a_reason(app, as_user, session, monkeypatch):
    from panel.models import PackJob
    from panel.packs import jobs
    from panel.packs.bench import generate
    from tests.conftest import PASSWORD

    def refuse(*args, **kwargs):
        raise storage.StoreError("the bucket is gone")

    vacancy, hr, _members, _candidates = generate(session, reference="ST-2", candidates=1, members=2, questions=1,
                                                  password=PASSWORD, app=app)
    assert as_user(hr).get(f"/vacancies/{vacancy.id}/packs/panel.pdf?large_print=0").status_code == 303
    monkeypatch.setattr(storage, "put_pack", refuse)
    assert jobs.run_pending(app) == 1
    session.expire_all()
    (job,) = session.scalars(select(PackJob)).all()
    assert job.status == "failed" and "could not be stored" in job.error
