"""Hidden checks of lab4's fit and of what the student's models can learn (grade cell test_fit, 8 points).

Accuracy thresholds, from the reference solution: torch.manual_seed(s); model = MLP() (or CNN());
fit(model, training split in batches of 64 shuffled with seed s, EPOCHS, LEARNING_RATE, "cpu"); accuracy of
the model's logits on the held-out images, computed by the check. Seeds s = 0..19, one thread
(`bench/lab4_accuracy.py [--dataset NAME]` prints the distribution), as min / median / max (seed 0):

    MNIST offline split, 8,000 / 2,000    MLP 0.901 / 0.912 / 0.918 (0.912)    CNN 0.964 / 0.970 / 0.978 (0.964)
    Fashion-MNIST, 60,000 / 10,000        MLP 0.848 / 0.853 / 0.858 (0.849)    CNN 0.881 / 0.893 / 0.902 (0.891)

The lab lets students design their own small CNN, so the CNN's threshold holds for the small designs the lab's
text allows, not only for the table's (`--variant STUDENT --models CNN`, seeds 0..9): a 4/8-channel CNN without a
hidden layer (examples: lena) MNIST 0.877 / 0.893 / 0.910 (0.886), Fashion-MNIST 0.823 / 0.841 / 0.851 (0.851);
a LeNet-style 8/8 with 5 x 5 filters (marco) MNIST 0.879 / 0.909 / 0.918 (0.896), Fashion-MNIST 0.821 / 0.837 /
0.847 (0.836). So the CNN's bar is the MLP's: its job is to catch training that does not work, which the
structure checks cannot see.
The checks use seed 0 and the thresholds of THRESHOLDS, under every allowed design's minimum.
Bugs at seed 0 on the MNIST split: softmax in the MLP 0.904 (passes); no zero_grad 0.78 / 0.39 (MLP / CNN);
a "CNN" without convolutions 0.908 (it loses the structure check instead); learning rate 0.1 0.73 / 0.09.

The training loss per epoch tells why a model learnt little (`likely_causes`). Seed 0, MNIST split, mean loss of
epochs 1 and 2: the answer key MLP 0.845, 0.363, CNN 0.444, 0.099; the allowed designs' CNNs end at 0.317-0.458;
no zero_grad MLP 1.637, 1.194, CNN 2.355, 2.113; learning rate 0.1 MLP 2.032, 1.230, CNN 5.133, 2.307 (first
epoch worse than chance, ln 10 = 2.30); softmax in the MLP 1.850, 1.610 (a softmax before nn.CrossEntropyLoss
keeps the loss above 1.46 = -ln(e / (e + 9))). So a last epoch above 1.0 means the model learnt little.
"""

import numpy as np
import pytest

from autograder.checks.expect import losses_of
from autograder.checks.pictures import confusion_png
from autograder.errors import GraderError

pytestmark = pytest.mark.grade_cell("test_fit")

EPOCHS, LEARNING_RATE, BATCH_SIZE, SEED = 2, 1e-3, 64, 0
THRESHOLDS = {  # held-out accuracy after fit, per data set and model
    "mnist": {"MLP": 0.85, "CNN": 0.85},
    "fashion-mnist": {"MLP": 0.80, "CNN": 0.80},
}

# The check's own training loop: can the model drive the loss on one batch close to zero?
OVERFIT_CODE = """
def _ag_overfit_one_batch(model, x, y, steps, lr):
    optimizer = _ag_torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = _ag_torch.nn.CrossEntropyLoss()
    model.train()
    for _ in range(steps):
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()
    model.eval()
    with _ag_torch.no_grad():
        scores = model(x)
    return float(loss_fn(scores, y)), float((scores.argmax(dim=1) == y).float().mean())
"""


@pytest.mark.points(1)
def test_fit_returns_one_loss_per_epoch(sub, kernel_data):
    """fit(model, loader, epochs, lr, device) returns the mean training loss of each epoch"""
    sub.exec("_ag_model = _ag_linear_model(2)\n_ag_batches = _ag_loader(_ag_train_x[:512], _ag_train_y[:512], 64)\n")
    for epochs in (3, 1):
        call = f"fit(model, loader, {epochs}, 0.001, 'cpu')"
        losses_of(sub.call("fit", sub.ref("_ag_model"), sub.ref("_ag_batches"), epochs, 1e-3, "cpu"), epochs, call)


@pytest.mark.points(1)
@pytest.mark.time_limit(60)
def test_fit_trains_on_the_given_device(sub, lab_data, kernel_data):
    """fit moves the model to the device it is given (a name or a torch.device): CUDA where the grader has it"""
    target = lab_data.device
    sub.exec("_ag_model = _ag_linear_model(3)\n_ag_batches = _ag_loader(_ag_train_x[:256], _ag_train_y[:256], 64)\n")
    sub.call("fit", sub.ref("_ag_model"), sub.ref("_ag_batches"), 1, 1e-3, sub.eval(f"_ag_torch.device({target!r})"))
    places = set(sub.eval("[p.device.type for p in _ag_model.parameters()]"))
    assert places == {target}, (
        f"after fit(model, loader, 1, 0.001, torch.device({target!r})) the model's parameters should be on {target}, they are on {sorted(places)}"
    )


