"""The ``glassnet`` command line: one module per subcommand, registered on :data:`cli`."""

from glassnet.cli import (  # importing a subcommand's module registers it on ``cli``
    bench,
    evaluate,
    explain,
    gradcheck,
    playground,
    plot,
    predict,
    train,
)
from glassnet.cli.app import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_WRITE_FAILED, cli, main

__all__ = [
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_WRITE_FAILED",
    "bench",
    "cli",
    "evaluate",
    "explain",
    "gradcheck",
    "main",
    "playground",
    "plot",
    "predict",
    "train",
]
