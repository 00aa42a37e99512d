"""Pictures: figure helpers, plots, glass-box pictures, ``explain`` and ``report.html``.

matplotlib is imported inside the functions that draw, so importing this package
stays light.
"""

from glassnet.viz.explain import explain
from glassnet.viz.run_pictures import draw_run

__all__ = ["draw_run", "explain"]
