"""Finding the routers of a web package, and the one path convertor for resource codes.

Each module of ``web/api``, ``web/console`` and ``web/public`` that serves pages defines
``router``; the app takes them all, in module-name order, so adding a page is adding a file.
Order cannot matter: a resource code is matched by its own convertor, which spans exactly the
code's two segments (前段码/后段码), so ``/resources/{code}`` cannot swallow
``/resources/{code}/corrections`` (a test checks that no route shadows another)."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from fastapi import APIRouter
from starlette.convertors import Convertor, register_url_convertor


class ResourceCodeConvertor(Convertor[str]):
    """资源代码: classification code, '/', sequence; each segment without '/'."""

    regex = r"[^/]+/[^/]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("code", ResourceCodeConvertor())


def routers(package: ModuleType) -> list[APIRouter]:
    """The ``router`` of every module under ``package`` (sub-packages included), by name."""
    found = []
    prefix = package.__name__ + "."
    for info in sorted(pkgutil.walk_packages(package.__path__, prefix), key=lambda i: i.name):
        module = importlib.import_module(info.name)
        if isinstance(getattr(module, "router", None), APIRouter):
            found.append(module.router)
    return found
