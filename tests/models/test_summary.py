"""Keras-2-style summary tables: goldens built by hand from the seed tutorials."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jnn._shell.models.summary import format_summary, summary_lines

US65, EQ65 = "_" * 65, "=" * 65
US98, EQ98 = "_" * 98, "=" * 98


def _pad(text, width):
    assert len(text) <= width
    return text + " " * (width - len(text))


def _seq_row(label, shape, params):
    # keras2.3 sequential columns end at 29, 55 and 65.
    return _pad(label, 29) + _pad(shape, 26) + _pad(str(params), 10)


def _lines(*args, **kwargs):
    out = []
    format_summary(*args, print_fn=out.append, **kwargs)
    return out


def _golden(text):
    """Golden tables end every line with '|' so their trailing spaces stay visible."""
    lines = text.split("\n")
    assert all(line.endswith("|") for line in lines)
    return [line[:-1] for line in lines]


# Seed 000, cell [4] (Keras 2.3 layout), with the `=` rules the conversion lost.
SEED_000_THREE_DENSE = """\
Model: "sequential"|
_________________________________________________________________|
Layer (type)                 Output Shape              Param #   |
=================================================================|
dense (Dense)                (None, 3)                 12        |
_________________________________________________________________|
dense_1 (Dense)              (None, 2)                 8         |
_________________________________________________________________|
dense_2 (Dense)              (None, 2)                 6         |
=================================================================|
Total params: 26|
Trainable params: 26|
Non-trainable params: 0|
_________________________________________________________________|"""

# Seed 001, `model_functional.summary()` (TF 2.9-2.11 layout), `=` rules restored.
SEED_001_FUNCTIONAL = """\
Model: "model"|
_________________________________________________________________|
 Layer (type)                Output Shape              Param #   |
=================================================================|
 input_1 (InputLayer)        [(None, 2)]               0         |
                                                                 |
 dense_16 (Dense)            (None, 2)                 6         |
                                                                 |
 dense_17 (Dense)            (None, 1)                 3         |
                                                                 |
