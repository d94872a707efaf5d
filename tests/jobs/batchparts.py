"""What the batch job tests share: a real S3-compatible server (moto's server mode on 127.0.0.1) and the loopback
Groq server with its Files and Batches endpoints (a folder served over HTTP is `served.served_folder`)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

import voicekit
from voicekit._sync import run_sync
from voicekit.testing import GroqServer, ServerOptions

BUCKET = "voicekit-archive"


class S3:
    """A running moto server and a boto3 client for it (any credentials are accepted)."""

    def __init__(self) -> None:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto logs every request
        boto3 = pytest.importorskip("boto3")
        server_module = pytest.importorskip("moto.server")
        self.server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.server.start()
        host, port = self.server.get_host_and_port()
        self.endpoint_url = f"http://{host}:{port}"
        config = pytest.importorskip("botocore.config").Config(signature_version="s3v4")
        self.client: Any = boto3.client("s3", endpoint_url=self.endpoint_url, region_name="us-east-1",
                                        aws_access_key_id="test", aws_secret_access_key="test", config=config)
        self.client.create_bucket(Bucket=BUCKET)

    def keys(self, prefix: str = "") -> list[str]:
        listing = self.client.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
        return [item["Key"] for item in listing.get("Contents", [])]

    def stop(self) -> None:
        self.server.stop()


@contextmanager
def groq(**options: Any) -> Iterator[tuple[GroqServer, voicekit.AsyncGroqClient]]:
    """The loopback Groq server (synthetic transcripts unless told) and a client for it."""
    options.setdefault("transcription_backend", "synthetic")
    with GroqServer(ServerOptions(**options)) as server:
        client = voicekit.AsyncGroqClient(api_key=server.api_key, base_url=server.base_url, max_retries=0)
        try:
            yield server, client
        finally:
            run_sync(client.aclose())
