"""Entry point shared by ``python main.py`` and the ``infnat`` script: subcommands go to the engine's CLI,
anything else opens the window."""

from __future__ import annotations

import sys

ENGINE_COMMANDS = {"fly", "train", "eval"}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and (argv[0] in ENGINE_COMMANDS or argv[0] in {"-h", "--help"}):
        from infnat_core.cli import main as cli_main

        return cli_main(argv)
    from app.main_window import run_app

    return run_app(argv)
