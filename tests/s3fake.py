"""A local S3 for the object-storage tests: moto's server mode on a free port (CI has no
network). ``s3_url`` gives each test a bucket of its own, as a PANEL_STORAGE_URL."""
from __future__ import annotations

import logging
import secrets
import socket

import pytest

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "panel-test", "AWS_SECRET_ACCESS_KEY": "panel-test-secret",
               "AWS_DEFAULT_REGION": "eu-west-2"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto's S3 server in this test process, on a free port; its URL."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture()
def s3_url(s3_endpoint, monkeypatch):
    """A new bucket on the fake; the STORAGE_URL that names it (with a prefix)."""
    import boto3

    for key, value in CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    bucket = f"panel-{secrets.token_hex(6)}"
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-west-2").create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    return f"s3://{bucket}/panel-files?endpoint_url={s3_endpoint}&region=eu-west-2"


def bucket_keys(url: str) -> list[str]:
    """Every key in the bucket a STORAGE_URL names (prefix included), read with boto3 directly."""
    import boto3
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(url)
    endpoint = parse_qs(parts.query)["endpoint_url"][0]
    answer = boto3.client("s3", endpoint_url=endpoint, region_name="eu-west-2").list_objects_v2(Bucket=parts.netloc)
    return sorted(item["Key"] for item in answer.get("Contents", []))
