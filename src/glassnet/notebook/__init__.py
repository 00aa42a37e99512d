"""glassnet in notebooks: every object's HTML view attached, the live loss plot, the widget.

:mod:`.reprs` gives glassnet's classes their ``_repr_html_`` (the views themselves are
:mod:`glassnet.viz.notebook`'s); ``glassnet/__init__.py`` calls it at import, so the
lower layers (``core``, ``training``, ``runs``) never import HTML code.
:class:`~glassnet.notebook.live.LivePlot` is a training callback;
:class:`~glassnet.notebook.widget.Playground` is the playground as an anywidget (the
extra ``glassnet[notebook]``). Nothing here imports IPython or anywidget until used.
"""
