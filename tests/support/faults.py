"""Real faults for tests: a full disk, and permissions that hold even for root.

* :func:`small_filesystem` mounts a tmpfs of a given size (``mount -t tmpfs
  -o size=...``, which needs root); :func:`fill` fills it, so writes fail with
  ``ENOSPC`` exactly as on a full disk (tmpfs(5): "size: the limit of
  allocated bytes for this tmpfs instance"). Tests skip when mounting is not
  permitted.
* :func:`run_journal` runs the ``journal`` command in a subprocess; with
  ``unprivileged=True`` and running as root, the child drops the
  ``CAP_DAC_OVERRIDE`` and ``CAP_DAC_READ_SEARCH`` capabilities from its
  bounding set before ``exec`` (prctl(2) ``PR_CAPBSET_DROP``), so that, as for
  any user, ``chmod 000`` makes a folder unreadable and ``chmod a-w`` a store
  read-only (capabilities(7): these two capabilities are what let root
  bypass file permission checks). As a non-root user permissions apply anyway.
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE = 1
CAP_DAC_READ_SEARCH = 2


def _drop_file_capabilities() -> None:  # runs in the child between fork and exec
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def permissions_hold() -> bool:
    """Whether a child started by :func:`run_journal` with ``unprivileged=True`` obeys file permissions."""
    if os.geteuid() != 0:
        return True
    probe = subprocess.run([sys.executable, "-c", "pass"], preexec_fn=_drop_file_capabilities,
                           capture_output=True, check=False)
    return probe.returncode == 0


needs_permissions = pytest.mark.skipif(
    not permissions_hold(), reason="running as root without the right to drop CAP_DAC_OVERRIDE: "
                                   "file permissions cannot be made to hold")


def run_journal(root: Path, *args: str, unprivileged: bool = False, timeout: float = 120,
                env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``journal --root ROOT ARGS`` in a subprocess (this checkout's package), output as text."""
    command = [sys.executable, "-m", "journal_agent.cli", "--root", str(root), *args]
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "JOURNAL_"))}
    environment.update(env or {})
    preexec = _drop_file_capabilities if unprivileged and os.geteuid() == 0 else None
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=environment,
                          preexec_fn=preexec, check=False)


@contextmanager
def small_filesystem(folder: Path, size_kib: int) -> Iterator[Path]:
    """Mount a ``size_kib`` KiB tmpfs on ``folder`` (created) for the block; skip the test if not permitted."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kib}k", "tmpfs", str(folder)],
                             capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to simulate a full disk: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


def fill(folder: Path, leave_kib: int = 0) -> Path:
    """Fill the filesystem holding ``folder`` until a write fails, then free ``leave_kib`` KiB.

    Returns the filler file; delete it to give the space back.
    """
    filler = folder / f".filler-{uuid.uuid4().hex[:8]}"
    block = b"\0" * 65536
    with open(filler, "wb", buffering=0) as handle:
        try:
            while handle.write(block):
                pass
        except OSError:
            pass
    size = filler.stat().st_size
    os.truncate(filler, max(0, size - leave_kib * 1024))
    return filler
