"""``python -m glassnet``: the same command line as ``glassnet``."""

from glassnet.cli import main

if __name__ == "__main__":
    main()
