"""StoreCatalog: the stores a dashboard serves (one file, several, or a folder of ``.db``
files), each opened read-only on first use and refreshed as its search writes it.

A folder is listed again on every ``entries()`` call, so a search started after the dashboard
shows up without a restart.
"""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Optional, Sequence, Union

from symsearch.viz.live import LiveStore

REFRESH_INTERVAL = 0.2     # seconds: requests closer together share one read of the store


class StoreEntry:
    """One store of the catalog: its id in URLs, its path and, once opened, its LiveStore."""

    def __init__(self, store_id: str, path: Path) -> None:
        self.id = store_id
        self.path = path
        self.lock = threading.RLock()     # one request at a time reads a store's tables
        self._live: Optional[LiveStore] = None
        self._refreshed = 0.0

    def live(self) -> LiveStore:
        """The open LiveStore, refreshed at most every REFRESH_INTERVAL seconds."""
        with self.lock:
            if self._live is None:
                self._live = LiveStore(self.path)
                self._refreshed = time.monotonic()
            elif time.monotonic() - self._refreshed >= REFRESH_INTERVAL:
                self._live.refresh()
                self._refreshed = time.monotonic()
            return self._live

    def close(self) -> None:
        with self.lock:
            if self._live is not None:
                self._live.close()
                self._live = None


class StoreCatalog:
    """The stores named by ``paths``: store files, or folders whose ``*.db`` files are
    stores. Raises FileNotFoundError naming a path that does not exist."""

    def __init__(self, paths: Sequence[Union[str, os.PathLike]]) -> None:
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        self.paths = [Path(p) for p in paths]
        if not self.paths:
            raise ValueError("give at least one store file or folder")
        for path in self.paths:
            if not path.exists():
                raise FileNotFoundError(f"no experiment store or folder at {str(path)!r}")
        self._entries: dict = {}
        self._lock = threading.Lock()

    def _files(self) -> list:
        files = []
        for path in self.paths:
            if path.is_dir():
                files.extend(sorted(p for p in path.glob("*.db") if p.is_file()))
            else:
                files.append(path)
        return files

    def entries(self) -> list:
        """The stores, in the order given (a folder's files sorted by name)."""
        with self._lock:
            by_path = {e.path.resolve(): e for e in self._entries.values()}
            out = []
            for file in self._files():
                entry = by_path.get(file.resolve())
                if entry is None:
                    store_id = file.stem
                    n = 2
                    while store_id in self._entries:
                        store_id, n = f"{file.stem}-{n}", n + 1
                    entry = self._entries[store_id] = StoreEntry(store_id, file)
                    by_path[file.resolve()] = entry
                out.append(entry)
            return out

    def get(self, store_id: str) -> StoreEntry:
        """The store with that id; KeyError naming the ids there are."""
        entry = self._entries.get(store_id)
        if entry is None:
            self.entries()
            entry = self._entries.get(store_id)
        if entry is None:
            raise KeyError(f"no store {store_id!r}; stores are {sorted(self._entries)}")
        return entry

    def close(self) -> None:
        with self._lock:
            for entry in self._entries.values():
                entry.close()
