"""A server's worker process ends when the process that started it is gone.

granian (like most pre-forking servers) runs the application in worker processes that share the
listening socket. Killed with ``kill -9``, its main process can no longer stop them: they were
re-parented to init and kept answering on the port, an orphan nobody supervises, restarts or
upgrades (issue #13, crash safety 7). granian has no option for it, so the application does it:
:func:`follow_parent` starts a thread that notices the parent changed and stops this process —
``SIGTERM`` first (the server's own graceful stop), ``SIGKILL`` if it is still there after
``grace`` seconds.

Called from ``wsgi.py`` and ``asgi.py``; scripts/run.sh ties the main processes to the script
in the same way (``setpriv --pdeathsig``).
"""

from __future__ import annotations

import logging
import os
import signal
import threading

logger = logging.getLogger(__name__)
_started = False


def follow_parent(*, interval: float = 1.0, grace: float = 10.0) -> None:
    """Watch this process's parent from a daemon thread (once per process)."""
    global _started
    if _started or os.name != "posix":
        return
    _started = True
    parent = os.getppid()
    if parent == 1:  # started by init itself (a container's entry point): nothing to follow
        return
    threading.Thread(target=_watch, args=(parent, interval, grace), name="lifeline", daemon=True).start()


def _watch(parent: int, interval: float, grace: float) -> None:
    stop = threading.Event()
    while not stop.wait(interval):
        if os.getppid() != parent:
            break
    logger.error("the server's main process %d is gone: this worker (%d) stops", parent, os.getpid())
    os.kill(os.getpid(), signal.SIGTERM)
    stop.wait(grace)
    os.kill(os.getpid(), signal.SIGKILL)
