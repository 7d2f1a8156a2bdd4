"""switchyard embedded in Python: route, execute and stream tasks, and report
feedback, with no HTTP gateway in between.

The runtime (CAF actors, provider clients) runs on native threads; every
call that waits releases the GIL, and ``execute_async`` resolves an asyncio
future from those threads (``loop.call_soon_threadsafe``), so one event loop
keeps hundreds of tasks in flight.

A forked child must start a runtime of its own: the threads do not survive
``fork``.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import os
import threading
import weakref
from typing import Any, AsyncIterator, Dict, Iterator, List, Mapping, Optional, Union

from ._errors import SwitchyardError
from . import _native
from ._native import Chunk, Reply

__all__ = ["Runtime", "Reply", "Chunk", "Decision", "Stream", "SwitchyardError"]
__version__ = _native.__version__

Task = Mapping[str, Any]


def _fields(task: Optional[Union[Task, str]], fields: Dict[str, Any]) -> Dict[str, Any]:
    """A task as a dict, from a dict, a plain text, keyword arguments or both."""
    if task is None:
        return fields
    if isinstance(task, str):
        merged = {"text": task}
    else:
        merged = dict(task)
    merged.update(fields)
    return merged


class Decision:
    """A routing decision (the ``switchyard route --json`` shape)."""

    __slots__ = ("decision_id", "model", "provider", "fallbacks", "complexity",
                 "task_type", "estimated_cost_usd", "rationale", "raw")

    def __init__(self, decision_id: int, raw: Dict[str, Any]):
        self.decision_id = decision_id
        self.raw = raw
        self.model = raw.get("model")
        self.provider = raw.get("provider")
        self.fallbacks = list(raw.get("fallbacks", []))
        self.complexity = raw.get("complexity")
        self.task_type = raw.get("task_type")
        self.estimated_cost_usd = raw.get("estimated_cost_usd")
        self.rationale = raw.get("rationale", "")

    def __repr__(self) -> str:
        return (f"<switchyard.Decision {self.raw.get('decision_id')} "
                f"model={self.model} complexity={self.complexity}>")


class Stream:
    """A streamed task: iterate it (``for``, or ``async for`` on an event
    loop) for its chunks; ``reply`` holds the whole answer once it ends. A
    failed task raises SwitchyardError from the iteration."""

    def __init__(self, native: "_native.ChunkStream"):
        self._native = native
        self._reply: Optional[Reply] = None

    @property
    def reply(self) -> Reply:
        if self._reply is None:
            self._reply = self._native.finish()
        return self._reply

    def __iter__(self) -> Iterator[Chunk]:
        while True:
            chunk = self._native.next()
            if chunk is None:
                self._reply = self._native.finish()
                return
            yield chunk

    async def _chunks(self) -> AsyncIterator[Chunk]:
        loop = asyncio.get_running_loop()
        ready = asyncio.Event()
        self._native.set_wakeup(lambda: loop.call_soon_threadsafe(ready.set))
        while True:
            # Cleared before polling: a chunk arriving after the poll wakes
            # the loop again.
            ready.clear()
            chunks, finished = self._native.poll()
            for chunk in chunks:
                yield chunk
            if finished:
                self._reply = self._native.finish()
                return
            if not chunks:
                await ready.wait()

    def __aiter__(self) -> AsyncIterator[Chunk]:
        return self._chunks()


_open_runtimes: "weakref.WeakSet[Runtime]" = weakref.WeakSet()


@atexit.register
def _close_open_runtimes() -> None:
    # Before the interpreter finalises: a runtime thread must never wait
    # for the GIL of an interpreter that is going away.
    for rt in list(_open_runtimes):
        rt.close()


class Runtime:
    """switchyard's router and executor in this process.

    ``config`` is a registry file (config/models.yaml's schema) or registry
    YAML text; None takes the built-in registry. The registry decides the
    providers, as for the gateway; their API keys come from the environment
    variables it names. ``data_dir`` keeps learned state, feedback and the
    decision log (and makes ``explain`` work); None keeps all in memory.

    Traces (docs/telemetry.md): ``otlp_endpoint`` is the collector's
    OTLP/HTTP URL (``http://collector:4318``; ``""`` turns export off),
    ``service_name`` the ``service.name`` resource attribute, and
    ``sample_ratio`` the share of tasks traced, 0 to 1. Each one set here
    wins over the registry's ``telemetry:`` section, which wins over the
    ``OTEL_*`` variables. A bad endpoint, an empty service name or a ratio
    outside 0 to 1 raises SwitchyardError (code ``invalid_config``).

    A context manager: leaving it (or ``close()``) drains the tasks in
    flight, sends the spans of the traced ones, and stops the runtime's
    threads.
    """

    def __init__(self, config: Optional[str] = None, *, data_dir: Optional[str] = None,
                 worker_threads: int = 0, io_threads: int = 1,
                 drain_timeout_s: float = 30.0, otlp_endpoint: Optional[str] = None,
                 service_name: Optional[str] = None,
                 sample_ratio: Optional[float] = None, _instant_provider: bool = False):
        path, yaml = "", ""
        if config is not None:
            if "\n" in config or not os.path.exists(config):
                if "\n" not in config:
                    raise SwitchyardError(f"{config}: no such registry file",
                                          code="invalid_config")
                yaml = config
            else:
                path = config
        # _instant_provider: every call answers at once in-process, for
        # bench/python_embed.py; not an API.
        self._native = _native.Runtime(path, yaml, data_dir or "", worker_threads,
                                       io_threads, drain_timeout_s,
                                       otlp_endpoint=otlp_endpoint,
                                       service_name=service_name,
                                       sample_ratio=sample_ratio,
                                       instant_provider=_instant_provider)
        self._queue: Optional[tuple] = None
        self._queue_lock = threading.Lock()
        _open_runtimes.add(self)

    # -- tasks ------------------------------------------------------------------

    def route(self, task: Optional[Union[Task, str]] = None, **fields: Any) -> Decision:
        """Decides which model would answer, without calling any."""
        decision_id, text = self._native.route(_fields(task, fields))
        return Decision(decision_id, json.loads(text))

    def execute(self, task: Optional[Union[Task, str]] = None, **fields: Any) -> Reply:
        """Routes and calls the model(s); waits (GIL released) for the answer."""
        return self._native.execute(_fields(task, fields))

    async def execute_async(self, task: Optional[Union[Task, str]] = None,
                            **fields: Any) -> Reply:
        """execute() on asyncio: the event loop is never blocked."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._native.submit(_fields(task, fields), self._queue_for(loop), future)
        return await future

    def stream(self, task: Optional[Union[Task, str]] = None, **fields: Any) -> Stream:
        """Streams the answer: iterate the result for its chunks."""
        return Stream(self._native.stream(_fields(task, fields)))

    def _queue_for(self, loop: asyncio.AbstractEventLoop) -> "_native.CompletionQueue":
        # One queue per event loop; the last loop's is kept (a program runs
        # one loop at a time; a task of an older loop still finds its own
        # queue, which its callback holds).
        with self._queue_lock:
            if self._queue is None or self._queue[0] is not loop:
                self._queue = (loop, _native.CompletionQueue(loop))
            return self._queue[1]

    # -- learning ---------------------------------------------------------------

    def feedback(self, decision_id: Union[int, str], *, outcome: Optional[str] = None,
                 quality: Optional[float] = None, rating: Optional[int] = None,
                 pr_merged: Optional[bool] = None,
                 pr_reverted: Optional[bool] = None) -> None:
        """Reports how a decision's answer turned out (outcome: success,
        partial or failure; quality 0-1; rating 1-5); returns once stored."""
        self._native.feedback(_decision_id(decision_id), outcome or "", quality, rating,
                              pr_merged, pr_reverted)

    def explain(self, decision_id: Union[int, str]) -> Dict[str, Any]:
        """A logged decision (needs a data_dir): the task, every routing
        round with its evidence, the outcome and its feedback."""
        return json.loads(self._native.explain(_decision_id(decision_id)))

    def stats(self) -> Dict[str, Any]:
        """Tasks submitted, succeeded, failed and in flight; money spent; the
        decision log's counters."""
        return self._native.stats()

    # -- lifecycle --------------------------------------------------------------

    def close(self) -> None:
        """Drains the tasks in flight (up to drain_timeout_s), sends their
        spans when tracing, then stops. Idempotent; later calls raise
        SwitchyardError."""
        self._native.close()
        _open_runtimes.discard(self)

    @property
    def closed(self) -> bool:
        return self._native.closed

    def __enter__(self) -> "Runtime":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _decision_id(value: Union[int, str]) -> int:
    if isinstance(value, int):
        return value
    text = str(value)
    if text.startswith("dec_"):
        return int(text[4:], 16)
    return int(text)
