"""The blob store's temporary folder: what a killed process left is swept, live work is not."""

from __future__ import annotations

import os
import time
from pathlib import Path

from meeting_server.storage import TMP_MAX_AGE_S, BlobStore


def test_leftovers_in_tmp_are_swept_and_live_work_is_kept(tmp_path: Path):
    store = BlobStore(tmp_path)
    old = time.time() - TMP_MAX_AGE_S - 60
    partial = store.tmp_dir / "abc.upload"  # an upload whose process was killed
    partial.write_bytes(b"%PDF-1.7 half")
    workdir = store.tmp_dir / "thumbnails-x"  # a child's folder, killed mid-render
    workdir.mkdir()
    (workdir / "page-1.webp").write_bytes(b"RIFF")
    for path in (partial, workdir):
        os.utime(path, (old, old))
    live = store.tmp_dir / "def.upload"
    live.write_bytes(b"%PDF-1.7 arriving")

    assert store.sweep_tmp() == 2

    assert sorted(path.name for path in store.tmp_dir.iterdir()) == ["def.upload"]


def test_starting_the_app_sweeps_the_leftovers(make_app, app_config):
    tmp = Path(app_config["STORAGE_DIR"]) / "tmp"
    tmp.mkdir(parents=True)
    leftover = tmp / "killed.upload"
    leftover.write_bytes(b"x")
    old = time.time() - TMP_MAX_AGE_S - 60
    os.utime(leftover, (old, old))
    make_app()
    assert not leftover.exists()
