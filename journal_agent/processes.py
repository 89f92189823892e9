"""Whether a process journal-agent started is still running: one check for every pid file (stdlib only).

Used by the sleep-time agent (its background reflection's pid in ``reflection.json``) and by the
CLI's check of a running ``journal serve`` (``serve.json``); kept free of heavy imports, since the
latter runs on the start-up path of ``journal search``.
"""

from __future__ import annotations

import os


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` runs and is this user's (``os.kill(pid, 0)`` checks without sending anything).

    ``False`` for a pid <= 0, a process that is gone, another user's process that took the number (not
    ours), and a finished child of this very process not yet reaped (a zombie; it is reaped here).
    """
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process took the number: not the one we started
        return False
    try:  # a finished child of this very process is a zombie until reaped: not running
        return os.waitpid(pid, os.WNOHANG)[0] == 0
    except ChildProcessError:  # not our child: os.kill said it runs
        return True
