"""Bundled data: the synthetic sample credentials (synthetic pilots come later)."""

from lerkit.datasets._samples import make_samples

__all__ = ["make_samples"]
