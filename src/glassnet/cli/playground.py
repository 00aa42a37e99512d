"""``glassnet playground``: train a network live in the browser (``glassnet[playground]``)."""

from pathlib import Path

import click

from glassnet.cli.app import cli, fail


@cli.command()
@click.option("--port", default=8765, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="The address to listen on; anything but 127.0.0.1 lets other machines in "
    "(a warning says so).",
)
@click.option("--no-browser", is_flag=True, help="Do not open the page in a browser.")
@click.option(
    "--data",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A CSV every tab starts with, read as an upload (pick its columns on the page).",
)
def playground(port: int, host: str, no_browser: bool, data: Path | None) -> None:
    """Serve the playground: a real glassnet network trained live, gradients and all."""
    from glassnet.playground.server import exposed_warning, missing_extra, serve

    problem = missing_extra()
    if problem is not None:
        fail(problem)
    warning = exposed_warning(host)
    if warning is not None:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"glassnet playground on http://{host}:{port}/  (Ctrl-C stops it)", err=True)
    serve(host=host, port=port, open_browser=not no_browser, data=data)
