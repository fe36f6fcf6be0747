"""Model install / resume / verify against a local HTTP server with Range support."""

from __future__ import annotations

import hashlib
import io
import re
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kiosk.voice import models
from kiosk.voice.models import ModelError, find_model, install_model, list_models, verify_model

NAME = "vosk-model-test-0.1"


def model_zip(top: str = NAME, *, complete: bool = True) -> bytes:
    """A small zip shaped like a Vosk model (random-ish payload so resume offsets matter)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(f"{top}/am/final.mdl", bytes(range(256)) * 400)
        zf.writestr(f"{top}/conf/mfcc.conf", "--use-energy=false\n")
        if complete:
            zf.writestr(f"{top}/graph/HCLG.fst", b"\x01\x02" * 5000)
        zf.writestr(f"{top}/README", "test model\n")
    return buffer.getvalue()


class Server:
    """Serves one payload; honours ``Range``; can ignore it or cut the body short."""

    def __init__(self, payload: bytes) -> None:
        self.payload = payload
        self.ranges: list[str | None] = []
        self.honour_range = True
        self.cut_after: int | None = None
        self.status = 200
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server API)
                server.ranges.append(self.headers.get("Range"))
                if server.status != 200:
                    self.send_error(server.status)
                    return
                body, start = server.payload, 0
                match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
                if match and server.honour_range:
                    start = int(match[1])
                    if start >= len(body):
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{len(body)}")
                        self.end_headers()
                        return
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                else:
                    self.send_response(200)
                rest = body[start:]
                self.send_header("Content-Length", str(len(rest)))
                self.end_headers()
                if server.cut_after is not None:
                    self.wfile.write(rest[: server.cut_after])
                    server.cut_after = None
                    self.close_connection = True
                    return
                self.wfile.write(rest)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/{NAME}.zip"
        self.sha256 = hashlib.sha256(payload).hexdigest()

    def __enter__(self) -> Server:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    with Server(model_zip()) as srv:
        yield srv


def test_install_downloads_verifies_and_unpacks(server: Server, tmp_path: Path) -> None:
    seen: list[tuple[int, int | None]] = []
    path = install_model(tmp_path, url=server.url, sha256=server.sha256, progress=lambda d, t: seen.append((d, t)))
    assert path == tmp_path / NAME
    assert (path / "am" / "final.mdl").read_bytes() == bytes(range(256)) * 400
    assert verify_model(tmp_path, NAME).ok
    assert not list(tmp_path.glob("*.part")) and not list(tmp_path.glob(".*"))
    assert seen[-1] == (len(server.payload), len(server.payload))


def test_install_resumes_a_partial_download_with_range(server: Server, tmp_path: Path) -> None:
    (tmp_path / f"{NAME}.zip.part").write_bytes(server.payload[:1000])
    install_model(tmp_path, url=server.url, sha256=server.sha256)
    assert server.ranges == ["bytes=1000-"]
    assert verify_model(tmp_path, NAME).ok


def test_interrupted_download_keeps_part_and_next_install_resumes(server: Server, tmp_path: Path) -> None:
    server.cut_after = 70_000  # more than one read chunk arrives before the connection drops
    with pytest.raises(ModelError, match="download interrupted"):
        install_model(tmp_path, url=server.url, sha256=server.sha256)
    kept = (tmp_path / f"{NAME}.zip.part").stat().st_size
    assert 0 < kept <= 70_000
    install_model(tmp_path, url=server.url, sha256=server.sha256)
    assert server.ranges == [None, f"bytes={kept}-"]
    assert verify_model(tmp_path, NAME).ok


def test_server_ignoring_range_restarts_from_zero(server: Server, tmp_path: Path) -> None:
    server.honour_range = False
    (tmp_path / f"{NAME}.zip.part").write_bytes(b"garbage" * 10)
    install_model(tmp_path, url=server.url, sha256=server.sha256)
    assert verify_model(tmp_path, NAME).ok


def test_complete_part_file_gets_416_and_is_used(server: Server, tmp_path: Path) -> None:
    (tmp_path / f"{NAME}.zip.part").write_bytes(server.payload)
    install_model(tmp_path, url=server.url, sha256=server.sha256)
    assert verify_model(tmp_path, NAME).ok


def test_checksum_mismatch_raises_and_deletes_the_part(server: Server, tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="SHA-256") as info:
        install_model(tmp_path, url=server.url, sha256="0" * 64)
    assert "checksum mismatch" in str(info.value)
    assert not (tmp_path / NAME).exists()
    assert not (tmp_path / f"{NAME}.zip.part").exists()


def test_http_error_is_a_model_error(server: Server, tmp_path: Path) -> None:
    server.status = 404
    with pytest.raises(ModelError, match="404"):
        install_model(tmp_path, url=server.url, sha256=server.sha256)


def test_unreachable_server_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="download interrupted"):
        install_model(tmp_path, url="http://127.0.0.1:9/x.zip", sha256="0" * 64, timeout=2)


def test_archive_without_a_model_is_rejected(tmp_path: Path) -> None:
    with Server(model_zip(complete=False)) as srv:
        with pytest.raises(ModelError, match="not a Vosk model"):
            install_model(tmp_path, url=srv.url, sha256=srv.sha256)
    assert not (tmp_path / NAME).exists()


def test_second_install_is_a_no_op(server: Server, tmp_path: Path) -> None:
    install_model(tmp_path, url=server.url, sha256=server.sha256)
    install_model(tmp_path, url=server.url, sha256=server.sha256)
    assert len(server.ranges) == 1


def test_verify_detects_a_corrupted_file_and_reinstall_repairs_it(server: Server, tmp_path: Path) -> None:
    path = install_model(tmp_path, url=server.url, sha256=server.sha256)
    mdl = path / "am" / "final.mdl"
    mdl.write_bytes(b"\xff" + mdl.read_bytes()[1:])
    assert verify_model(tmp_path, NAME).problems == ("wrong checksum am/final.mdl",)
    assert verify_model(tmp_path, NAME, deep=False).ok  # same size: only the deep check sees it
    install_model(tmp_path, url=server.url, sha256=server.sha256)
    assert verify_model(tmp_path, NAME).ok


def test_list_and_find_models(server: Server, tmp_path: Path) -> None:
    assert list_models(tmp_path / "missing") == [] and find_model(tmp_path) is None
    install_model(tmp_path, url=server.url, sha256=server.sha256)
    (tmp_path / "broken-model" / "am").mkdir(parents=True)
    listed = {m.name: m for m in list_models(tmp_path)}
    assert listed[NAME].ok and listed[NAME].size_bytes > 100_000
    assert not listed["broken-model"].ok
    assert find_model(tmp_path) == tmp_path / NAME
    with pytest.raises(ModelError, match="anxin models install"):
        models.require_model(tmp_path / "empty")


def test_verify_reports_a_missing_model(tmp_path: Path) -> None:
    assert verify_model(tmp_path, "nope").problems == ("not installed",)
    missing = verify_model(tmp_path)  # the default model name
    assert missing.name == models.DEFAULT_MODEL and "not installed" in str(missing)


def test_model_info_prints_one_readable_line(server: Server, tmp_path: Path) -> None:
    install_model(tmp_path, url=server.url, sha256=server.sha256)
    line = str(verify_model(tmp_path, NAME))
    assert line.startswith(f"{NAME}  0.1 MB  正常 / ok")


def test_packaged_korean_model_is_found() -> None:
    path = models.packaged_model_path()
    assert path is not None and (path / "am" / "final.mdl").is_file()
    assert models.packaged_model_path("no_such_package_here") is None


def test_error_message_is_bilingual() -> None:
    error = ModelError("下载失败", "download failed", advice="retry")
    assert str(error) == "下载失败 / download failed (retry)"
    assert error.zh == "下载失败" and error.en == "download failed"
