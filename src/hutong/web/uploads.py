"""Uploaded files land in a temporary file under the data directory, copied in bounded
chunks, so no request holds a whole upload in memory and the database is not locked while
the bytes arrive. A console upload waits there, private to its user, until the steward has
confirmed its column mapping (``keep`` / ``pending`` / ``discard``)."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import UploadFile

from hutong.core.errors import NotFound

CHUNK = 1024 * 1024
TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


@contextmanager
def spooled(upload: UploadFile, data_dir: Path, name: str = "upload.csv") -> Iterator[Path]:
    with tempfile.TemporaryDirectory(dir=data_dir) as folder:
        path = Path(folder) / name
        with path.open("wb") as sink:
            shutil.copyfileobj(upload.file, sink, CHUNK)
        yield path


# --- uploads waiting for their column mapping (the console's two-step upload) --------------

PENDING = "uploads"
PENDING_HOURS = 24


@dataclass(frozen=True)
class Pending:
    token: str
    path: Path
    filename: str
    code: str
    user_id: str
    on_invalid: str


def keep(upload: UploadFile, data_dir: Path, code: str, user_id: str, on_invalid: str) -> Pending:
    """Store an upload until its steward confirms the mapping; stale ones are removed first."""
    root = data_dir / PENDING
    root.mkdir(exist_ok=True)
    cutoff = time.time() - PENDING_HOURS * 3600
    for old in root.iterdir():
        if old.stat().st_mtime < cutoff:
            shutil.rmtree(old, ignore_errors=True)
    token = secrets.token_urlsafe(24)
    folder = root / token
    folder.mkdir(mode=0o700)
    filename = Path(upload.filename or "upload.csv").name[:200]
    with (folder / "file").open("wb") as sink:
        shutil.copyfileobj(upload.file, sink, CHUNK)
    meta = {"filename": filename, "code": code, "user_id": user_id, "on_invalid": on_invalid}
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return Pending(token, folder / "file", **meta)


def pending(data_dir: Path, token: str, code: str, user_id: str) -> Pending:
    """The upload behind a token, only for the user who made it and the entry it was for."""
    folder = data_dir / PENDING / token
    meta_file = folder / "meta.json"
    if not TOKEN.fullmatch(token) or not meta_file.exists():
        raise NotFound("上传的文件已过期，请重新上传", "the upload has expired", field="file")
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    if meta["code"] != code or meta["user_id"] != user_id:
        raise NotFound("上传的文件已过期，请重新上传", "the upload has expired", field="file")
    return Pending(token, folder / "file", **meta)


def discard(item: Pending) -> None:
    shutil.rmtree(item.path.parent, ignore_errors=True)
