"""Where files live: uploaded PDFs (originals and the panel's cleaned copies) and finished packs.

Every app server reads and writes the same store, so several hosts can serve one database
behind a load balancer and no file is kept on a host's own disk (the pack cache in
instance/pack-cache/ is only a cache). Two backends, chosen by STORAGE_URL (panel/config.py):

- the database (the default): table ``stored_files`` (bytea on PostgreSQL, BLOB on SQLite).
  Writes go through the session given (by default the request's, ``panel.db.db()``): they
  are flushed, never committed, so a file is kept exactly when the request's other changes
  are, and a database backup holds every file;
- S3-compatible object storage: ``s3://bucket/optional/prefix?endpoint_url=...&region=...``
  (boto3; credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or any other source
  boto3 reads). A write is kept at once, whatever the request does next.

Keys are plain paths: ``uploads/<name>``, ``uploads/panel-copies/<name>``, ``packs/<key>.pdf``.
The caller checks permissions before it serves anything (``Store.send``).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from flask import current_app, send_file
from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from panel.db import db, utcnow
from panel.models import StoredFile

log = logging.getLogger(__name__)

PDF = "application/pdf"
PACKS = "packs/"


class StoreError(Exception):
    """The store could not be read or written (the database or the object store failed)."""


@dataclass(frozen=True)
class StoredObject:
    data: bytes
    content_type: str
    sha256: str
    created_at: dt.datetime | None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_response(obj: StoredObject, download_name: str, *, as_attachment: bool = True):
    """A Flask response sending these bytes: its content type, length, ETag (the SHA-256),
    Last-Modified, Content-Disposition with a safe name, and no caching (max_age=0)."""
    return send_file(io.BytesIO(obj.data), mimetype=obj.content_type, as_attachment=as_attachment,
                     download_name=download_name, max_age=0, etag=obj.sha256, last_modified=obj.created_at)


class Store:
    """The interface both backends offer."""

    kind = ""

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        raise NotImplementedError

    def open(self, key: str) -> StoredObject | None:
        raise NotImplementedError

    def delete(self, key: str) -> bool:
        """Remove the file; True if it was there."""
        raise NotImplementedError

    def exists(self, key: str) -> bool:
        raise NotImplementedError

    def keys(self, prefix: str = "") -> list[str]:
        raise NotImplementedError

    def delete_older(self, prefix: str, before: dt.datetime) -> int:
        """Remove the files under prefix stored before ``before``; how many."""
        raise NotImplementedError

    def get(self, key: str) -> bytes | None:
        found = self.open(key)
        return None if found is None else found.data

    def send(self, key: str, download_name: str, *, as_attachment: bool = True):
        """The stored file as a download; FileNotFoundError if there is none."""
        found = self.open(key)
        if found is None:
            raise FileNotFoundError(key)
        return file_response(found, download_name, as_attachment=as_attachment)


class DatabaseStore(Store):
    """Files in the table stored_files, read and written in the given session's transaction."""

    kind = "database"

    def __init__(self, session: Session) -> None:
        self.session = session

    def _run(self, statement):
        try:
            return self.session.execute(statement)
        except SQLAlchemyError as exc:
            raise StoreError(f"the database store failed: {exc.__class__.__name__}") from exc

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        values = {"key": key, "data": data, "size": len(data), "sha256": sha256(data), "content_type": content_type,
                  "created_at": utcnow()}
        dialect = self.session.get_bind().dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        elif dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:  # pragma: no cover - panel runs on these two
            self.delete(key)
            self._run(StoredFile.__table__.insert().values(**values))
            return
        # one statement, so two hosts writing the same key at once (a cleaned copy made on first
        # download) never fail: the last write wins, and both wrote the same bytes
        statement = insert(StoredFile.__table__).values(**values)
        statement = statement.on_conflict_do_update(index_elements=["key"],
                                                    set_={k: statement.excluded[k] for k in values if k != "key"})
        self._run(statement)

    def open(self, key: str) -> StoredObject | None:
        row = self._run(select(StoredFile.data, StoredFile.content_type, StoredFile.sha256, StoredFile.created_at)
                        .where(StoredFile.key == key)).first()
        return None if row is None else StoredObject(bytes(row.data), row.content_type, row.sha256, row.created_at)

    def exists(self, key: str) -> bool:
        return self._run(select(StoredFile.key).where(StoredFile.key == key)).first() is not None

    def delete(self, key: str) -> bool:
        return self._run(delete(StoredFile).where(StoredFile.key == key)
                         .execution_options(synchronize_session=False)).rowcount > 0

    def keys(self, prefix: str = "") -> list[str]:
        return list(self._run(select(StoredFile.key).where(StoredFile.key.startswith(prefix, autoescape=True))
                              .order_by(StoredFile.key)).scalars())

    def delete_older(self, prefix: str, before: dt.datetime) -> int:
        return self._run(delete(StoredFile).where(StoredFile.key.startswith(prefix, autoescape=True),
                                                  StoredFile.created_at < before)
                         .execution_options(synchronize_session=False)).rowcount


