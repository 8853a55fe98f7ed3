"""``python -m lerkit.datasets.samples OUT_DIR`` regenerates the sample credentials.

A separate module (not imported by the package) so that running it with ``-m``
does not trigger runpy's "found in sys.modules" warning.
"""

from lerkit.datasets._samples import main

if __name__ == "__main__":
    raise SystemExit(main())
