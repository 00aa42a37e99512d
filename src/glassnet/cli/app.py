"""The command line, ``glassnet``: the command group, its error handling and entry point.

Each subcommand lives in its own module of this package (``train``, ...) and
registers itself on :data:`cli`. Errors glassnet raises on purpose (bad data, a
bad option, a diverged run) end a command with one line ``error: ...`` on stderr
and exit code 2; click's own usage errors keep click's format (and also exit 2).
"""

import contextlib
import os
import sys
from typing import Any, NoReturn

import click
import click._textwrap

from glassnet._version import __version__

EXIT_ERROR = 2  # a GlassnetError, as click's usage errors
EXIT_WRITE_FAILED = 1
EXIT_INTERRUPTED = 130  # 128 + SIGINT, the shell's convention for Ctrl-C
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _WholeWordWrapper(click._textwrap.TextWrapper):
    """click's text wrapper, never breaking a word at a hyphen."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **{**kwargs, "break_on_hyphens": False})


class HelpContext(click.Context):
    """A context whose ``--help`` is wrapped to the terminal without splitting a word at a
    hyphen: ``--no-standardize`` stays whole."""

    def get_help(self) -> str:
        """The help page, wrapped by click's ``wrap_text`` with :class:`_WholeWordWrapper`."""
        click_wrapper = click._textwrap.TextWrapper  # wrap_text imports it on each call
        click._textwrap.TextWrapper = _WholeWordWrapper  # type: ignore[misc]
        try:
            return super().get_help()
        finally:
            click._textwrap.TextWrapper = click_wrapper  # type: ignore[misc]


class HelpCommand(click.Command):
    """A subcommand whose help is built in a :class:`HelpContext`."""

    context_class = HelpContext


class HelpGroup(click.Group):
    """The ``glassnet`` group: its help and its subcommands' in a :class:`HelpContext`."""

    context_class = HelpContext
    command_class = HelpCommand


@click.group(name="glassnet", cls=HelpGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(
    __version__, "--version", prog_name="glassnet", message="%(prog)s %(version)s"
)
def cli() -> None:
    """glassnet: a from-scratch NumPy neural network you can read, inspect and trust.

    Run `glassnet COMMAND --help` for a command's options.
    """


def fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    """One line on stderr, no traceback, and the exit code."""
    click.echo(f"error: {' '.join(message.splitlines())}", err=True)
    raise click.exceptions.Exit(code)


def quiet_broken_pipe() -> NoReturn:
    """The reader of the pipe stopped early (``| head``): stop quietly, as Unix tools do."""
    with contextlib.suppress(OSError, ValueError):  # no real stdout (tests): nothing to do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python's own flush at exit must not fail again
    raise click.exceptions.Exit(EXIT_WRITE_FAILED)


def main() -> None:
    """The ``glassnet`` command's entry point."""
    cli(prog_name="glassnet")
