"""glassnet on Dask: one model on data larger than memory, many models at once.

Installed with the extra ``glassnet[dask]`` and imported only when asked for, so
``import glassnet`` never loads Dask.
"""
