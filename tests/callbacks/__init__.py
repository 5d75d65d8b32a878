"""Tests of jnn.callbacks (issue 8)."""
