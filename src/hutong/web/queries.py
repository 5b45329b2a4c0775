"""Consumer queries over HTTP (issue 12): the query runs up to its first batch in a worker
thread while the client is watched, then streams; a client that leaves at any point stops the
engine, so an abandoned query does not keep the server busy."""

from __future__ import annotations

from collections.abc import Callable

import anyio
from fastapi import Request
from fastapi.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from hutong.core.errors import HutongError
from hutong.data.limits import Stop, Stopped
from hutong.exchange.access import Result


async def _stop_when_gone(receive: Receive, stop: Stop) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
    stop(Stopped.CLIENT_GONE)


def _attempt(run: Callable[[Stop], Result], stop: Stop) -> Result | HutongError:
    try:
        return run(stop)
    except HutongError as error:  # raised again outside the task group, unwrapped
        return error


class QueryResponse(StreamingResponse):
    """Streams a query's result; the client leaving stops the query, and whatever ends the
    response closes the stream, so the query's usage is settled then and there."""

    def __init__(self, result: Result, stop: Stop) -> None:
        super().__init__(result.chunks, media_type=result.media_type, headers=result.headers)
        self.result, self.stop = result, stop

    async def listen_for_disconnect(self, receive: Receive) -> None:
        await super().listen_for_disconnect(receive)
        self.stop(Stopped.CLIENT_GONE)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(self.result.close)


async def watched(request: Request, run: Callable[[Stop], Result]) -> QueryResponse:
    """Run ``run`` (authorize, compile, first batch) off the event loop, stopping it if the
    client leaves meanwhile; a refusal or failure is raised for the problem+json handlers."""
    stop = Stop()
    async with anyio.create_task_group() as group:
        group.start_soon(_stop_when_gone, request.receive, stop)
        answer = await anyio.to_thread.run_sync(_attempt, run, stop)
        group.cancel_scope.cancel()
    if isinstance(answer, HutongError):
        raise answer
    return QueryResponse(answer, stop)
