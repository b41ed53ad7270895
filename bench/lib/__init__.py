"""Pieces the benchmark scripts share (not runnable on their own)."""
