"""Opening a stored file with the desktop's own viewer (``xdg-open``, ``open``, Windows' association)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def open_in_system_viewer(path: str | Path) -> str | None:
    """Open ``path`` with the desktop's viewer; None on success, else why not.

    The command is ``[files] open_command`` (``$AUTHDESK_OPEN_COMMAND``) when set, else ``open`` on macOS,
    the shell's association on Windows and ``xdg-open`` elsewhere.
    """
    path = Path(path)
    if not path.is_file():
        return f"The stored file is missing ({path})."
    from store.config import settings

    command = settings().files_open_command.split()
    if not command:
        if sys.platform == "win32":  # pragma: no cover - not in CI
            try:
                os.startfile(str(path))  # type: ignore[attr-defined]
            except OSError as exc:
                return f"Windows could not open the file: {exc.strerror or exc}."
            return None
        command = ["open"] if sys.platform == "darwin" else ["xdg-open"]
    if shutil.which(command[0]) is None:
        return f"No system viewer here ({command[0]} is not installed); export the file with x instead."
    try:
        result = subprocess.run(
            [*command, str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=15,
            start_new_session=True,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None  # the viewer is still starting: it was launched
    except OSError as exc:
        return f"Cannot start {command[0]}: {exc.strerror or exc}."
    if result.returncode != 0:
        detail = result.stderr.decode(errors="replace").strip().splitlines()
        why = f": {detail[-1]}" if detail else ""
        return f"{command[0]} could not open the file (exit {result.returncode}{why}); export it with x instead."
    return None