@pytest.mark.points(2)
@pytest.mark.time_limit(60)  # the reference takes about 2 s for both models
def test_models_overfit_one_batch(sub, kernel_data):
    """MLP() and CNN() can each learn one batch of 64 images by heart (loss near zero, every image right)"""
    sub.exec(OVERFIT_CODE + "_ag_x, _ag_y = _ag_images(_ag_train_x[:64]), _ag_train_y[:64].long()\n")
    for name in ("MLP", "CNN"):
        sub.exec(f"_ag_torch.manual_seed(0)\n_ag_model = {name}()\n")
        loss, accuracy = sub.call(
            "_ag_overfit_one_batch", sub.ref("_ag_model"), sub.ref("_ag_x"), sub.ref("_ag_y"), 100, 3e-3
        )
        assert accuracy == 1.0 and loss < 0.1, (
            f"100 Adam steps (lr 0.003) on one batch of 64 images should let {name}() learn it by heart "
            f"(cross-entropy < 0.1, every image right); it reached cross-entropy {loss:.3f}, accuracy {accuracy:.3f}"
            + (" (a loss stuck above 1.4 is the sign of a softmax inside the model)" if loss > 1.4 else "")
        )


def held_out_accuracy(sub, data, name, device):
    sub.exec(
        f"_ag_torch.manual_seed({SEED})\n_ag_model = {name}()\n"
        f"_ag_batches = _ag_loader(_ag_train_x, _ag_train_y, {BATCH_SIZE}, shuffle=True, seed={SEED})\n"
    )
    call = f"fit({name}(), training images, {EPOCHS}, {LEARNING_RATE}, {device!r})"
    losses = losses_of(
        sub.call("fit", sub.ref("_ag_model"), sub.ref("_ag_batches"), EPOCHS, LEARNING_RATE, device), EPOCHS, call
    )
    # the held-out images reach the kernel only now, after training, to be classified (their labels stay here)
    scores = np.asarray(sub.call("_ag_logits", sub.ref("_ag_model"), sub.tensor(data.test_images), device))
    predicted = np.argmax(scores, axis=1)
    return float(np.mean(predicted == data.test_labels)), call, losses, predicted


CHANCE_LOSS = float(np.log(10))  # the cross-entropy of a uniform guess among 10 classes
SOFTMAX_FLOOR = float(-np.log(np.e / (np.e + 9)))  # 1.46: the least a softmax before nn.CrossEntropyLoss allows


def likely_causes(losses: list[float]) -> str:
    """What the training loss per epoch of fit says about why a model learnt little ("" when it looks healthy):
    thresholds from the measurements in this module's docstring."""
    if not np.all(np.isfinite(losses)):
        return (
            "the training loss became NaN or infinite: the updates diverged (a learning rate far too large, or a "
            "loss computed on something other than the model's raw scores)"
        )
    if losses[0] > 1.1 * CHANCE_LOSS:
        return (
            f"the first epoch's mean loss {losses[0]:.2f} is worse than guessing at random (ln 10 = "
            f"{CHANCE_LOSS:.2f}): the updates are far too large; fit should build its optimizer with the lr it is given"
        )
    if losses[-1] > 1.0:
        floor = (
            f"; a loss that stays above {SOFTMAX_FLOOR:.2f} is also what a softmax before nn.CrossEntropyLoss gives"
            if min(losses) >= SOFTMAX_FLOOR
            else ""
        )
        return (
            f"the training loss is still {losses[-1]:.2f} after {len(losses)} epochs (the answer key's models end "
            "under 0.5 on MNIST): the model learnt little; common causes are a missing optimizer.zero_grad() (gradients pile "
            f"up from batch to batch) and a learning rate other than the lr fit is given{floor}"
        )
    return ""


def check_accuracy(sub, lab_data, data, name, picture):
    if lab_data.dataset not in THRESHOLDS:  # a course setting, not the student's fault: stop grading
        raise GraderError(
            f"lab4_mnist has no accuracy thresholds for the data set {lab_data.dataset!r}: measure them "
            "with bench/lab4_accuracy.py and add them to grading_tests/lab4_mnist/test_fit.py"
        )
    accuracy, call, losses, predicted = held_out_accuracy(sub, data, name, lab_data.device)
    threshold = THRESHOLDS[lab_data.dataset][name]
    causes = likely_causes(losses)
    picture(
        f"What your {name} called each held-out image after fit",
        confusion_png(data.test_labels, predicted),
        f"row: the true class, column: your {name}'s answer, darker: a larger share of that row (the diagonal is "
        f"right); accuracy {accuracy:.1%} (at least {threshold:.0%}); training loss per epoch "
        + ", ".join(f"{loss:.3f}" for loss in losses)
        + (f". Note: {causes}" if causes else ""),
    )
    assert accuracy >= threshold, (
        f"after {call} (torch seed {SEED}), {name} should classify at least {threshold:.0%} of the "
        f"{len(data.test_labels):,} held-out images right, it got {accuracy:.1%}" + (f": {causes}" if causes else "")
    )


@pytest.mark.points(2)
@pytest.mark.time_limit(90)  # the reference takes about 2 s
def test_mlp_accuracy_after_fit(sub, lab_data, kernel_data, picture):
    """after fit, the MLP classifies the held-out images well"""
    check_accuracy(sub, lab_data, kernel_data, "MLP", picture)


@pytest.mark.points(2)
@pytest.mark.time_limit(120)  # the reference takes about 5 s
def test_cnn_accuracy_after_fit(sub, lab_data, kernel_data, picture):
    """after fit, the CNN classifies the held-out images well"""
    check_accuracy(sub, lab_data, kernel_data, "CNN", picture)