=================================================================|
Total params: 9|
Trainable params: 9|
Non-trainable params: 0|
_________________________________________________________________|"""


def test_seed_000_sequential_two_layers():
    rows = [("dense (Dense)", "(None, 3)", 12, []), ("dense_1 (Dense)", "(None, 2)", 8, [])]
    expected = [
        'Model: "sequential"',
        US65,
        "Layer (type)                 Output Shape              Param #   ",
        EQ65,
        "dense (Dense)                (None, 3)                 12        ",
        US65,
        "dense_1 (Dense)              (None, 2)                 8         ",
        EQ65,
        "Total params: 20",
        "Trainable params: 20",
        "Non-trainable params: 0",
        US65,
    ]
    assert _lines("sequential", rows, 20, 20, 0) == expected


def test_seed_000_sequential_three_layers():
    rows = [
        ("dense (Dense)", "(None, 3)", 12, []),
        ("dense_1 (Dense)", "(None, 2)", 8, []),
        ("dense_2 (Dense)", "(None, 2)", 6, []),
    ]
    assert _lines("sequential", rows, 26, 26, 0) == _golden(SEED_000_THREE_DENSE)


def test_seed_001_functional_chain_keras211_style():
    rows = [
        ("input_1 (InputLayer)", "[(None, 2)]", 0, []),
        ("dense_16 (Dense)", "(None, 2)", 6, ["input_1[0][0]"]),
        ("dense_17 (Dense)", "(None, 1)", 3, ["dense_16[0][0]"]),
    ]
    assert _lines("model", rows, 9, 9, 0, style="keras2.11") == _golden(SEED_001_FUNCTIONAL)


def test_seed_001_sequential_keras211_style_rows():
    rows = [("layer_1 (Dense)", "(None, 3)", 12), ("layer_2 (Dense)", "(None, 3)", 12)]
    lines = summary_lines("sequential_9", rows, 24, 24, 0, style="keras2.11")
    assert lines[4] == " layer_1 (Dense)             (None, 3)                 12        "
    assert lines[5] == " " * 65
    assert lines[6] == " layer_2 (Dense)             (None, 3)                 12        "


def test_functional_chain_keras23_has_input_row():
    rows = [
        ("input_1 (InputLayer)", "[(None, 2)]", 0, []),
        ("dense_16 (Dense)", "(None, 2)", 6, ["input_1[0][0]"]),
    ]
    lines = _lines("model", rows, 6, 6, 0)
    assert lines[4] == "input_1 (InputLayer)         [(None, 2)]               0         "
    assert lines[4] == _seq_row("input_1 (InputLayer)", "[(None, 2)]", 0)


GRAPH_ROWS = [
    ("input_1 (InputLayer)", "[(None, 2)]", 0, []),
    ("dense (Dense)", "(None, 4)", 12, ["input_1[0][0]"]),
    ("dense_1 (Dense)", "(None, 4)", 12, ["input_1[0][0]"]),
    ("concatenate (Concatenate)", "(None, 8)", 0, ["dense[0][0]", "dense_1[0][0]"]),
]


def _graph_row(label, shape, params, conn):
    # Graph columns end at 32, 53, 65 and 98 (98 * [.33, .55, .67, 1.]).
    return _pad(label, 32) + _pad(shape, 21) + _pad(str(params), 12) + _pad(conn, 33)


def test_graph_layout_keras23_one_connection_per_line():
    expected = [
        'Model: "model"',
        US98,
        "Layer (type)                    Output Shape         Param #     Connected to                     ",
        EQ98,
        _graph_row("input_1 (InputLayer)", "[(None, 2)]", 0, ""),
        US98,
        _graph_row("dense (Dense)", "(None, 4)", 12, "input_1[0][0]"),
        US98,
        _graph_row("dense_1 (Dense)", "(None, 4)", 12, "input_1[0][0]"),
        US98,
        _graph_row("concatenate (Concatenate)", "(None, 8)", 0, "dense[0][0]"),
        _graph_row("", "", "", "dense_1[0][0]"),
        EQ98,
        "Total params: 24",
        "Trainable params: 24",
        "Non-trainable params: 0",
        US98,
    ]
    assert _lines("model", GRAPH_ROWS, 24, 24, 0, show_connections=True) == expected


def test_graph_layout_keras211_wraps_connection_lists():
    lines = _lines("model", GRAPH_ROWS, 24, 24, 0, show_connections=True, style="keras2.11")
    blank = " " * 98
    expected_body = [
        _graph_row(" input_1 (InputLayer)", "[(None, 2)]", 0, "[]"),
        blank,
        _graph_row(" dense (Dense)", "(None, 4)", 12, "['input_1[0][0]']"),
        blank,
        _graph_row(" dense_1 (Dense)", "(None, 4)", 12, "['input_1[0][0]']"),
        blank,
        _graph_row(" concatenate (Concatenate)", "(None, 8)", 0, "['dense[0][0]',"),
        _graph_row("", "", "", " 'dense_1[0][0]']"),
        blank,
        EQ98,
    ]
    header = " Layer (type)                   Output Shape         Param #     Connected to"
    assert lines[2] == _pad(header, 98)
    assert lines[4:14] == expected_body


def test_thousands_separators_in_totals_only():
    rows = [
        ("dense (Dense)", "(None, 128)", 100480, []),
        ("dense_1 (Dense)", "(None, 10)", 1290, []),
    ]
    lines = _lines("sequential", rows, 101770, 101770, 0)
    assert lines[4] == _seq_row("dense (Dense)", "(None, 128)", 100480)
    assert lines[-4:-1] == [
        "Total params: 101,770",
        "Trainable params: 101,770",
        "Non-trainable params: 0",
    ]
    lines = _lines("s", rows, 1234567, 1000000, 234567)
    assert lines[-4:-1] == [
        "Total params: 1,234,567",
        "Trainable params: 1,000,000",
        "Non-trainable params: 234,567",
    ]


def test_default_print_fn_prints_to_stdout(capsys):
    rows = [("dense (Dense)", "(None, 3)", 12, []), ("dense_1 (Dense)", "(None, 2)", 8, [])]
    result = format_summary("sequential", rows, 20, 20, 0)
    assert result is None
    assert capsys.readouterr().out == "\n".join(_lines("sequential", rows, 20, 20, 0)) + "\n"


def test_print_fn_receives_each_line_once():
    calls = []
    format_summary("m", [("d (Dense)", "(None, 1)", 2)], 2, 2, 0, print_fn=calls.append)
    assert len(calls) == 10
    assert all("\n" not in line for line in calls)


def test_line_length_scales_fractional_positions():
    lines = _lines("m", [("dense (Dense)", "(None, 3)", 12)], 12, 12, 0, line_length=100)
    # 100 * [.45, .85, 1.] -> columns end at 45, 85, 100.
    assert lines[1] == "_" * 100
    assert lines[2] == _pad("Layer (type)", 45) + _pad("Output Shape", 40) + _pad("Param #", 15)
    assert lines[4] == _pad("dense (Dense)", 45) + _pad("(None, 3)", 40) + _pad("12", 15)


def test_absolute_positions():
    lines = _lines("m", [("dense (Dense)", "(None, 3)", 12)], 12, 12, 0, positions=[20, 35, 45])
    assert lines[1] == "_" * 65  # line_length still defaults to 65
    assert lines[4] == _pad("dense (Dense)", 20) + _pad("(None, 3)", 15) + _pad("12", 10)


def test_long_names_truncated_like_keras23():
    label = "a_really_long_layer_name_here (Dense)"
    lines = _lines("m", [(label, "(None, 3)", 12)], 12, 12, 0)
    # Cut at column 29, then the last kept character is replaced by a space.
    assert lines[4] == label[:28] + " " + _pad("(None, 3)", 26) + _pad("12", 10)


def test_long_names_wrap_like_keras211():
    label = "a_really_long_layer_name_here (Dense)"
    lines = _lines("m", [(label, "(None, 3)", 12)], 12, 12, 0, style="keras2.11")
    # TF 2.9-2.11 keeps 27 characters (+1 leading space, +2 spaces), wrapping the rest;
    # the overlong first cell pushes the shape one column right (a Keras quirk).
    assert lines[4] == " " + label[:27] + "  " + _pad("(None, 3)", 25) + _pad("12", 10)
    assert lines[5] == " " + _pad(label[27:], 28) + " " * 36


def test_empty_model():
    assert _lines("empty", [], 0, 0, 0) == [
        'Model: "empty"',
        US65,
        "Layer (type)                 Output Shape              Param #   ",
        EQ65,
        "Total params: 0",
        "Trainable params: 0",
        "Non-trainable params: 0",
        US65,
    ]


def test_bad_arguments():
    with pytest.raises(ValueError, match="positions.*3 entries"):
        summary_lines("m", [], 0, 0, 0, positions=[0.5, 1.0])
    with pytest.raises(ValueError, match="increasing"):
        summary_lines("m", [], 0, 0, 0, positions=[0.8, 0.5, 1.0])
    with pytest.raises(ValueError, match="keras2.3"):
        summary_lines("m", [], 0, 0, 0, style="keras4")


_text = st.text(st.characters(codec="ascii", exclude_characters="\n\r\t"), max_size=60)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.tuples(_text, _text, st.integers(0, 10**9)), max_size=4),
    connections=st.booleans(),
)
def test_keras23_rows_are_exactly_line_length(rows, connections):
    rows = [(a, b, c, ["x[0][0]", "y[0][0]"]) for a, b, c in rows]
    lines = summary_lines("m", rows, 1, 1, 0, show_connections=connections)
    width = 98 if connections else 65
    table = lines[1:-4]
    assert all(len(line) == width for line in table)
    assert lines[-4] == "Total params: 1"
