"""Example submissions of lab3_backprop: the answer key, the untouched stub, and typical backpropagation bugs.

`loses` lists every check the submission must fail (by test function name) with its reason; it keeps all
the others. Written like examples/lab1_neuron.py, as small edits of the answer key's cells.
"""

from autograder.demo.examples import Variant

ALL_CHECKS = {
    "test_mse_loss_formula",
    "test_bce_formula",
    "test_bce_finite_at_0_and_1",
    "test_sigmoid_derivative_values",
    "test_sigmoid_derivative_on_arrays",
    "test_numerical_gradient_known_derivatives",
    "test_numerical_gradient_is_central",
    "test_numerical_gradient_restores_param",
    "test_numerical_gradient_shape",
    "test_backward_gradient_shapes",
    "test_backward_matches_numerical_gradient",
    "test_backward_matches_autograd",
    "test_update_moves_parameters_against_gradient",
    "test_train_returns_one_loss_per_epoch",
    "test_train_records_loss_after_each_update",
    "test_train_loss_falls",
    "test_train_xor_learns_xor",
    "test_torch_two_layer_net_forward",
    "test_train_torch_matches_sgd",
    "test_train_torch_loss_falls",
    "test_regression_net_layers",
    "test_regression_net_forward",
}

VARIANTS = [
    Variant("alice", "the answer key, as a student would hand it in"),
    Variant(
        "nadia",
        "backward forgets the 1/n of the mean: gradients of the summed loss, n times too large",
        edits={"trainable_network": [("dY_hat = 2.0 * (Y_hat - y) / n ", "dY_hat = 2.0 * (Y_hat - y)     ")]},
        loses={
            "test_backward_matches_numerical_gradient": "wrong answer",
            "test_backward_matches_autograd": "wrong answer",
        },
    ),
    Variant(
        "omar",
        "backward takes sigma' at the outputs A1 and Y_hat instead of the pre-activations (the sigmoid twice)",
        edits={
            "trainable_network": [
                ("dY_hat * sigmoid_derivative(Z2)", "dY_hat * sigmoid_derivative(Y_hat)"),
                ("dA1 * sigmoid_derivative(Z1)", "dA1 * sigmoid_derivative(A1)"),
            ]
        },
        loses={
            "test_backward_matches_numerical_gradient": "wrong answer",
            "test_backward_matches_autograd": "wrong answer",
        },
    ),
    Variant(
        "priya",
        "numerical_gradient with forward differences (f(p + h) - f(p)) / h",
        edits={
            "numerical_gradient": [
                (
                    "        param[index] = original - h\n"
                    "        f_minus = float(f())\n"
                    "        param[index] = original  # put the exact original value back\n"
                    "        grad[index] = (f_plus - f_minus) / (2.0 * h)",
                    "        param[index] = original\n"
                    "        f_here = float(f())\n"
                    "        grad[index] = (f_plus - f_here) / h",
                )
            ]
        },
        loses={"test_numerical_gradient_is_central": "wrong answer"},
    ),
    Variant(
        "quinn",
        "numerical_gradient never puts the entries back: param is left shifted by -h",
        edits={"numerical_gradient": [("        param[index] = original  # put the exact original value back\n", "")]},
        loses={"test_numerical_gradient_restores_param": "wrong answer"},
    ),
    Variant(
        "rosa",
        "update adds the gradient (gradient ascent): the loss grows",
        edits={
            "trainable_network": [
                (f"self.{name} = self.{name} - learning_rate", f"self.{name} = self.{name} + learning_rate")
                for name in ("W1", "b1", "W2", "b2")
            ]
        },
        loses={
            "test_update_moves_parameters_against_gradient": "wrong answer",
            "test_train_loss_falls": "wrong answer",
            "test_train_xor_learns_xor": "wrong answer",
        },
    ),
    Variant(
        "sven",
        "train records the loss before each update instead of after it",
        edits={
            "trainable_network": [
                (
                    "            grads = self.backward(X, y)\n"
                    "            self.update(grads, learning_rate)\n"
                    "            losses.append(mse_loss(self.feedforward(X), y))",
                    "            losses.append(mse_loss(self.feedforward(X), y))\n"
                    "            grads = self.backward(X, y)\n"
                    "            self.update(grads, learning_rate)",
                )
            ]
        },
        loses={"test_train_records_loss_after_each_update": "wrong answer"},
    ),
    Variant(
        "tariq",
        "train_torch without optimizer.zero_grad(): the gradients of all epochs add up",
        edits={"torch_network": [("        optimizer.zero_grad()\n", "")]},
        loses={"test_train_torch_matches_sgd": "wrong answer"},
    ),
    Variant(
        "uma",
        "binary_cross_entropy without clipping: inf and nan at predictions of exactly 0 and 1",
        edits={"losses": [("p = np.clip(y_pred, eps, 1.0 - eps)", "p = y_pred")]},
        loses={"test_bce_finite_at_0_and_1": "wrong answer"},
    ),
    Variant(
        "victor",
        "sigmoid_derivative(z) = z * (1 - z): the tutorials' shortcut for outputs, applied to the pre-activation",
        edits={"sigmoid_derivative": [("    s = sigmoid(z)\n    return s * (1.0 - s)", "    return z * (1.0 - z)")]},
        loses={
            "test_sigmoid_derivative_values": "wrong answer",
            "test_sigmoid_derivative_on_arrays": "wrong answer",
            "test_backward_matches_numerical_gradient": "wrong answer",
            "test_backward_matches_autograd": "wrong answer",
            "test_train_loss_falls": "wrong answer",
            "test_train_xor_learns_xor": "wrong answer",
        },
    ),
    Variant(
        "wanda",
        "RegressionNet with ReLU instead of the lecture's LeakyReLU",
        edits={"regression_net": [("nn.LeakyReLU()", "nn.ReLU()")]},
        loses={"test_regression_net_layers": "wrong answer", "test_regression_net_forward": "wrong answer"},
    ),
    Variant(
        "yusuf",
        "TorchTwoLayerNet forgets the sigmoid of the output layer",
        edits={
            "torch_network": [
                (
                    "return torch.sigmoid(self.output(torch.sigmoid(self.hidden(x))))",
                    "return self.output(torch.sigmoid(self.hidden(x)))",
                )
            ]
        },
        loses={
            "test_torch_two_layer_net_forward": "wrong answer",
            "test_train_torch_loss_falls": "wrong answer",  # a linear output diverges at lr 2: the losses overflow
        },
    ),
    Variant(
        "zoe",
        "the released stub, handed in untouched",
        base="release",
        loses={name: "not attempted" for name in ALL_CHECKS},
    ),
]
