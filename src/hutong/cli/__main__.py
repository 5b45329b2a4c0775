"""``python -m hutong.cli``: the ``hutong`` command without its installed script."""

from hutong.cli import app

app(prog_name="hutong")
