"""Sequence classification with Embedding + Bidirectional(LSTM) on generated sentences.

Each sample is a variable-length sentence of words ``w1`` .. ``w29`` (token ids 1..29). Exactly
one of the two marker words ``w7`` and ``w3`` appears early in a random position, the other
later, and the label says whether ``w7`` comes before ``w3``: an order-dependent task a
bag-of-words model cannot solve. The sentences are text: ``TextVectorization`` (adapted on the
training sentences, run on the host before the model) turns them into right-padded ids;
``Embedding(mask_zero=True)`` builds the padding mask and the recurrent layers skip the padded
steps.

    python examples/text_lstm.py

Example:
    >>> accuracy = main(samples=256, epochs=2)  # doctest: +SKIP
"""

from __future__ import annotations

import sys

import numpy as np

import jnn as keras
from jnn.layers import LSTM, Bidirectional, Embedding, TextVectorization

FIRST, SECOND = 7, 3


def make_sequences(
    n: int, max_len: int = 20, vocab_size: int = 30, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Returns ``(x, y)``: zero-padded int32 ids ``(n, max_len)`` and int32 labels ``(n,)``.

    ``y[i] == 1`` when token 7 appears before token 3 in sentence ``i``.
    """
    rng = np.random.default_rng(seed)
    fillers = np.array([t for t in range(1, vocab_size) if t not in (FIRST, SECOND)])
    x = np.zeros((n, max_len), np.int32)
    y = rng.integers(0, 2, n).astype(np.int32)
    for i in range(n):
        length = int(rng.integers(max_len // 2, max_len + 1))
        sentence = rng.choice(fillers, length)
        a, b = sorted(rng.choice(length, 2, replace=False))
        sentence[a], sentence[b] = (FIRST, SECOND) if y[i] else (SECOND, FIRST)
        x[i, :length] = sentence
    return x, y


def to_texts(x: np.ndarray) -> list[str]:
    """The sentences as text: id ``t`` is the word ``f"w{t}"``, padding is dropped."""
    return [" ".join(f"w{t}" for t in row if t) for row in x]


def build_model(vocab_size: int = 30, units: int = 16) -> keras.Sequential:
    """Embedding(mask_zero=True) -> Bidirectional(LSTM(units)) -> Dense(1, sigmoid)."""
    return keras.Sequential(
        [
            keras.Input(shape=(None,), dtype="int32"),
            Embedding(vocab_size, 16, mask_zero=True),
            Bidirectional(LSTM(units)),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )


def main(samples: int = 1600, epochs: int = 6, max_len: int = 20, seed: int = 0) -> float:
    """Trains the classifier on generated sentences; prints and returns the test accuracy."""
    keras.utils.set_random_seed(seed)
    x, y = make_sequences(samples, max_len=max_len, seed=seed)
    texts = to_texts(x)
    split = int(0.8 * samples)
    # Host-side preprocessing, as a tf.data map would do in Keras: strings never reach the model.
    vectorize = TextVectorization(output_sequence_length=max_len)
    vectorize.adapt(texts[:split])
    x = vectorize(texts)
    model = build_model(vectorize.vocabulary_size())
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.summary()
    model.fit(x[:split], y[:split], batch_size=32, epochs=epochs, verbose=0)
    _, accuracy = model.evaluate(x[split:], y[split:], verbose=0)
    print(f"Test accuracy ('7 before 3?') on {samples - split} sentences: {accuracy:.3f}")
    return float(accuracy)


if __name__ == "__main__":
    sys.exit(0 if main() > 0.8 else 1)
