"""Example submissions of lab2_ann: the answer key, the untouched stub and typical bugs.

`loses` lists every check the submission must fail (by test function name) with its reason; it keeps all
the others. The edits are made on the answer key's cells basic_network, two_layer_network and predict.
"""

from autograder.demo.examples import Variant

ALL_CHECKS = {
    "test_basic_network_lecture_example",
    "test_basic_network_formula",
    "test_parameter_shapes",
    "test_initial_weights_small_and_random",
    "test_initial_biases_zero",
    "test_same_seed_same_weights",
    "test_different_seeds_differ",
    "test_feedforward_one_sample_shape",
    "test_feedforward_batch_shape",
    "test_feedforward_linear_formula",
    "test_feedforward_applies_activation_on_both_layers",
    "test_batch_matches_one_sample_at_a_time",
    "test_feedforward_is_vectorised",
    "test_predict_labels_and_shape",
    "test_predict_threshold_is_inclusive",
}

OUTPUT_LINE = "        return self.activation(hidden @ self.W2 + self.b2)"

LOOPED_FEEDFORWARD = """        X = np.asarray(X, dtype=float)
        if X.ndim == 2:  # a batch: one sample at a time
            return np.array([self.feedforward(x) for x in X])
        if X.shape != (self.n_inputs,):"""

VARIANTS = [
    Variant("alice", "the answer key, as a student would hand it in"),
    Variant(
        "nora",
        "feedforward flattens its output: a batch gives shape (n,) instead of (n, 1)",
        edits={"two_layer_network": [(OUTPUT_LINE, OUTPUT_LINE + ".reshape(-1)")]},
        loses={"test_feedforward_batch_shape": "wrong answer"},
    ),
    Variant(
        "oscar",
        "biases initialised at random, like the weights, instead of zero",
        edits={
            "two_layer_network": [
                ("self.b1 = np.zeros(self.n_hidden)", "self.b1 = rng.uniform(-0.5, 0.5, size=self.n_hidden)"),
                ("self.b2 = np.zeros(1)", "self.b2 = rng.uniform(-0.5, 0.5, size=1)"),
            ]
        },
        loses={"test_initial_biases_zero": "wrong answer"},
    ),
    Variant(
        "paula",
        "weights drawn from a standard normal distribution, not scaled (|w| up to about 3)",
        edits={
            "two_layer_network": [
                (
                    "rng.uniform(-0.5, 0.5, size=(self.n_inputs, self.n_hidden))",
                    "rng.standard_normal((self.n_inputs, self.n_hidden))",
                ),
                ("rng.uniform(-0.5, 0.5, size=(self.n_hidden, 1))", "rng.standard_normal((self.n_hidden, 1))"),
            ]
        },
        loses={"test_initial_weights_small_and_random": "wrong answer"},
    ),
    Variant(
        "quentin",
        "the seed is ignored: weights from the global np.random functions",
        edits={"two_layer_network": [("rng = np.random.default_rng(seed)", "rng = np.random")]},
        loses={"test_same_seed_same_weights": "wrong answer"},
    ),
    Variant(
        "rosa",
        "the output layer has no activation",
        edits={"two_layer_network": [(OUTPUT_LINE, "        return hidden @ self.W2 + self.b2")]},
        loses={"test_feedforward_applies_activation_on_both_layers": "wrong answer"},
    ),
    Variant(
        "samir",
        "feedforward loops over the samples of a batch in Python: right values, far too slow for 100,000 samples",
        edits={
            "two_layer_network": [
                (
                    "        X = np.asarray(X, dtype=float)\n"
                    "        if X.ndim not in (1, 2) or X.shape[-1] != self.n_inputs:",
                    LOOPED_FEEDFORWARD,
                )
            ]
        },
        loses={"test_feedforward_is_vectorised": "wrong answer"},
    ),
    Variant(
        "tara",
        "W1 stored transposed, (n_hidden, n_inputs), with feedforward adapted (X @ W1.T)",
        edits={
            "two_layer_network": [
                ("size=(self.n_inputs, self.n_hidden)", "size=(self.n_hidden, self.n_inputs)"),
                ("X @ self.W1 + self.b1", "X @ self.W1.T + self.b1"),
            ]
        },
        loses={
            "test_parameter_shapes": "wrong answer",
            "test_feedforward_linear_formula": "wrong answer",  # the formula X @ W1 needs W1 as (n_inputs, n_hidden)
            "test_feedforward_applies_activation_on_both_layers": "wrong answer",
        },
    ),
    Variant(
        "umar",
        "predict uses > instead of >=: an output equal to the threshold gets label 0",
        edits={"predict": [("(outputs >= threshold)", "(outputs > threshold)")]},
        loses={"test_predict_threshold_is_inclusive": "wrong answer"},
    ),
    Variant(
        "vera",
        "BasicNeuralNetwork feeds the input x to o1 instead of [h1, h2]",
        edits={"basic_network": [("self.o1.feedforward(np.array([out_h1, out_h2]))", "self.o1.feedforward(x)")]},
        loses={"test_basic_network_lecture_example": "wrong answer", "test_basic_network_formula": "wrong answer"},
    ),
    Variant(
        "walt",
        "feedforward turns every input into a batch (np.atleast_2d): one sample gives shape (1, 1), not (1,)",
        edits={
            "two_layer_network": [("X = np.asarray(X, dtype=float)", "X = np.atleast_2d(np.asarray(X, dtype=float))")]
        },
        loses={"test_feedforward_one_sample_shape": "wrong answer"},
    ),
    Variant(
        "xavier",
        "feedforward multiplies in the wrong order (W1 @ X): a shape error whenever n_inputs != n_hidden",
        edits={"two_layer_network": [("X @ self.W1 + self.b1", "self.W1 @ X + self.b1")]},
        loses={
            name: "error"
            for name in (
                "test_feedforward_one_sample_shape",
                "test_feedforward_batch_shape",
                "test_feedforward_linear_formula",
                "test_feedforward_applies_activation_on_both_layers",
                "test_batch_matches_one_sample_at_a_time",
                "test_feedforward_is_vectorised",
                "test_predict_labels_and_shape",
                "test_predict_threshold_is_inclusive",  # predict calls feedforward
            )
        },
    ),
    Variant(
        "zoe",
        "the released stub, handed in untouched",
        base="release",
        loses={name: "not attempted" for name in ALL_CHECKS},
    ),
]
