"""What bounds one query on the engine (issue 12): a wall-clock limit, a memory limit, and a
stop that any thread may pull — the limit's timer, the web edge when the client leaves, the
server when it is told to stop. A query that is stopped or fails raises a typed error whose
message names no value from the data (the engine's own messages quote the offending value,
so they are never passed on)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from enum import StrEnum

from hutong.core.errors import HutongError


class Stopped(StrEnum):
    """Why a query was stopped before its end."""

    TIME_LIMIT = "time-limit"
    CLIENT_GONE = "client-gone"
    SERVER_STOPPING = "server-stopping"


#: The engine's kind of error (its message's prefix) → what the consumer is told.
KINDS = {
    "Conversion Error": ("有值无法转换为所要求的类型", "a value cannot be converted to the type"),
    "Out of Range Error": ("有数值超出了类型的范围", "a number is out of its type's range"),
    "Invalid Input Error": ("有函数收到了无效的输入", "a function got an invalid input"),
}


class QueryFailed(HutongError):
    """The engine could not finish the statement: the statement is at fault, not the server."""

    status = 422
    code = "query-failed"

    @classmethod
    def of(cls, message: str) -> QueryFailed:
        """From the engine's message, of which only the kind is kept."""
        zh, en = KINDS.get(message.split(":", 1)[0].strip(), ("执行出错", "it failed"))
        return cls(
            f"查询在执行中停止：{zh}（可用 TRY_CAST 等容错写法）",
            f"the query stopped while running: {en}",
            field="sql",
        )


class QueryTimeLimit(QueryFailed):
    code = "query-time-limit"

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"查询超过 {seconds:g} 秒的时间限制，已停止；请缩小范围或简化查询",
            f"the query ran longer than its {seconds:g} s limit and was stopped",
            field="sql",
        )


class QueryMemoryLimit(QueryFailed):
    code = "query-memory-limit"

    def __init__(self, limit: str) -> None:
        super().__init__(
            f"查询所需内存超过 {limit} 的限制，已停止；请缩小范围或简化查询",
            f"the query needed more than its {limit} memory limit and was stopped",
            field="sql",
        )


class ServerStopping(HutongError):
    status = 503
    code = "server-stopping"

    def __init__(self) -> None:
        super().__init__("服务正在停止，查询已中止，请稍后重试", "the server is stopping")


class ClientGone(HutongError):
    """The client left before the answer was complete (recorded; nobody reads the reply)."""

    code = "client-gone"

    def __init__(self) -> None:
        super().__init__("客户端已断开", "the client disconnected")


def stopped_error(reason: Stopped, seconds: float) -> HutongError:
    if reason is Stopped.TIME_LIMIT:
        return QueryTimeLimit(seconds)
    if reason is Stopped.SERVER_STOPPING:
        return ServerStopping()
    return ClientGone()


class Stop:
    """Stops one query, from any thread, at most once (the first reason is kept). Bound to the
    running query's interrupt while it runs; pulled before it starts, it stops it at once."""

    def __init__(self) -> None:
        self.reason: Stopped | None = None
        self._interrupt: Callable[[], None] | None = None
        self._lock = threading.Lock()

    def __call__(self, reason: Stopped) -> None:
        with self._lock:
            if self.reason is None:
                self.reason = reason
            if self._interrupt is not None:
                self._interrupt()

    def bind(self, interrupt: Callable[[], None] | None) -> None:
        with self._lock:
            self._interrupt = interrupt
            if interrupt is not None and self.reason is not None:
                interrupt()


class Running:
    """The stops of the queries an engine is running, so that a stopping server can pull them
    all; once closed, a query that starts is stopped at once."""

    def __init__(self) -> None:
        self._stops: set[Stop] = set()
        self._closed = False
        self._lock = threading.Lock()

    def add(self, stop: Stop) -> None:
        with self._lock:
            self._stops.add(stop)
            closed = self._closed
        if closed:
            stop(Stopped.SERVER_STOPPING)

    def discard(self, stop: Stop) -> None:
        with self._lock:
            self._stops.discard(stop)

    def stop_all(self) -> None:
        with self._lock:
            self._closed = True
            stops = list(self._stops)
        for stop in stops:
            stop(Stopped.SERVER_STOPPING)