class S3Store(Store):
    """Files in an S3 bucket (AWS, MinIO, Ceph ...), under an optional prefix."""

    kind = "s3"

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if not parts.netloc:
            raise ValueError("STORAGE_URL must name a bucket: s3://bucket/prefix")
        self.bucket = parts.netloc
        prefix = parts.path.strip("/")
        self.prefix = f"{prefix}/" if prefix else ""
        options = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        unknown = set(options) - {"endpoint_url", "region", "addressing_style"}
        if unknown:
            raise ValueError(f"STORAGE_URL: unknown options {', '.join(sorted(unknown))}")
        self.endpoint_url = options.get("endpoint_url") or None
        self.region = options.get("region") or None
        # path style (http://host/bucket/key) for a local endpoint unless told otherwise
        self.addressing_style = options.get("addressing_style") or ("path" if self.endpoint_url else "auto")
        self._client = None

    @property
    def client(self):
        if self._client is None:
            import boto3  # only deployments that use S3 pay for importing it
            from botocore.config import Config

            self._client = boto3.session.Session().client(
                "s3", endpoint_url=self.endpoint_url, region_name=self.region,
                config=Config(s3={"addressing_style": self.addressing_style}, retries={"max_attempts": 3},
                              connect_timeout=5, read_timeout=30))
        return self._client

    def _call(self, name: str, **kwargs):
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self.client, name)(Bucket=self.bucket, **kwargs)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in {"NoSuchKey", "404", "NotFound"}:
                raise KeyError(kwargs.get("Key")) from exc
            raise StoreError(f"the object store refused {name}: {code}") from exc
        except BotoCoreError as exc:
            raise StoreError(f"the object store failed: {exc.__class__.__name__}") from exc

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        self._call("put_object", Key=self.prefix + key, Body=data, ContentType=content_type,
                   Metadata={"sha256": sha256(data)})

    def open(self, key: str) -> StoredObject | None:
        try:
            answer = self._call("get_object", Key=self.prefix + key)
        except KeyError:
            return None
        data = answer["Body"].read()
        return StoredObject(data, answer.get("ContentType") or "application/octet-stream",
                            answer.get("Metadata", {}).get("sha256") or sha256(data), answer.get("LastModified"))

    def exists(self, key: str) -> bool:
        try:
            self._call("head_object", Key=self.prefix + key)
        except KeyError:
            return False
        return True

    def delete(self, key: str) -> bool:
        existed = self.exists(key)
        if existed:
            self._call("delete_object", Key=self.prefix + key)
        return existed

    def _listing(self, prefix: str):
        token = None
        while True:
            kwargs = {"Prefix": self.prefix + prefix}
            if token:
                kwargs["ContinuationToken"] = token
            page = self._call("list_objects_v2", **kwargs)
            yield from page.get("Contents", [])
            if not page.get("IsTruncated"):
                return
            token = page["NextContinuationToken"]

    def keys(self, prefix: str = "") -> list[str]:
        return sorted(item["Key"][len(self.prefix):] for item in self._listing(prefix))

    def delete_older(self, prefix: str, before: dt.datetime) -> int:
        old = [item["Key"] for item in self._listing(prefix) if item["LastModified"] < before]
        for start in range(0, len(old), 1000):
            self._call("delete_objects", Delete={"Objects": [{"Key": k} for k in old[start:start + 1000]],
                                                 "Quiet": True})
        return len(old)


def make_store(url: str, session: Session | None = None) -> Store:
    url = (url or "").strip()
    if not url or url == "database":
        return DatabaseStore(session if session is not None else db())
    if url.startswith("s3://"):
        return S3Store(url)
    raise ValueError(f"STORAGE_URL must be empty (the database) or s3://bucket/prefix?..., not {url!r}")


def init_app(app) -> None:
    """Check STORAGE_URL at start-up (a mistake stops the app, not the first upload)."""
    url = app.config.get("STORAGE_URL") or ""
    if url.strip() and url.strip() != "database":
        app.extensions["panel.store"] = make_store(url)  # one S3 client per process


def get_store(session: Session | None = None) -> Store:
    """The store. With the database backend, ``session`` (default: the request's) is the
    transaction the writes belong to: the caller commits."""
    shared = current_app.extensions.get("panel.store")
    if shared is not None:
        return shared
    return DatabaseStore(session if session is not None else db())


# --- finished packs ------------------------------------------------------------

def pack_key(cache_key: str) -> str:
    return f"{PACKS}{cache_key}.pdf"


def put_pack(cache_key: str, data: bytes, session: Session | None = None) -> None:
    """Keep a finished pack where every host finds it (the worker's session: it commits)."""
    get_store(session).put(pack_key(cache_key), data, PDF)


def get_pack(cache_key: str, session: Session | None = None) -> bytes | None:
    """A finished pack's PDF from the store, or None."""
    return get_store(session).get(pack_key(cache_key))


def prune_packs(before: dt.datetime, session: Session | None = None) -> int:
    """Delete finished packs stored before ``before`` (they hold personal data)."""
    return get_store(session).delete_older(PACKS, before)
