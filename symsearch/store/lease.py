"""The store lease: one search process owns a store file at a time.

Two drivers writing one store would interleave trial ids and corrupt each other's resume state,
so a writer takes a lease first (``Store.acquire_lease``). The lease is a row of the store's own
``meta`` table (key ``"lease"``, reserved) holding the owner::

    {"host": "h", "pid": 1234, "started": "<boot id>:<start ticks>", "pid_namespace": "...",
     "acquired_at": 1767000000.0, "heartbeat_at": 1767000004.0}

and a daemon thread of the owner refreshes ``heartbeat_at`` every ``heartbeat_s`` seconds. The
read-check-write of acquiring runs in one ``BEGIN IMMEDIATE`` transaction, so of two processes
acquiring at the same moment exactly one wins. An owner is dead (its lease is taken over) when

- it runs on this host (and pid namespace) and its pid is gone, a zombie, or now a different
  process (the start token differs; pid reuse), or
- its heartbeat is older than ``stale_after_s`` (any host: an owner on another machine that died,
  or a process stopped for that long).

The owner checks, in every commit's own write transaction, that the row is still its own, so a
process whose lease was taken over never commits another write: it rolls back and raises
``StoreLockedError`` from then on. Readers never need the lease.

>>> import os, tempfile
>>> from symsearch.store import SqliteStore
>>> store = SqliteStore(os.path.join(tempfile.mkdtemp(), "x.db"))
>>> store.acquire_lease() is None          # nobody owned it
True
>>> store.lease_owner()["pid"] == os.getpid()
True
>>> store.close()                          # releases the lease
"""
from __future__ import annotations

import json
import os
import socket
import sqlite3
import threading
import time
import weakref
from typing import Any, Callable, Optional

LEASE_KEY = "lease"


class StoreLockedError(RuntimeError):
    """The store is owned by another live search (or was taken over from this process).

    Attributes:
      path: the store file.
      owner: the owner's dict (host, pid, started, acquired_at, heartbeat_at), None when unknown.
      age_s: seconds since the owner's last heartbeat (None when unknown).
      lost: True when this process held the lease and another process took it over.
    """

    def __init__(self, path: Any, owner: Optional[dict], age_s: Optional[float] = None,
                 lost: bool = False, detail: str = "") -> None:
        self.path = os.fspath(path)
        self.owner = owner
        self.age_s = age_s
        self.lost = lost
        who = describe_owner(owner, age_s)
        if lost:
            message = (f"the store {self.path!r} was taken over by another search: {who}. This "
                       f"process no longer owns it and writes nothing more to it (its last "
                       f"batched writes were rolled back); stop this search")
        else:
            message = (f"the store {self.path!r} is in use by another search: {who}. Wait for "
                       f"it to finish or stop it; a store whose owner has died is taken over by "
                       f"--resume / resume=True.")
        super().__init__(message + (f" ({detail})" if detail else ""))


def describe_owner(owner: Optional[dict], age_s: Optional[float] = None) -> str:
    """``"pid 1234 on host 'h' (started ..., last heartbeat 1.2 s ago)"`` for messages."""
    if not owner:
        return "owner unknown (the lease was released or removed meanwhile)"
    started = owner.get("acquired_at")
    started_text = (time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started))
                    if isinstance(started, (int, float)) else "at an unknown time")
    age_text = "" if age_s is None else f", last heartbeat {max(age_s, 0.0):.1f} s ago"
    return (f"pid {owner.get('pid')} on host {owner.get('host')!r} "
            f"(started {started_text}{age_text})")


# -- process identity ----------------------------------------------------------------------------
def _read(path: str) -> Optional[str]:
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            return f.read().strip()
    except OSError:
        return None


def _proc_stat(pid: int) -> Optional[list]:
    """The fields of /proc/<pid>/stat after the command name (Linux), None elsewhere."""
    text = _read(f"/proc/{pid}/stat")
    if not text or ")" not in text:
        return None
    return text.rsplit(")", 1)[1].split()    # [state (field 3), ppid, ..., starttime (22), ...]


def process_start_token(pid: int) -> Optional[str]:
    """A token that tells process ``pid`` apart from a later one reusing its pid: the boot id
    and the start time in clock ticks (/proc/<pid>/stat field 22) on Linux; None elsewhere,
    where only the pid is compared."""
    fields = _proc_stat(pid)
    if fields is None or len(fields) < 20:
        return None
    return f"{_read('/proc/sys/kernel/random/boot_id') or '?'}:{fields[19]}"


def pid_namespace() -> Optional[str]:
    """This process's pid namespace (Linux): two containers may share a host name but not it."""
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return None


def pid_alive(pid: int) -> Optional[bool]:
    """Whether process ``pid`` runs (a zombie does not); None when this cannot be known."""
    if os.name == "nt":       # os.kill(pid, 0) is not a probe there
        return None
    fields = _proc_stat(pid)
    if fields is not None:
        return fields[0] != "Z"
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return None
    return True


