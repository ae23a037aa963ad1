"""``python -m tracker``: the same command line as ``tracker``."""

from .cli import main

if __name__ == "__main__":  # pragma: no branch
    main(prog_name="tracker")
