"""The errors glassnet raises on purpose.

Every one of them carries a message that names the problem and the fix, so the
command line can print it on one line instead of a traceback.
"""


class GlassnetError(Exception):
    """Base class: an error glassnet raised on purpose, with a readable message."""


class InputError(GlassnetError, ValueError):
    """Bad data or a bad option: shape, dtype, NaN/inf, labels, unknown names."""


class DivergenceError(GlassnetError, FloatingPointError, ValueError):
    """Training produced a non-finite cost or non-finite weights.

    Also a ``ValueError``, as scikit-learn's MLP raises one when its weights become
    non-finite: ``except ValueError`` catches both.
    """


class DivergenceWarning(UserWarning):
    """Training diverged, but the weights of its best finite epoch were restored and kept."""


class ModelFileError(GlassnetError, ValueError):
    """A model file that is missing, truncated, corrupted or not glassnet's."""
