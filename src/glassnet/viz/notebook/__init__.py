"""Static HTML views of glassnet's objects for notebooks: inline SVG and tables, no script.

Each module builds one object's ``_repr_html_``: :mod:`.network_view` (the layers,
their shapes, activations, equations and weight heatmaps), :mod:`.history_view` (the
loss curves), :mod:`.explanation_view` (one step's table), :mod:`.gradcheck_view`,
:mod:`.model_view` (a loaded model file) and :mod:`.estimator_view`. Text and lines
are drawn in ``currentColor``, so the notebook's own theme colours them, light or dark.
"""
