"""Keras-2-style progress bar: exact lines with an injected clock and fake terminals."""

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jnn._shell.callbacks.progress import (
    Progbar,
    format_eta,
    format_time_per_unit,
    format_value,
    is_tty,
)

FULL = "[" + "=" * 30 + "]"


class Clock:
    def __init__(self, now=0.0):
        self.now = now

    def __call__(self):
        return self.now


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


def _bar(target, **kwargs):
    clock = Clock()
    out = kwargs.pop("file", None) or io.StringIO()
    return Progbar(target, file=out, clock=clock, **kwargs), out, clock


def test_keras2_epoch_line_when_not_a_tty():
    bar, out, clock = _bar(1875, stateful_metrics=["loss", "accuracy"])
    for step in range(1, 1875):
        clock.now = step * 0.001
        bar.update(step, [("loss", 0.5), ("accuracy", 0.5)])
    assert out.getvalue() == ""  # no per-step output and no '\r' outside a terminal
    clock.now = 2.0
    bar.update(1875, [("loss", 0.29011), ("accuracy", 0.91666)])
    assert out.getvalue() == (
        "1875/1875 [==============================] - 2s 1ms/step - loss: 0.2901 - accuracy: 0.9167\n"
    )


def test_live_bar_on_a_tty_shows_eta_then_final_line():
    bar, out, clock = _bar(100, file=FakeTTY(), stateful_metrics=["loss"])
    clock.now = 1.0
    bar.update(25, [("loss", 0.5)])
    first = "\r 25/100 [======>.......................] - ETA: 3s - loss: 0.5000"
    assert out.getvalue() == first
    clock.now = 4.0
    bar.update(100, [("loss", 0.25)])
    final = "\r100/100 " + FULL + " - 4s 40ms/step - loss: 0.2500\n"
    assert out.getvalue() == first + final


def test_live_bar_respects_interval_and_pads_shorter_lines():
    bar, out, clock = _bar(10, file=FakeTTY(), stateful_metrics=["m"])
    clock.now = 1.0
    bar.update(1, [("m", 123456.0)])
    clock.now = 1.01  # within the 0.05 s interval: no redraw
    bar.update(2, [("m", 1.0)])
    assert out.getvalue().count("\r") == 1
    clock.now = 1.2
    bar.update(3, [("m", 1.0)])
    lines = out.getvalue().split("\r")[1:]
    assert len(lines) == 2
    assert len(lines[1]) == len(lines[0])  # the shorter line is padded with spaces
    assert lines[1].rstrip().endswith("m: 1.0000")


def test_non_stateful_values_are_averaged_over_steps_like_keras2():
    bar, out, clock = _bar(4)
    bar.update(1, [("loss", 1.0)])
    bar.update(3, [("loss", 2.0)])  # covers 2 steps: (1 * 1 + 2 * 2) / 3
    bar.update(4, [("loss", 4.0)])  # (5 + 4) / 4 = 2.25
    assert out.getvalue().endswith(" - loss: 2.2500\n")


def test_stateless_metrics_empty_means_everything_as_given():
    bar, out, _ = _bar(2, stateless_metrics=set())
    bar.update(1, {"loss": 1.0})
    bar.update(2, {"loss": 4.0})
    assert out.getvalue().endswith(" - loss: 4.0000\n")


def test_small_values_use_scientific_format():
    bar, out, _ = _bar(1, stateful_metrics=["lr", "zero", "neg"])
    bar.update(1, [("lr", 1e-5), ("zero", 0.0), ("neg", -0.5)])
    assert out.getvalue().endswith(" - lr: 1.0000e-05 - zero: 0.0000e+00 - neg: -0.5000\n")


def test_verbose_2_prints_one_keras2_line_when_finalized():
    bar, out, clock = _bar(1875, verbose=2, stateful_metrics=["loss", "accuracy"])
    for step in range(1, 1875):
        bar.update(step, [("loss", 1.0), ("accuracy", 0.0)])
    assert out.getvalue() == ""
    clock.now = 2.4
    bar.update(1875, [("loss", 0.29011), ("accuracy", 0.91666)])
    assert out.getvalue() == "1875/1875 - 2s - loss: 0.2901 - accuracy: 0.9167\n"


