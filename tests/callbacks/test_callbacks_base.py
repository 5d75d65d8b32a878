"""Callback base machinery: hooks, dispatch, History, ProgbarLogger, LambdaCallback."""

import io

import numpy as np
import pytest

import jnn.callbacks as public
from jnn._shell.callbacks.base import (
    HOOK_NAMES,
    Callback,
    CallbackList,
    History,
    LambdaCallback,
    ProgbarLogger,
    pythonify_logs,
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


class Model:
    """Stands in for a jnn model: callbacks only need attributes on it."""


class Recorder(Callback):
    """Records every hook it receives (overrides all of them)."""

    def __init__(self, name, events):
        super().__init__()
        self.name = name
        self.events = events

    def __getattribute__(self, attr):
        if attr in HOOK_NAMES:
            events = object.__getattribute__(self, "events")
            name = object.__getattribute__(self, "name")
            return lambda *args, **kwargs: events.append((name, attr, args, kwargs))
        return object.__getattribute__(self, attr)


# -- Callback ----------------------------------------------------------------------------


def test_base_hooks_do_nothing_and_batch_aliases_forward():
    cb = Callback()
    for hook in HOOK_NAMES:
        method = getattr(cb, hook)
        args = () if hook.endswith(("train_begin", "train_end", "test_begin", "test_end")) else (0,)
        args = () if hook in ("on_predict_begin", "on_predict_end") else args
        assert method(*args, logs={"a": 1.0}) is None

    seen = []

    class Legacy(Callback):
        def on_batch_end(self, batch, logs=None):
            seen.append((batch, logs))

    Legacy().on_train_batch_end(3, {"loss": 1.0})
    Legacy().on_test_batch_end(4, {"loss": 1.0})  # test batches are not aliased
    assert seen == [(3, {"loss": 1.0})]


def test_set_model_and_params():
    cb, model = Callback(), Model()
    assert cb.model is None and cb.params is None
    cb.set_model(model)
    cb.set_params({"epochs": 2})
    assert cb.model is model and cb.params == {"epochs": 2}
    cb.model = None  # Keras 2 code assigns it directly
    assert cb.model is None


def test_implements_batch_hooks_detects_overrides():
    class Train(Callback):
        def on_train_batch_end(self, batch, logs=None):
            pass

    class Legacy(Callback):
        def on_batch_begin(self, batch, logs=None):
            pass

    class Test(Callback):
        def on_test_batch_begin(self, batch, logs=None):
            pass

    class Predict(Callback):
        def on_predict_batch_end(self, batch, logs=None):
            pass

    class EpochOnly(Callback):
        def on_epoch_end(self, epoch, logs=None):
            pass

    def flags(cb):
        return (
            cb._implements_train_batch_hooks(),
            cb._implements_test_batch_hooks(),
            cb._implements_predict_batch_hooks(),
        )

    assert flags(Callback()) == (False, False, False)
    assert flags(EpochOnly()) == (False, False, False)
    assert flags(Train()) == (True, False, False)
    assert flags(Legacy()) == (True, False, False)
    assert flags(Test()) == (False, True, False)
    assert flags(Predict()) == (False, False, True)
    assert flags(LambdaCallback(on_train_batch_begin=lambda b, logs: None)) == (True, False, False)
    assert flags(LambdaCallback(on_epoch_end=lambda e, logs: None)) == (False, False, False)


# -- CallbackList ------------------------------------------------------------------------


def test_default_callbacks_order_matches_keras3():
    cbs = CallbackList(
        [Callback()], add_history=True, add_progbar=True, verbose=1, epochs=1, steps=1
    )
    assert [type(cb) for cb in cbs] == [Callback, History, ProgbarLogger]
    assert len(cbs) == 3


@pytest.mark.conformance
def test_default_callbacks_order_is_keras3s():
    keras = pytest.importorskip("keras")
    theirs = keras.callbacks.CallbackList(
        [keras.callbacks.Callback()],
        add_history=True,
        add_progbar=True,
        verbose=1,
        epochs=1,
        steps=1,
    )
    ours = CallbackList(
        [Callback()], add_history=True, add_progbar=True, verbose=1, epochs=1, steps=1
    )
    assert [type(cb).__name__ for cb in theirs.callbacks] == [type(cb).__name__ for cb in ours]


def test_existing_history_and_progbar_are_reused():
    history, progbar = History(), ProgbarLogger()
    cbs = CallbackList([progbar, [history]], add_history=True, add_progbar=True, epochs=1, steps=1)
    assert list(cbs) == [progbar, history]
    assert cbs.history is history


def test_model_and_params_reach_every_callback():
    model, first = Model(), Callback()
    cbs = CallbackList([first], add_history=True, model=model, verbose=0, epochs=3, steps=7)
    assert model.history is cbs.history
    later = Callback()
    cbs.append(later)
    for cb in (first, later, cbs.history):
        assert cb.model is model
        assert cb.params == {"verbose": 0, "epochs": 3, "steps": 7}
    with pytest.raises(TypeError, match="Callback` instance.*received 'oops'"):
        cbs.append("oops")
    with pytest.raises(TypeError, match="of type int"):
        CallbackList([Callback(), 3])


def test_every_hook_dispatched_in_order_with_python_float_logs():
    events = []
    cbs = CallbackList([Recorder("a", events), Recorder("b", events)])
    cbs.on_train_begin()
    cbs.on_epoch_begin(0)
    cbs.on_train_batch_begin(0)
    cbs.on_train_batch_end(0, {"loss": np.float32(0.5)})
    cbs.on_test_begin()
    cbs.on_test_batch_end(0, {"loss": np.array(0.25)})
    cbs.on_test_end({"loss": 0.25})
    cbs.on_epoch_end(0, {"loss": np.float64(0.5), "val_loss": 0.25})
    cbs.on_train_end()
    hooks = [(name, hook) for name, hook, _, _ in events]
    expected = []
    for hook in (
        "on_train_begin",
        "on_epoch_begin",
        "on_train_batch_begin",
        "on_train_batch_end",
        "on_test_begin",
        "on_test_batch_end",
        "on_test_end",
        "on_epoch_end",
        "on_train_end",
    ):
        expected += [("a", hook), ("b", hook)]
    assert hooks == expected
    batch_logs = events[6][3]["logs"]
    assert batch_logs == {"loss": 0.5} and type(batch_logs["loss"]) is float
    assert type(events[10][3]["logs"]["loss"]) is float
    epoch_logs = events[14][2][1]
    assert epoch_logs == {"loss": 0.5, "val_loss": 0.25}


def test_predict_outputs_pass_through_untouched():
    seen = []
    outputs = np.ones((1, 1), np.float32)
    cb = LambdaCallback(on_predict_batch_end=lambda batch, logs: seen.append(logs["outputs"]))
    CallbackList([cb]).on_predict_batch_end(0, {"outputs": outputs})
    assert seen[0] is outputs
    assert pythonify_logs({"a": {"b": np.int32(2)}, "c": "text"}) == {"b": 2.0, "c": "text"}


def test_batch_hooks_only_reach_callbacks_that_implement_them():
    calls = []

    class Counting(Callback):
        def on_train_batch_end(self, batch, logs=None):
            calls.append(batch)

    quiet = CallbackList([Callback(), History()], add_progbar=True, verbose=1, epochs=1, steps=3)
    quiet.callbacks[-1].file = io.StringIO()  # not a terminal
    assert not quiet._implements_train_batch_hooks()
    loud = CallbackList([Counting()], epochs=1, steps=3)
    assert loud._implements_train_batch_hooks()
    for batch in range(3):
        loud.on_train_batch_end(batch, {"loss": 1.0})
    assert calls == [0, 1, 2]


# -- History -----------------------------------------------------------------------------


def test_history_records_python_floats_per_epoch():
    model = Model()
    cbs = CallbackList(add_history=True, model=model, verbose=0, epochs=2, steps=1)
    cbs.on_train_begin()
    cbs.on_epoch_end(0, {"loss": np.float32(1.5), "accuracy": np.float32(0.25)})
    cbs.on_epoch_end(1, {"loss": np.float32(0.5), "accuracy": np.float32(0.75)})
    history = model.history
    assert history.history == {"loss": [1.5, 0.5], "accuracy": [0.25, 0.75]}
    assert all(type(v) is float for values in history.history.values() for v in values)
    assert history.epoch == [0, 1]
    assert history.params == {"verbose": 0, "epochs": 2, "steps": 1}
    assert history.model is model


@pytest.mark.conformance
def test_history_matches_keras3():
    keras = pytest.importorskip("keras")
    logs = [{"loss": 1.0, "val_loss": 2.0}, {"loss": 0.5, "val_loss": 1.0}]
    theirs, ours = keras.callbacks.History(), History()
    for history in (theirs, ours):
        history.set_model(Model())
        history.on_train_begin()
        for epoch, epoch_logs in enumerate(logs):
            history.on_epoch_end(epoch, epoch_logs)
    assert ours.history == theirs.history and ours.epoch == theirs.epoch


# -- ProgbarLogger -----------------------------------------------------------------------


def _progbar(verbose=1, epochs=2, steps=4, tty=False, **params):
    clock, out = Clock(), FakeTTY() if tty else io.StringIO()
    cb = ProgbarLogger(file=out, clock=clock)
    cbs = CallbackList([cb], verbose=verbose, epochs=epochs, steps=steps, **params)
    return cbs, out, clock


def _fit(cbs, clock, epochs, steps, val=True):
    cbs.on_train_begin()
    for epoch in range(epochs):
        clock.now = 0.0
        cbs.on_epoch_begin(epoch)
        for batch in range(steps):
            clock.now = (batch + 1) * 0.5
            cbs.on_train_batch_begin(batch)
            cbs.on_train_batch_end(batch, {"loss": 1.0 / (batch + 1), "accuracy": 0.5})
        cbs.on_test_begin()
        cbs.on_test_batch_end(0, {"loss": 9.0})
        cbs.on_test_end({"loss": 0.7})
        logs = {"loss": 0.25, "accuracy": 0.5}
        if val:
            logs.update(val_loss=0.7, val_accuracy=0.75)
        cbs.on_epoch_end(epoch, logs)
    cbs.on_train_end()


def test_fit_output_not_a_tty_is_one_keras2_line_per_epoch():
    cbs, out, clock = _progbar()
    assert not cbs._implements_train_batch_hooks()  # the engine may skip batch dispatch
    _fit(cbs, clock, epochs=2, steps=4)
    line = "4/4 " + FULL + " - 2s 500ms/step - loss: 0.2500 - accuracy: 0.5000"
    line += " - val_loss: 0.7000 - val_accuracy: 0.7500"
    assert out.getvalue() == f"Epoch 1/2\n{line}\nEpoch 2/2\n{line}\n"


def test_fit_output_on_a_tty_redraws_with_carriage_returns():
    cbs, out, clock = _progbar(tty=True, epochs=1)
    assert cbs._implements_train_batch_hooks()
    _fit(cbs, clock, epochs=1, steps=4, val=False)
    text = out.getvalue()
    assert not text.startswith("Epoch")  # Keras prints no "Epoch 1/1"
    assert text.startswith("\r1/4 [" + "=" * 6 + ">" + "." * 23 + "] - ETA: 1s - loss: 1.0000")
    assert "\r3/4 [" + "=" * 21 + ">" + "." * 8 + "] - ETA: 0s - loss: 0.3333" in text
    assert text.endswith("\r4/4 " + FULL + " - 2s 500ms/step - loss: 0.2500 - accuracy: 0.5000\n")
    assert "loss: 9.0000" not in text and "0.7000" not in text  # validation is silent


def test_fit_verbose_2():
    cbs, out, clock = _progbar(verbose=2, tty=True)
    assert not cbs._implements_train_batch_hooks()
    _fit(cbs, clock, epochs=2, steps=4)
    line = "4/4 - 2s - loss: 0.2500 - accuracy: 0.5000 - val_loss: 0.7000 - val_accuracy: 0.7500"
    assert out.getvalue() == f"Epoch 1/2\n{line}\nEpoch 2/2\n{line}\n"


def test_verbose_auto_and_zero():
    cbs, out, clock = _progbar(verbose="auto", epochs=1, steps=2)
    _fit(cbs, clock, epochs=1, steps=2, val=False)
    assert out.getvalue() == "2/2 " + FULL + " - 1s 500ms/step - loss: 0.2500 - accuracy: 0.5000\n"
    cbs, out, clock = _progbar(verbose=0)
    _fit(cbs, clock, epochs=2, steps=2)
    assert out.getvalue() == ""


def test_evaluate_and_predict_show_a_bar():
    cbs, out, clock = _progbar(epochs=1, steps=2)
    cbs.on_test_begin()
    cbs.on_test_batch_end(0, {"loss": 1.0})
    cbs.on_test_batch_end(1, {"loss": 0.5})
    clock.now = 0.004
    cbs.on_test_end({"loss": 0.5})
    assert out.getvalue() == "2/2 " + FULL + " - 0s 2ms/step - loss: 0.5000\n"

    cbs, out, clock = _progbar(epochs=1, steps=3)
    cbs.on_predict_begin()
    for batch in range(3):
        cbs.on_predict_batch_end(batch, {"outputs": np.zeros((2, 2))})
    clock.now = 3.0
    cbs.on_predict_end()
    assert out.getvalue() == "3/3 " + FULL + " - 3s 1s/step\n"


def test_unknown_steps_are_counted_from_batches():
    cbs, out, clock = _progbar(epochs=1, steps=None)
    assert cbs._implements_train_batch_hooks()  # it must count batches
    _fit(cbs, clock, epochs=1, steps=5, val=False)
    assert out.getvalue().startswith("5/5 " + FULL + " - 2s 500ms/step")


def test_samples_count_mode():
    clock, out = Clock(), io.StringIO()
    cb = ProgbarLogger(count_mode="samples", file=out, clock=clock)
    cbs = CallbackList([cb], verbose=1, epochs=1, samples=10)
    cbs.on_train_begin()
    cbs.on_epoch_begin(0)
    for batch, size in enumerate((4, 4, 2)):
        cbs.on_train_batch_end(batch, {"size": size, "loss": 1.0})
    clock.now = 0.02
    cbs.on_epoch_end(0, {"loss": 0.5})
    assert cb.seen == 10
    assert out.getvalue() == "10/10 " + FULL + " - 0s 2ms/sample - loss: 0.5000\n"
    with pytest.raises(ValueError, match="count_mode.*'steps' or 'samples'.*'batches'"):
        ProgbarLogger(count_mode="batches")


# -- LambdaCallback ----------------------------------------------------------------------


def test_lambda_callback_hooks_and_validation():
    events = []
    cb = LambdaCallback(
        on_epoch_begin=lambda epoch, logs: events.append(("eb", epoch)),
        on_epoch_end=lambda epoch, logs: events.append(("ee", epoch, logs["loss"])),
        on_train_begin=lambda logs: events.append("tb"),
        on_train_end=lambda logs: events.append("te"),
        on_train_batch_end=lambda batch, logs: events.append(("be", batch)),
        on_test_end=lambda logs: events.append("test_end"),
    )
    cbs = CallbackList([cb])
    cbs.on_train_begin()
    cbs.on_epoch_begin(0)
    cbs.on_train_batch_end(0, {"loss": 1.0})
    cbs.on_epoch_end(0, {"loss": 0.5})
    cbs.on_test_begin()  # not given: the base no-op runs
    cbs.on_test_end()
    cbs.on_train_end()
    assert events == ["tb", ("eb", 0), ("be", 0), ("ee", 0, 0.5), "test_end", "te"]
    with pytest.raises(ValueError, match="unknown hook 'on_epch_end'. Valid hooks: .*on_epoch_end"):
        LambdaCallback(on_epch_end=print)
    with pytest.raises(TypeError, match="`on_epoch_end` must be callable"):
        LambdaCallback(on_epoch_end=3)


def test_public_module_reexports():
    assert public.Callback is Callback
    assert public.CallbackList is CallbackList
    assert public.History is History
    assert public.ProgbarLogger is ProgbarLogger
    assert public.LambdaCallback is LambdaCallback
