"""The speed comparison with scikit-learn and PyTorch (``glassnet bench``, ``benchmarks/``)."""