def test_verbose_2_on_a_tty_is_also_one_line():
    bar, out, clock = _bar(3, file=FakeTTY(), verbose=2, stateful_metrics=["loss"])
    bar.update(1, [("loss", 1.0)])
    clock.now = 1.0
    bar.update(3, [("loss", 0.5)])
    assert out.getvalue() == "3/3 - 1s - loss: 0.5000\n"


def test_verbose_0_is_silent():
    bar, out, _ = _bar(2, verbose=0)
    bar.update(1, [("loss", 1.0)])
    bar.update(2, [("loss", 1.0)])
    assert out.getvalue() == ""


def test_unknown_target_on_a_tty():
    bar, out, clock = _bar(None, file=FakeTTY(), stateful_metrics=["loss"])
    clock.now = 1.0
    bar.update(10, [("loss", 0.5)])
    assert out.getvalue() == "\r     10/Unknown - 1s 100ms/step - loss: 0.5000"


def test_add_advances_and_finalizes_at_target():
    bar, out, clock = _bar(4)
    bar.add(2)
    assert out.getvalue() == ""
    clock.now = 0.002
    bar.add(2)
    assert out.getvalue() == "4/4 " + FULL + " - 0s 500us/step\n"


def test_explicit_finalize_before_target():
    bar, out, clock = _bar(10, stateful_metrics=["a"])
    clock.now = 10.0
    bar.update(5, [("a", 2.0)], finalize=True)
    assert out.getvalue() == " 5/10 [==============>...............] - 10s 2s/step - a: 2.0000\n"


def test_writes_to_current_stdout_by_default(capsys):
    bar = Progbar(1, clock=Clock())
    bar.update(1)
    assert capsys.readouterr().out == "1/1 " + FULL + " - 0s 0s/step\n"


def test_bad_arguments():
    with pytest.raises(ValueError, match="only one of"):
        Progbar(1, stateful_metrics=["a"], stateless_metrics=["b"])
    with pytest.raises(ValueError, match="verbose"):
        Progbar(1, verbose=3)


def test_formatters():
    assert format_time_per_unit(2.4, "step") == "2s/step"
    assert format_time_per_unit(0.0, "step") == "0s/step"
    assert format_time_per_unit(0.0123, "step") == "12ms/step"
    assert format_time_per_unit(4.2e-5, "sample") == "42us/sample"
    assert format_eta(3.9) == "3s"
    assert format_eta(65.0) == "1:05"
    assert format_eta(3725.0) == "1:02:05"
    assert format_value(0.29011) == "0.2901"
    assert format_value(0.001) == "1.0000e-03"
    assert format_value("n/a") == "n/a"


def test_is_tty():
    assert is_tty(FakeTTY())
    assert not is_tty(io.StringIO())
    assert not is_tty(object())
    closed = io.StringIO()
    closed.close()
    assert not is_tty(closed)


@settings(max_examples=50, deadline=None)
@given(target=st.integers(1, 10**6), data=st.data())
def test_bar_width_and_fill_property(target, data):
    current = data.draw(st.integers(1, target))
    bar, out, _ = _bar(target, file=FakeTTY())
    bar.update(current)
    text = out.getvalue()
    inner = text[text.index("[") + 1 : text.index("]")]
    assert len(inner) == 30
    assert inner.count("=") + inner.count(">") == int(30 * current / target)
    assert (">" in inner) == (0 < int(30 * current / target) and current < target)


@pytest.mark.conformance
@settings(max_examples=60, deadline=None)
@given(seconds=st.floats(0.0, 100.0))
def test_time_format_matches_keras(seconds):
    keras = pytest.importorskip("keras")
    expected = keras.utils.Progbar(1)._format_time(seconds, "step")
    assert " " + format_time_per_unit(seconds, "step") == expected
