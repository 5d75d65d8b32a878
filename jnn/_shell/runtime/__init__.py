"""The shell's process-wide state, below every other room.

Holds: the global seed and key counter (:mod:`.rng`), automatic name counters (:mod:`.naming`),
the device-memory budget and compilation cache (:mod:`.config`), Keras 3's distribution API and
array placement (:mod:`.distribution`), atomic single-writer file writes (:mod:`.atomic`), and
the table of Keras names jnn leaves out on purpose (:mod:`.absent`).

May import: :mod:`jnn._core` only (and itself).
"""
