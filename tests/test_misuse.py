"""Misuse table: wrong uses Keras users make, each answered by a clear message.

Every row is ``(id, action, exception type, regex)``: the regex checks that the message names
the problem (the argument, layer, shape or value at fault) and, where Keras suggests one, the
fix.
"""

from __future__ import annotations

import warnings

import jax
import numpy as np
import pytest

import jnn
from jnn import layers as L

X = np.random.default_rng(0).normal(size=(6, 2)).astype("float32")
Y = np.array([0, 1, 2, 0, 1, 2])


def _clf(loss="sparse_categorical_crossentropy", activation="softmax", units=3, **kw):
    model = jnn.Sequential([L.Dense(units, input_dim=2, activation=activation)])
    model.compile("sgd", loss, **kw)
    return model


def _two_outputs(loss):
    a = jnn.Input((2,))
    model = jnn.Model(a, [L.Dense(1, name="o1")(a), L.Dense(3, name="o2")(a)])
    model.compile("sgd", loss)
    return model


def _fit(model, x=X, y=Y, **kw):
    kw.setdefault("verbose", 0)
    return model.fit(x, y, **kw)


def _reused_dense_on_two_widths():
    dense, a, b = L.Dense(3), jnn.Input((2,)), jnn.Input((5,))
    return jnn.Model([a, b], [dense(a), dense(b)])


def _load_into_other_architecture(tmp):
    jnn.Sequential([L.Dense(3, input_dim=2)]).save_weights(f"{tmp}/a.weights.h5")
    jnn.Sequential([L.Dense(4, input_dim=2)]).load_weights(f"{tmp}/a.weights.h5")


def _apply_dropout_without_rng():
    model = jnn.Sequential([L.Input((2,)), L.Dropout(0.5)])
    return model.apply(model.init(jax.random.key(0), X), X, training=True)


def _apply_missing_variables():
    model = jnn.Sequential([L.Input((2,)), L.Dense(2)])
    return model.apply({"params": {}}, X)


def _dict_input_with_wrong_key():
    a = jnn.Input((2,), name="feat")
    model = jnn.Model(a, L.Dense(1)(a))
    model.compile("sgd", "mse")
    return _fit(model, {"wrong": X}, Y)


