"""glassnet in notebooks: every object's HTML view attached, the live loss plot, the widget.

:mod:`.reprs` attaches the views (:mod:`glassnet.viz.html`'s), :mod:`.live` is the
``LivePlot`` callback, :mod:`.widget` the playground as an anywidget (``glassnet[notebook]``).
Nothing here imports IPython or anywidget until used.
"""
