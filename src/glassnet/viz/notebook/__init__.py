"""Static HTML views of glassnet's objects for notebooks: inline SVG and tables, no script.

Each ``*_view`` module builds one object's ``_repr_html_``, drawn in ``currentColor`` so
the notebook's own theme colours it, light or dark.
"""
