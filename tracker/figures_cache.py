"""Cached figures: results that are costly to compute and the same for every reader (the
dashboard's), kept under the register's version so a change makes them stale at once.

`figures(name, parts, compute)` reads the register's version (one query), then returns what
is stored under (name, version, parts) or computes, stores and returns it. Readers who miss at
the same moment wait for the first one's result instead of computing it again (a lock per
key), so a room of readers costs one computation per change.

Where the figures live is the CACHE_URL setting: unset, in the memory of each process;
`redis://host:6379/0`, in Redis, shared by every process on every host. When Redis cannot be
reached (or goes away later), each process falls back to its memory and tries Redis again
after RETRY_SECONDS; a request never fails for want of the cache.

Stored values are pickled and signed with the app's SECRET_KEY (HMAC-SHA256 over the key and
the value); an entry whose signature does not match is ignored, so a writable Redis cannot
make the app unpickle foreign data.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import pickle
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from tracker import register_version

log = logging.getLogger(__name__)

EXTENSION = "figures_cache"
# Entries are keyed by the minute at most, so none is read after a few minutes.
ENTRY_SECONDS = 600
# How long a reader waits for another reader computing the same figures before computing
# them itself (longer than the slowest dashboard takes).
WAIT_SECONDS = 15
RETRY_SECONDS = 30
MEMORY_ENTRIES = 256
# And at most this many bytes of them: a dashboard's entry is about 80 KB at 10,000 risks, but
# grows with its lists and the number of teams; the bound keeps each worker's share fixed.
MEMORY_BYTES = 32 * 1024 * 1024
DECODED_ENTRIES = 16


class MemoryStore:
    """The figures of one process: a dict bounded in entries and in bytes, least recently used
    out first."""

    def __init__(self, capacity: int = MEMORY_ENTRIES, max_bytes: int = MEMORY_BYTES):
        self.capacity = capacity
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def get(self, key: str) -> bytes | None:
        with self._guard:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def set(self, key: str, value: bytes) -> None:
        with self._guard:
            self.size += len(value) - len(self._entries.get(key, b""))
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.capacity or self.size > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self.size -= len(dropped)

    @contextmanager
    def computing(self, key: str) -> Iterator[None]:
        """Held while one thread computes `key`; others wait for it."""
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        acquired = lock.acquire(timeout=WAIT_SECONDS)
        try:
            yield
        finally:
            if acquired:
                lock.release()
            with self._guard:
                if not lock.locked():
                    self._locks.pop(key, None)


class RedisStore:
    """The figures of every process, in Redis. Never raises for Redis' sake: a failed
    operation calls `on_error` and answers as a miss."""

    def __init__(self, url: str, on_error: Callable[[Exception], None]):
        import redis  # only deployments with CACHE_URL need the package loaded

        self._errors = (redis.RedisError, OSError)
        self._on_error = on_error
        self.client = redis.Redis.from_url(
            url, socket_connect_timeout=0.5, socket_timeout=2.0, health_check_interval=30
        )

    def get(self, key: str) -> bytes | None:
        try:
            return self.client.get(key)
        except self._errors as exc:
            self._on_error(exc)
            return None

    def set(self, key: str, value: bytes) -> None:
        try:
            self.client.set(key, value, ex=ENTRY_SECONDS)
        except self._errors as exc:
            self._on_error(exc)

    @contextmanager
    def computing(self, key: str) -> Iterator[None]:
        """Held (in Redis, for every process) while one reader computes `key`."""
        lock = self.client.lock(
            f"{key}:computing", timeout=WAIT_SECONDS * 2, sleep=0.02, blocking_timeout=WAIT_SECONDS
        )
        try:
            acquired = lock.acquire()
        except self._errors as exc:
            self._on_error(exc)
            acquired = False
        try:
            yield
        finally:
            if acquired:
                # Expired, or Redis gone: the lock times out by itself.
                with suppress(*self._errors):
                    lock.release()


class FiguresCache:
    """One app's cache: a shared store (Redis) when configured, else this process's memory."""

    def __init__(self, secret: str, prefix: str, url: str | None = None):
        self._secret = secret.encode()
        self.prefix = prefix
        self.memory = MemoryStore()
        self.shared = RedisStore(url, self._shared_failed) if url else None
        self._shared_down_until = 0.0
        # The last few results, unpickled, so a current one costs this process no decoding.
        self._decoded: OrderedDict[str, Any] = OrderedDict()
        self._guard = threading.Lock()
        # How many times each name's figures were computed here (for tests and the bench).
        self.computations: Counter[str] = Counter()

    def figures(self, name: str, parts: tuple, compute: Callable[[], Any]) -> Any:
        """The figures `compute()` returns, as of the register's current version.

        `parts` must hold everything else the figures depend on (a team, the day or the
        minute for figures that depend on the clock). The result is a copy detached from any
        database session, shared read-only by this process's requests under the same key:
        callers must not change it.
        """
        key = ":".join([self.prefix + name, str(register_version.current()), *map(str, parts)])
        with self._guard:
            if key in self._decoded:
                self._decoded.move_to_end(key)
                return self._decoded[key]
        value = self._read_through(self._store(), key, compute)
        with self._guard:
            self._decoded[key] = value
            while len(self._decoded) > DECODED_ENTRIES:
                self._decoded.popitem(last=False)
        return value

    def _store(self):
        if self.shared is not None and time.monotonic() >= self._shared_down_until:
            return self.shared
        return self.memory

    def _read_through(self, store, key: str, compute: Callable[[], Any]) -> Any:
        if (value := self._load(key, store.get(key))) is not None:
            return value
        with store.computing(key):
            if (value := self._load(key, store.get(key))) is not None:
                return value
            blob = self._dump(key, compute())
            store.set(key, blob)
            if store is not self.memory and self._store() is self.memory:
                self.memory.set(key, blob)  # the shared store failed meanwhile
        return self._load(key, blob)

    def _shared_failed(self, exc: Exception) -> None:
        if time.monotonic() >= self._shared_down_until:
            log.warning(
                "The cache at CACHE_URL cannot be reached (%s); using each process's memory, "
                "trying again in %s s.",
                type(exc).__name__,
                RETRY_SECONDS,
            )
        self._shared_down_until = time.monotonic() + RETRY_SECONDS

    def _dump(self, key: str, value: Any) -> bytes:
        self.computations[key.removeprefix(self.prefix).split(":", 1)[0]] += 1
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        return self._sign(key, payload) + payload

    def _load(self, key: str, blob: bytes | None) -> Any:
        if blob is None:
            return None
        signature, payload = blob[:32], blob[32:]
        if not hmac.compare_digest(signature, self._sign(key, payload)):
            log.warning("Ignoring a cache entry with a bad signature: %s", key)
            return None
        try:
            return pickle.loads(payload)  # noqa: S301 (signed by this app above)
        except Exception:  # written by another release of the code: compute afresh
            log.warning("Ignoring a cache entry that no longer unpickles: %s", key)
            return None

    def _sign(self, key: str, payload: bytes) -> bytes:
        return hmac.new(self._secret, key.encode() + b"\0" + payload, hashlib.sha256).digest()


@functools.cache
def code_fingerprint() -> str:
    """A digest of the app's code: processes of another release (during a rolling deploy)
    store their figures under other keys, since the objects they pickle may differ."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def init_app(app: Flask) -> None:
    """Give the app its cache (CACHE_URL, CACHE_KEY_PREFIX) and track the register's version."""
    register_version.listen()
    prefix = f"{app.config['CACHE_KEY_PREFIX']}{code_fingerprint()}:"
    app.extensions[EXTENSION] = FiguresCache(
        app.config["SECRET_KEY"], prefix, app.config["CACHE_URL"]
    )


def cache() -> FiguresCache:
    return current_app.extensions[EXTENSION]