def this_process_owner(now: float) -> dict:
    """The lease owner dict of this process, acquired and heartbeating at ``now``."""
    pid = os.getpid()
    return {"host": socket.gethostname(), "pid": pid, "started": process_start_token(pid),
            "pid_namespace": pid_namespace(), "acquired_at": now, "heartbeat_at": now}


def same_process(a: dict, b: dict) -> bool:
    """Whether two owner dicts name the same process."""
    return all(a.get(k) == b.get(k) for k in ("host", "pid", "started", "pid_namespace"))


def death_reason(owner: dict, me: dict, now: float, stale_after_s: float) -> Optional[str]:
    """Why ``owner`` is dead (a short text), or None when it may still be running."""
    heartbeat = owner.get("heartbeat_at")
    age = now - heartbeat if isinstance(heartbeat, (int, float)) else float("inf")
    if age > stale_after_s:
        return f"its last heartbeat was {age:.1f} s ago, over stale_after_s={stale_after_s}"
    if owner.get("host") != me["host"]:
        return None
    if owner.get("pid_namespace") and me["pid_namespace"] \
            and owner.get("pid_namespace") != me["pid_namespace"]:
        return None       # another container: its pids are not ours to probe
    pid = owner.get("pid")
    if not isinstance(pid, int) or isinstance(pid, bool):
        return f"it names no valid pid ({pid!r})"
    alive = pid_alive(pid)
    if alive is False:
        return f"pid {pid} is no longer running"
    token = owner.get("started")
    if alive and token and process_start_token(pid) not in (None, token):
        return f"pid {pid} now belongs to another process"
    return None


def with_age(owner: Optional[dict], now: float) -> Optional[dict]:
    """``owner`` plus ``"age_s"`` (seconds since its heartbeat), for display."""
    if owner is None:
        return None
    heartbeat = owner.get("heartbeat_at")
    age = now - heartbeat if isinstance(heartbeat, (int, float)) else None
    return {**owner, "age_s": age}


# -- the lease row -------------------------------------------------------------------------------
def read_lease_text(conn: sqlite3.Connection) -> Optional[str]:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (LEASE_KEY,)).fetchone()
    return None if row is None else row[0]


def parse_owner(text: Optional[str]) -> Optional[dict]:
    """The owner dict of a lease row (a row that is no dict reads as an owner long dead)."""
    if text is None:
        return None
    try:
        owner = json.loads(text)
    except ValueError:
        owner = None
    return owner if isinstance(owner, dict) else {"invalid_lease": text[:200]}


def write_lease(conn: sqlite3.Connection, owner: dict) -> str:
    text = json.dumps(owner, separators=(",", ":"))
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (LEASE_KEY, text))
    return text


def acquire(conn: sqlite3.Connection, path: Any, stale_after_s: float) -> tuple:
    """Takes the lease in one BEGIN IMMEDIATE transaction, committed on return.

    Returns ``(owner, text, previous)``: this process's owner dict, the row text written, and
    the dead owner taken over (None when there was none or it was this process). Raises
    StoreLockedError when a live process holds it. ``conn`` must have no open transaction.
    """
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as e:
        if "locked" not in str(e) and "busy" not in str(e):
            raise
        now = time.time()
        owner = parse_owner(read_lease_text(conn))
        age = with_age(owner, now)["age_s"] if owner else None
        raise StoreLockedError(path, owner, age, detail=f"another connection kept a write "
                                                       f"transaction open: {e}") from None
    try:
        now = time.time()
        me = this_process_owner(now)
        previous = parse_owner(read_lease_text(conn))
        if previous is not None and same_process(previous, me):
            me["acquired_at"] = previous.get("acquired_at", now)
            previous = None
        elif previous is not None and death_reason(previous, me, now, stale_after_s) is None:
            raise StoreLockedError(path, previous, with_age(previous, now)["age_s"])
        text = write_lease(conn, me)
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    return me, text, previous


class Heartbeat:
    """A daemon thread calling ``beat()`` on the store every ``interval`` seconds until stopped
    or until ``beat`` returns False. Holds the store weakly, so a dropped store is collected."""

    def __init__(self, store: Any, beat: Callable[[Any], bool], interval: float) -> None:
        self.stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(weakref.ref(store), beat,
                                                                interval),
                                        name=f"symsearch-lease-{getattr(store, 'path', '')}",
                                        daemon=True)
        self._thread.start()

    def _run(self, store_ref: weakref.ref, beat: Callable[[Any], bool], interval: float) -> None:
        while not self.stopped.wait(interval):
            store = store_ref()
            if store is None or not beat(store):
                return
            del store

    def stop(self) -> None:
        """Asks the thread to end (it does after its current beat; not joined, so this may be
        called with the store's lock held)."""
        self.stopped.set()
