"""Console links of subject references (``core/refs.py``): the one place that knows on which
console page each kind of subject is shown. Domain code stores ``kind:id`` and never a URL
(decision 0017); pages get the link through the ``console_link`` template filter, API answers
through ``console_link()``."""

from __future__ import annotations

from urllib.parse import quote

from hutong.core.refs import Ref

#: kind → the console page that shows such a subject; ``{id}`` is the subject's id.
CONSOLE = {
    "share_application": "/console/exchange/a/{id}",
    # An external-provision request (M2018 §22) is about a grant: the grants page shows it.
    "grant": "/console/exchange/grants#grant-{id}",
    "corrections": "/console/catalog/r/{id}#corrections",
}


def console_link(subject: Ref | str | None) -> str:
    """The console link of a subject, or "" when it names nothing the console shows."""
    ref = subject if isinstance(subject, Ref) else Ref.parse(subject or "")
    pattern = CONSOLE.get(ref.kind) if ref else None
    return pattern.format(id=quote(ref.id, safe="/")) if ref and pattern else ""
