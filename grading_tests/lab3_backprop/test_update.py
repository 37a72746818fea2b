"""Hidden check of lab3's TrainableNetwork.update (grade cell test_update, 1 point).

Gradients are random arrays chosen here; every parameter must move by exactly -learning_rate * gradient.
"""

import pytest

from autograder.checks.expect import close, numeric_array

pytestmark = pytest.mark.grade_cell("test_update")

NAMES = ("W1", "b1", "W2", "b2")


def parameters(sub):
    values = sub.eval("{name: getattr(_ag_net, name) for name in ('W1', 'b1', 'W2', 'b2')}")
    return {name: numeric_array(value, f"TrainableNetwork.{name}") for name, value in values.items()}


@pytest.mark.points(1)
def test_update_moves_parameters_against_gradient(sub, lab_data):
    """update(grads, learning_rate) moves every parameter by -learning_rate * gradient"""
    rng = lab_data.rng(90)
    sub.exec("_ag_net = TrainableNetwork(3, 4, seed=9)")
    net = sub.get("_ag_net")
    for learning_rate, by_keyword in [(0.3, False), (0.05, True)]:
        before = parameters(sub)
        grads = {name: rng.normal(size=value.shape) for name, value in before.items()}
        if by_keyword:
            net.update(grads, learning_rate=learning_rate)
        else:
            net.update(grads, learning_rate)
        after = parameters(sub)
        for name in NAMES:
            close(
                after[name],
                before[name] - learning_rate * grads[name],
                f"{name} after update(grads, {learning_rate}) (it should be {name} - {learning_rate} * grads['{name}'])",
                rtol=1e-12,
                atol=1e-12,
            )
