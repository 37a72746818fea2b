"""Example submissions of lab1_neuron: the answer key, typical bugs, and files that are not notebooks.

`loses` lists every check the submission must fail (by test function name) with its reason; it keeps all
the others. Used by `./demo.sh` and by tests/test_lab1_grades.py.
"""

from autograder.demo.examples import Variant

ALL_CHECKS = {
    "test_step_is_one_at_zero",
    "test_step_values",
    "test_step_on_arrays",
    "test_sigmoid_values",
    "test_sigmoid_extremes_without_overflow",
    "test_sigmoid_on_arrays",
    "test_tanh_values",
    "test_tanh_on_arrays",
    "test_relu_values",
    "test_relu_on_arrays",
    "test_leaky_relu_values",
    "test_leaky_relu_on_arrays",
    "test_feedforward_is_activation_of_weighted_sum_plus_bias",
    "test_neuron_keeps_its_weights_and_bias",
    "test_or_neuron",
    "test_and_neuron",
    "test_nand_neuron",
    "test_truth_table_order",
    "test_truth_table_returns_python_ints",
    "test_xor_truth_table",
}

SCALAR_ONLY_ACTIVATIONS = """
import math

def step(x):
    return 1 if x >= 0 else 0

def sigmoid(x):
    e = math.exp(-abs(x))
    return 1 / (1 + e) if x >= 0 else e / (1 + e)

def tanh(x):
    return math.tanh(x)

def relu(x):
    return max(0.0, x)

def leaky_relu(x, alpha=0.01):
    return x if x >= 0 else alpha * x
"""

VARIANTS = [
    Variant("alice", "the answer key, as a student would hand it in"),
    Variant(
        "bob",
        "step(0) = 0: the Heaviside step with H(0) = 0",
        edits={"activations": [("np.where(x >= 0, 1.0, 0.0)", "np.where(x > 0, 1.0, 0.0)")]},
        loses={"test_step_is_one_at_zero": "wrong answer"},
    ),
    Variant(
        "carol",
        "activations written with the math module: right on numbers, fail on arrays",
        cells={"activations": SCALAR_ONLY_ACTIVATIONS},
        loses={name: "error" for name in ALL_CHECKS if name.endswith("_on_arrays")},
    ),
    Variant(
        "dave",
        "feedforward forgets the bias",
        edits={"neuron": [("np.dot(self.weights, inputs) + self.bias", "np.dot(self.weights, inputs)")]},
        loses={
            "test_feedforward_is_activation_of_weighted_sum_plus_bias": "wrong answer",
            "test_xor_truth_table": "wrong answer",  # xor is built from the broken neuron
        },
    ),
    Variant(
        "erin",
        "the lecture's OR neuron: weights (2, 2) and bias 0, so OR(0, 0) = step(0) = 1",
        edits={
            "logic_gates": [("BasicNeuron(np.array([1.0, 1.0]), -0.5, step)", "BasicNeuron(np.array([2, 2]), 0, step)")]
        },
        loses={"test_or_neuron": "wrong answer", "test_xor_truth_table": "wrong answer"},
    ),
    Variant(
        "frank",
        "the textbook sigmoid 1 / (1 + exp(-x)): overflows (a RuntimeWarning) at x = -1000",
        edits={
            "activations": [
                (
                    "    e = np.exp(-np.abs(x))  # exponent <= 0, so 0 < e <= 1: no overflow\n"
                    "    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))",
                    "    return 1.0 / (1.0 + np.exp(-x))",
                )
            ]
        },
        loses={"test_sigmoid_extremes_without_overflow": "wrong answer"},
    ),
    Variant(
        "grace",
        "leaky_relu ignores its alpha argument",
        edits={"activations": [("np.where(x >= 0, x, alpha * x)", "np.where(x >= 0, x, 0.01 * x)")]},
        loses={"test_leaky_relu_values": "wrong answer", "test_leaky_relu_on_arrays": "wrong answer"},
    ),
    Variant(
        "heidi",
        "tanh loops forever",
        edits={"activations": [("    return np.tanh(x)", "    while True:\n        pass")]},
        loses={"test_tanh_values": "timeout", "test_tanh_on_arrays": "timeout"},
    ),
    Variant(
        "ivan",
        "relu ends the kernel with os._exit, and a scratch cell calls sys.exit",
        edits={"activations": [("    return np.maximum(0.0, x)", "    import os\n    os._exit(1)")]},
        extra_cells=("import sys\nsys.exit('done for today')",),
        loses={"test_relu_values": "kernel died", "test_relu_on_arrays": "kernel died"},
    ),
    Variant(
        "judy",
        "the released stub, handed in untouched",
        base="release",
        loses={name: "not attempted" for name in ALL_CHECKS},
    ),
    Variant(
        "ken", "a notebook cut off half-way (invalid JSON)", raw=lambda data: data[: len(data) // 2], rejected=True
    ),
    Variant("leo", "an empty file", raw=lambda data: b"", rejected=True),
    Variant(
        "mallory",
        "a PNG image renamed to .ipynb",
        raw=lambda data: b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
        rejected=True,
    ),
    Variant(
        "oscar",
        "truth_table walks the inputs with x2 changing slowest: (0, 0), (1, 0), (0, 1), (1, 1)",
        edits={"truth_table": [("for x1 in (0, 1) for x2 in (0, 1)", "for x2 in (0, 1) for x1 in (0, 1)")]},
        loses={"test_truth_table_order": "wrong answer"},
    ),
    Variant(
        "peggy",
        "truth_table returns feedforward's outputs as they come (NumPy values), not as Python ints",
        edits={
            "truth_table": [("int(neuron.feedforward(np.array([x1, x2])))", "neuron.feedforward(np.array([x1, x2]))")]
        },
        loses={"test_truth_table_returns_python_ints": "wrong answer"},
    ),
]