NOT_BUILT = r"not (yet )?been built.*input_shape"
CASES = [
    # --- layer arguments --------------------------------------------------------------------
    ("dense_units_zero", lambda: L.Dense(0), ValueError, r"Dense: argument `units` must be a positive int, received 0"),
    ("dense_units_string", lambda: L.Dense("10"), ValueError, r"`units`.*received '10'"),
    ("dense_input_dim_negative", lambda: L.Dense(3, input_dim=-1), ValueError, r"`input_dim`.*received -1"),
    ("dense_use_bias_string", lambda: L.Dense(3, use_bias="yes"), ValueError, r"`use_bias` must be a bool, received 'yes'"),
    ("activation_typo", lambda: L.Dense(3, activation="rellu"), ValueError, r"activation.*'rellu'.*Valid identifiers.*'relu'"),
    ("activation_layer_typo", lambda: L.Activation("softmaxx"), ValueError, r"'softmaxx'.*'softmax'"),
    ("initializer_typo", lambda: L.Dense(3, kernel_initializer="glorot"), ValueError, r"initializer identifier: 'glorot'.*'glorot_uniform'"),
    ("regularizer_typo", lambda: L.Dense(3, kernel_regularizer="l3"), ValueError, r"regularizer identifier: 'l3'.*'l2'"),
    ("constraint_typo", lambda: L.Dense(3, kernel_constraint="positive"), ValueError, r"constraint identifier: 'positive'.*'non_neg'"),
    ("conv_kernel_size_zero", lambda: L.Conv2D(4, 0), ValueError, r"Conv2D: argument `kernel_size`.*received 0"),
    ("conv_padding_full", lambda: L.Conv2D(4, 3, padding="full"), ValueError, r"`padding` must be one of 'valid', 'same', received 'full'"),
    ("conv_data_format_nhwc", lambda: L.Conv2D(4, 3, data_format="NHWC"), ValueError, r"`data_format`.*'channels_last'.*received 'NHWC'"),
    ("pool_strides_zero", lambda: L.MaxPooling2D(2, strides=0), ValueError, r"MaxPooling2D: argument `strides`.*received 0"),
    ("dropout_rate_above_one", lambda: L.Dropout(1.5), ValueError, r"Dropout: argument `rate` must be a float in \[0, 1\), received 1.5"),
    ("lstm_units_zero", lambda: L.LSTM(0), ValueError, r"`units` must be a positive int, received 0"),
    ("embedding_without_input_dim", lambda: L.Embedding(output_dim=3), TypeError, r"input_dim"),
    ("embedding_output_dim_zero", lambda: L.Embedding(10, 0), ValueError, r"Embedding: argument `output_dim`.*received 0"),
    ("variance_scaling_mode", lambda: jnn.initializers.VarianceScaling(mode="fan_sum"), ValueError, r"`mode` must be one of \['fan_in', 'fan_out', 'fan_avg'\], received 'fan_sum'"),
    ("orthogonal_on_vector", lambda: jnn.initializers.Orthogonal()(jax.random.key(0), (3,)), ValueError, r"at least 2D, received shape=\(3,\)"),
    # --- sizes: checked before anything is allocated ----------------------------------------
    ("dense_units_10e12", lambda: L.Dense(10**12), ValueError, r"Dense: argument `units` must be a positive int of at most 2,147,483,647.*received 1000000000000"),
    ("dense_units_2e70", lambda: L.Dense(2**70), ValueError, r"Dense: argument `units`.*at most 2,147,483,647.*received 1180591620717411303424"),
    ("embedding_input_dim_10e12", lambda: L.Embedding(10**12, 8), ValueError, r"Embedding: argument `input_dim`.*at most 2,147,483,647"),
    ("conv2d_filters_10e9", lambda: jnn.Sequential([L.Input((8, 8, 3)), L.Conv2D(10**9, 3, name="huge")]), ValueError, r"Layer 'huge' \(Conv2D\): GlorotUniform: a weight of shape \(3, 3, 3, 1000000000\) has 27,000,000,000 elements.*JNN_MAX_WEIGHT_ELEMENTS"),
    ("lstm_units_10e7", lambda: jnn.Sequential([L.Input((5, 3)), L.LSTM(10**7)]), ValueError, r"Layer 'lstm\w*' \(LSTM\) > 'lstm_cell\w*' \(LSTMCell\): Orthogonal: a weight of shape \(10000000, 40000000\) has 400,000,000,000,000 elements"),
    ("dense_10e6_on_10e6_deferred", lambda: jnn.Sequential([L.Dense(10**6)]).predict(np.zeros((1, 10**6), "float32"), verbose=0), ValueError, r"Layer 'dense\w*' \(Dense\): GlorotUniform: a weight of shape \(1000000, 1000000\) has 1,000,000,000,000 elements"),
    ("embedding_layer_call_10e9", lambda: L.Embedding(10**9, 64, name="emb")(np.zeros((1, 2), "int32")), ValueError, r"Layer 'emb' \(Embedding\): RandomUniform: a weight of shape \(1000000000, 64\)"),
    # --- input shapes and model building ----------------------------------------------------
    ("conv2d_without_channel_axis", lambda: jnn.Sequential([L.Conv2D(4, 3, input_shape=(8, 8))]), ValueError, r'layer "conv2d.*expected ndim=4, found ndim=3.*\(None, 8, 8\)'),
    ("lstm_on_2d_input", lambda: jnn.Sequential([L.Input((5,)), L.LSTM(3)]), ValueError, r'layer "lstm.*expected ndim=3, found ndim=2'),
    ("pool_larger_than_input", lambda: jnn.Sequential([L.Input((2, 2, 1)), L.MaxPooling2D(4)]), ValueError, r"input is too small for pool_size=\(4, 4\).*\(None, 2, 2, 1\)"),
    ("reshape_changes_size", lambda: jnn.Sequential([L.Input((6,)), L.Reshape((4, 2))]), ValueError, r"cannot reshape.*\(6,\).*target_shape \(4, 2\)"),
    ("concatenate_mismatched", lambda: L.Concatenate()([jnn.Input((2, 3)), jnn.Input((4, 5))]), ValueError, r"Concatenate.*matching shapes except for the concatenation axis"),
    ("batchnorm_axis_out_of_range", lambda: jnn.Sequential([L.Input((5,)), L.BatchNormalization(axis=3)]), ValueError, r"axis 3 is out of bounds for an input of rank 2"),
    ("reused_layer_other_width", _reused_dense_on_two_widths, ValueError, r'layer "dense.*expected axis -1 of input shape to have value 2.*5\)'),
    ("sequential_gets_layer_class", lambda: jnn.Sequential([L.Dense]), TypeError, r"instance of class Layer.*received.*Dense'> of type type"),
    ("sequential_add_array", lambda: jnn.Sequential().add(np.zeros(3)), TypeError, r"instance of class Layer.*ndarray"),
    ("functional_numpy_output", lambda: jnn.Model(jnn.Input((2,)), np.zeros(3)), TypeError, r"Model `outputs` must be a KerasTensor.*received ndarray"),
    ("functional_layer_not_called", lambda: jnn.Model(jnn.Input((2,)), L.Dense(2)), TypeError, r"`outputs` must be a KerasTensor.*received Dense"),
    ("graph_disconnected", lambda: jnn.Model(jnn.Input((2,)), L.Dense(2)(jnn.Input((2,)))), ValueError, r"Graph disconnected.*Add 'input_\d+' to the model's inputs"),
    ("model_inputs_not_from_input", lambda: (lambda h: jnn.Model(h, L.Dense(1)(h)))(L.Dense(2)(jnn.Input((2,)))), ValueError, r"inputs must come from jnn.Input\(\)"),
    ("mixing_symbolic_and_numpy", lambda: L.Add()([jnn.Input((2,)), np.ones((1, 2))]), TypeError, r"mix of symbolic KerasTensors and concrete arrays.*Lambda"),
    ("summary_before_build", lambda: jnn.Sequential([L.Dense(3)]).summary(), ValueError, NOT_BUILT),
    ("count_params_before_build", lambda: jnn.Sequential([L.Dense(3)]).count_params(), ValueError, r"not been built.*input_shape"),
    ("get_layer_unknown_name", lambda: _clf().get_layer("nope"), ValueError, r"No such layer: nope.*Existing layers are: \['dense"),
    ("keras2_fit_generator", lambda: _clf().fit_generator(X), AttributeError, r"fit_generator.*Keras 3 removed it.*model\.fit"),
    ("keras2_predict_proba", lambda: _clf().predict_proba(X), AttributeError, r"predict_proba.*Keras 3 removed it.*model\.predict\(x\)"),
    ("keras2_predict_classes", lambda: _clf().predict_classes(X, verbose=0), DeprecationWarning, r"predict_classes\(\)` is deprecated.*np\.argmax\(model\.predict"),
    # --- compile ----------------------------------------------------------------------------
    ("optimizer_typo", lambda: _clf().compile("adamm", "mse"), ValueError, r"optimizer identifier: 'adamm'.*'adam'"),
    ("optimizer_class_not_instance", lambda: _clf().compile(jnn.optimizers.Adam, "mse"), ValueError, r"optimizer identifier: <class.*Adam'>.*Optimizer instance"),
    ("adam_learning_rate_string", lambda: jnn.optimizers.Adam(learning_rate="0.1"), ValueError, r"Adam: argument `learning_rate`.*received '0.1'"),
    ("loss_typo", lambda: _fit(_clf("msee")), ValueError, r"loss identifier: 'msee'.*'mse'"),
    ("compile_metric_keyword_typo", lambda: _clf().compile("sgd", "mse", metric=["accuracy"]), TypeError, r"'metric'"),
    ("metric_typo", lambda: _fit(_clf(metrics=["acurracy"])), ValueError, r"metric identifier: 'acurracy'.*'Accuracy'"),
    ("legacy_lr_argument", lambda: jnn.optimizers.SGD(lr=0.1), Warning, r"`lr` is deprecated, use `learning_rate`"),
    # --- fit / evaluate / predict -----------------------------------------------------------
    ("fit_before_compile", lambda: _fit(jnn.Sequential([L.Dense(3, input_dim=2)])), RuntimeError, r"must compile.*model\.compile\(optimizer, loss\)"),
    ("evaluate_before_compile", lambda: jnn.Sequential([L.Dense(3, input_dim=2)]).evaluate(X, Y), RuntimeError, r"must compile"),
    ("compile_without_loss", lambda: _fit(_clf(loss=None)), ValueError, r"`compile\(\)` with a `loss`.*loss='sparse_categorical_crossentropy'"),
    ("wrong_input_width", lambda: _clf().predict(np.zeros((2, 5), "float32"), verbose=0), ValueError, r"expected shape=\(None, 2\), found shape=\(None, 5\)"),
    ("images_not_flattened", lambda: _clf().predict(np.zeros((2, 2, 2), "float32"), verbose=0), ValueError, r"expected shape=\(None, 2\), found shape=\(None, 2, 2\)"),
    ("one_sample_without_batch_axis", lambda: _clf().predict([1.0, 2.0], verbose=0), ValueError, r"expected shape=\(None, 2\), found shape=\(None,\)"),
    ("one_hot_labels_sparse_loss", lambda: _fit(_clf(), y=np.eye(3)[Y]), ValueError, r"one-hot.*categorical_crossentropy"),
    ("integer_labels_categorical_loss", lambda: _fit(_clf("categorical_crossentropy")), ValueError, r"one-hot.*integer class indices.*sparse_categorical_crossentropy.*to_categorical"),
    ("labels_beyond_units", lambda: _fit(_clf(units=2, activation="softmax")), ValueError, r"label value of 2.*at least 3 units"),
    ("float_labels_sparse_loss", lambda: _fit(_clf(), y=Y + 0.5), ValueError, r"expects integer class labels.*non-integer values"),
    ("one_hot_of_wrong_width", lambda: _fit(_clf("categorical_crossentropy"), y=np.eye(4)[Y]), ValueError, r"targets of shape \(6, 4\) do not match the model output shape"),
    ("regression_targets_wrong_width", lambda: _fit(_clf("mse", None), y=np.zeros((6, 4))), ValueError, r"targets of shape \(6, 4\) do not match"),
    ("x_y_lengths_differ", lambda: _fit(_clf(), y=Y[:5]), ValueError, r"x sizes: \[6\], y sizes: \[5\]"),
    ("sample_weight_length", lambda: _fit(_clf(), sample_weight=np.ones(4)), ValueError, r"sample_weight sizes: \[4\]"),
    ("epochs_float", lambda: _fit(_clf(), epochs=2.5), ValueError, r"`epochs` must be a non-negative int, received 2.5"),
    ("epoch_keyword_typo", lambda: _fit(_clf(), epoch=2), TypeError, r"'epoch'.*did you mean epochs"),
    ("batch_size_zero", lambda: _clf().predict(X, batch_size=0), ValueError, r"`batch_size` must be a positive int, received 0"),
    ("verbose_three", lambda: _fit(_clf(), verbose=3), ValueError, r"`verbose` must be 0, 1 or 2, received 3"),
    ("validation_split_above_one", lambda: _fit(_clf(), validation_split=1.5), ValueError, r"`validation_split` must be a float in \[0, 1\)"),
    ("validation_freq_zero", lambda: _fit(_clf(), validation_split=0.5, validation_freq=0), ValueError, r"`validation_freq` must be >= 1, received 0"),
    ("validation_data_one_tuple", lambda: _fit(_clf(), validation_data=(X,)), ValueError, r"\(x_val, y_val\).*length 1"),
    ("sequential_fit_dict", lambda: _fit(_clf(), x={"features": X}), ValueError, r"Sequential model 'sequential\w*' takes a single input: one array or tensor of shape \(None, 2\).*received a dict with keys \['features'\].*Pass the array itself.*jnn.Model\(inputs=\{"),
    ("sequential_predict_dict_unbuilt", lambda: jnn.Sequential([L.Dense(2)]).predict({"a": X, "b": X}, verbose=0), ValueError, r"takes a single input: one array or tensor; received a dict with keys \['a', 'b'\]"),
    ("dict_input_wrong_key", _dict_input_with_wrong_key, ValueError, r"missing data for input\(s\) \['feat'\].*keys \['wrong'\]"),
    ("multi_output_y_count", lambda: _fit(_two_outputs(["mse", "mse"]), y=[Y]), ValueError, r"2 outputs \['o1', 'o2'\] but `y` has 1 arrays"),
    ("multi_output_loss_dict_key", lambda: _fit(_two_outputs({"o1": "mse", "out3": "mse"}), y=[Y, Y]), ValueError, r"`loss` has keys \['out3'\].*outputs are \['o1', 'o2'\]"),
    ("multi_output_class_weight", lambda: _fit(_two_outputs(["mse", "mse"]), y=[Y, Y], class_weight={0: 1.0}), ValueError, r"`class_weight` is only supported for models with a single output"),
    ("nan_in_inputs", lambda: _fit(_clf(), x=np.where(np.eye(6, 2) > 0, np.nan, X)), ValueError, r"`x` contains NaN"),
    ("string_targets", lambda: _fit(_clf(), y=np.array(["a", "b", "c"] * 2)), ValueError, r"`y` must be numeric"),
    ("softmax_output_with_from_logits", lambda: _fit(_clf(jnn.losses.SparseCategoricalCrossentropy(from_logits=True))), UserWarning, r"from_logits=True.*look like probabilities"),
    ("linear_output_with_probability_loss", lambda: _fit(_clf(activation=None), x=X * 10), UserWarning, r"expects probabilities.*add a softmax activation"),
    ("class_weight_as_list", lambda: _fit(_clf(), class_weight=[1.0, 2.0, 3.0]), ValueError, r"`class_weight` must be a dict mapping class indices to weights.*received list"),
    ("loss_weights_list_for_single_output", lambda: _fit(_clf(loss_weights=[1.0, 2.0])), ValueError, r"`loss_weights` has 2 entries.*1 output.*Pass one loss weight per output"),
    ("multi_output_loss_list_length", lambda: _fit(_two_outputs(["mse"]), y=[Y, Y]), ValueError, r"`loss` has 1 entries.*2 outputs.*Pass one loss per output"),
    ("steps_per_epoch_zero", lambda: _fit(_clf(), steps_per_epoch=0), ValueError, r"`steps_per_epoch` must be a positive int or None, received 0"),
    ("steps_per_epoch_float", lambda: _fit(_clf(), steps_per_epoch=2.5), ValueError, r"`steps_per_epoch` must be a positive int or None, received 2.5"),
    ("ragged_python_lists", lambda: _fit(_clf(), x=[[1.0, 2.0], [3.0]], y=[0, 1]), ValueError, r"`x` is a ragged list: rows have lengths \[2, 1\]; pad them \(jnn.utils.pad_sequences\)"),
    # --- pure API ---------------------------------------------------------------------------
    ("apply_dropout_without_rng", _apply_dropout_without_rng, ValueError, r'"dropout.*needs a random key when training=True.*rng=jax.random.key'),
    ("apply_missing_variables", _apply_missing_variables, ValueError, r"'dense_\d+' \(Dense\) has weights, but the model's variables have none"),
    # --- losses, metrics, utilities called directly -----------------------------------------
    ("cce_called_with_int_labels", lambda: jnn.losses.CategoricalCrossentropy()(np.array([0, 1]), np.full((2, 3), 1 / 3, "float32")), ValueError, r"same shape.*y_true.shape=\(2,\), y_pred.shape=\(2, 3\)"),
    ("scce_called_with_one_hot", lambda: jnn.losses.SparseCategoricalCrossentropy()(np.eye(3)[[0, 1]], np.full((2, 3), 1 / 3, "float32")), ValueError, r"without the class axis.*y_true.shape=\(2, 3\)"),
    ("mse_called_with_other_widths", lambda: jnn.losses.MeanSquaredError()(np.zeros((2, 3)), np.zeros((2, 4))), ValueError, r"incompatible shapes: y_true.shape=\(2, 3\), y_pred.shape=\(2, 4\)"),
    ("to_categorical_too_few_classes", lambda: jnn.utils.to_categorical([0, 5], num_classes=3), ValueError, r"labels must be in \[0, num_classes=3\), received values from 0 to 5"),
    # --- saving -----------------------------------------------------------------------------
    ("save_weights_plain_h5", lambda: _clf().save_weights("w.h5"), ValueError, r"must end in `.weights.h5`.*received filepath='w.h5'"),
    ("save_unknown_extension", lambda: _clf().save("model.h6"), ValueError, r"must end in `.keras`.*received filepath='model.h6'"),
    ("save_weights_missing_directory", lambda: _clf().save_weights("no/such/dir/w.weights.h5"), FileNotFoundError, r"directory '.*no/such/dir' of `filepath` does not exist; create it first"),
    ("load_weights_missing_file", lambda: _clf().load_weights("nothere.weights.h5"), FileNotFoundError, r"no such file: 'nothere.weights.h5'"),
    ("load_model_missing_file", lambda: jnn.models.load_model("none.keras"), FileNotFoundError, r"no such file: 'none.keras'"),
    ("load_weights_other_architecture", "tmp:_load_into_other_architecture", ValueError, r"(?s)do not match.*'kernel' has shape \(2, 4\), but the file holds shape \(2, 3\)"),
    # --- callbacks --------------------------------------------------------------------------
    ("checkpoint_weights_only_extension", lambda: jnn.callbacks.ModelCheckpoint("ck.h5", save_weights_only=True), ValueError, r"save_weights_only=True.*must end in `.weights.h5`"),
    ("checkpoint_extension", lambda: jnn.callbacks.ModelCheckpoint("ck.txt"), ValueError, r"must end in `.keras`.*ck.txt"),
    ("early_stopping_monitor_typo", lambda: _fit(_clf(), callbacks=[jnn.callbacks.EarlyStopping(monitor="val_los")]), ValueError, r"monitor=val_los.*mode='max'"),
    ("early_stopping_mode_typo", lambda: jnn.callbacks.EarlyStopping(mode="maximum"), UserWarning, r"mode 'maximum' is unknown"),
]  # fmt: skip


def test_table_is_large_and_ids_are_unique():
    ids = [c[0] for c in CASES]
    assert len(CASES) >= 40
    assert len(ids) == len(set(ids))


def _run(action, tmp_path):
    if isinstance(action, str):  # "tmp:<function name>" takes a scratch directory
        return globals()[action.split(":", 1)[1]](tmp_path)
    return action()


@pytest.mark.parametrize(("case_id", "action", "exc", "pattern"), CASES, ids=[c[0] for c in CASES])
def test_misuse_is_explained(case_id, action, exc, pattern, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # relative save paths land in the scratch directory
    if issubclass(exc, Warning):
        with pytest.warns(exc, match=pattern):
            _run(action, tmp_path)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with pytest.raises(exc, match=pattern):
            _run(action, tmp_path)
