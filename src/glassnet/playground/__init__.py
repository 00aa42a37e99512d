"""The playground: train a real glassnet network live in the browser, and see every gradient.

``glassnet playground`` serves :func:`~glassnet.playground.app.create_app` with uvicorn
(``pip install 'glassnet[playground]'``). Each tab is a session whose worker thread steps
glassnet's one training engine (:mod:`glassnet.training.engine`) and sends frames over
one WebSocket; the page (``static/``: one HTML file, one ES module, one CSS file) draws
them. Starlette and uvicorn are imported only by :mod:`glassnet.playground.app` and
:mod:`glassnet.playground.server`, so ``import glassnet`` never loads them.
"""
