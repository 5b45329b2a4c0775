"""The compiler's passes, one job each, applied in order by ``policy/compiler.py``.

Each pass takes the tree and the request and returns the tree (or raises a typed refusal),
so each can be read and tested alone (STYLE.md, after sqlglot's optimizer)."""
