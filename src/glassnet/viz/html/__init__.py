"""Static HTML views of glassnet's objects, for notebooks and report.html: inline SVG and tables.

Each ``*_view`` module builds one object's ``_repr_html_``, drawn in ``currentColor`` so
the notebook's own theme colours it, light or dark.
"""
