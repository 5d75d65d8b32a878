"""The conformance report's ops section is spliced into REPORT.md in place (idempotent)."""

from __future__ import annotations

from tests.conformance import report

_TEXT = """# Conformance with Keras 3

## layers

| API | status | checked against Keras in |
| --- | --- | --- |
| `Dense` | pass | `test_layers_core.py` |

## Summary

| module | shared APIs | statuses |
| --- | --- | --- |
| layers | 1 | pass: 1 |

## Documented differences
"""


def test_update_ops_only_replaces_the_section_and_summary_row(monkeypatch):
    calls = iter([(["## ops", "", "first", ""], "| ops | 2 | equal: 1 |"),
                  (["## ops", "", "second", ""], "| ops | 2 | equal: 2 |")])  # fmt: skip
    monkeypatch.setattr(report, "ops_section", lambda: next(calls))
    once = report.update_ops_only(_TEXT)
    twice = report.update_ops_only(once)
    assert once.count("## ops") == twice.count("## ops") == 1
    assert "first" not in twice and "second" in twice
    assert twice.index("## ops") < twice.index("## Summary") < twice.index("| ops | 2 | equal: 2 |")
    assert twice.index("| layers | 1 |") < twice.index("| ops |") < twice.index("## Documented")
    assert "equal: 1" not in twice and "`Dense` | pass" in twice
