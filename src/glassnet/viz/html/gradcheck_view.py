"""The gradient check as a table: one row per parameter array, its relative error, pass or fail.

relative error = ||analytic - numeric|| / (||analytic|| + ||numeric||)    pass below tolerance
"""

from glassnet.core.gradcheck import GradientCheck
from glassnet.viz.html.markup import FAIL_COLOUR, PASS_COLOUR, cell, number, table, view


def verdict(passed: bool) -> str:
    """A pass or fail cell, coloured, with the word (colour is never the only sign)."""
    colour, word = (PASS_COLOUR, "pass") if passed else (FAIL_COLOUR, "FAIL")
    return f'<td data-verdict="{word.lower()}" style="color:{colour};font-weight:600">{word}</td>'


def gradcheck_html(check: GradientCheck) -> str:
    """``GradientCheck._repr_html_``: per parameter, the error, both norms and the verdict."""
    rows = [
        [
            cell(name, parameter=name),
            cell(f"{error:.2e}", numeric=True),
            cell(number(check.analytic_norm.get(name, float("nan"))), numeric=True),
            cell(number(check.numeric_norm.get(name, float("nan"))), numeric=True),
            verdict(error < check.tolerance),
        ]
        for name, error in check.relative_error.items()
    ]
    headings = ["parameter", "relative error", "‖analytic‖", "‖numeric‖", "check"]
    summary = (
        f"<div>{'All passed' if check.passed else 'Backpropagation disagrees'}: largest "
        f"relative error {check.max_error:.2e}, tolerance {check.tolerance:.0e} "
        '<span class="gn-faint">'
        "(||analytic - numeric|| / (||analytic|| + ||numeric||))</span></div>"
    )
    return view(table(headings, rows), summary, title="Gradient check")
