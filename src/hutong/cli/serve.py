"""``hutong serve``: the web server, with the compliance rules on their schedule."""

from __future__ import annotations

from typing import Annotated

import typer

from hutong.cli.common import DataDir, opened, out
from hutong.compliance import scheduler
from hutong.web import app as web

app = typer.Typer(add_completion=False)


@app.command()
def serve(
    data_dir: DataDir = None,
    host: Annotated[str | None, typer.Option(help="监听地址")] = None,
    port: Annotated[int | None, typer.Option(help="端口")] = None,
) -> None:
    """应用迁移后启动 Web 服务（控制台 /console，公开门户 /，API /api/v1）。"""
    with opened(data_dir, create=True) as db:
        bind_host, bind_port = host or db.settings.host, port or db.settings.port
        schedule = scheduler.start(db)  # compliance rules every compliance_interval_minutes
        out.print(f"Hutong 互通 运行于 http://{bind_host}:{bind_port}/console")
        try:
            web.serve(web.create_app(db.settings, db), bind_host, bind_port)
        finally:
            if schedule is not None:
                schedule.shutdown(wait=False)
