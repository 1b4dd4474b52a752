"""The private folder where cut fonts are kept, without importing any PDF or font library.

The server process only needs the folder's path (to hand it to a child that cuts and draws);
importing ``pdf.fonts`` for it loaded fpdf2, fontTools and pikepdf into every server (~35 MB).
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def font_cache_folder(kind: str = "pdf") -> Path:
    """Return the private per-user folder where cut fonts of ``kind`` are kept.

    Like ``signing.fonts``: outside the storage, so that every installation and test shares
    one cut; refused if another user could plant the font we embed.
    """
    uid = os.getuid()
    folder = Path(tempfile.gettempdir()) / f"meeting-{kind}-fonts-{uid}"
    folder.mkdir(mode=0o700, exist_ok=True)
    info = folder.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != uid or info.st_mode & 0o022:
        raise RuntimeError(f"Font cache {folder} is not a private folder of this user.")
    return folder
