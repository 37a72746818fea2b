"""What lab5_gan's checks share: the data, the checks' own code in the kernel, and one budgeted training run.

The GAN is trained once per kernel by the student's own train_gan, for a number of steps that depends on the
device (STEPS), and its samples are made by the checks' own code (the generator called on the checks' noise,
in eval mode, without gradients). The samples are kept here, in the grader, keyed by the kernel, for the
three checks that judge them; the measures are computed here with the kit's reference classifier
(autograder/checks/sample_quality.py), never in the student's kernel.
"""

import numpy as np
import pytest

from autograder.checks import sample_quality

# Steps of the student's train_gan in the quality checks: on a GPU the reference reaches the thresholds in
# a fraction of the GPU budget; on a CPU the budget is what a 2-core grader affords (see test_samples.py).
STEPS = {"cuda": 5000, "cpu": 3000}
SAMPLES = 2000  # the Fréchet distance depends on the number of samples: its threshold holds for 2,000
REDRAWN = 200  # samples drawn again on other noise: a generator's images must depend on its noise

# Installed at each check by the `kernel_code` fixture, among the checks' own _ag_ names, which the kernel keeps
# apart from the notebook's (autograder/kernel/bridge.py); `_ag_store(name, value)` is the bridge's own.
KERNEL_CODE = '''
import torch as _ag_torch
from torch.utils.data import DataLoader as _ag_DataLoader, TensorDataset as _ag_TensorDataset


def _ag_loader(uint8_images, labels, batch_size, seed=0):
    """Shuffled batches of images (B, 1, 28, 28) in [0, 1] with labels, as the lab's data helper gives them."""
    dataset = _ag_TensorDataset(uint8_images.float().div(255).unsqueeze(1), labels.long())
    return _ag_DataLoader(dataset, batch_size=batch_size, shuffle=True, drop_last=True,
                          generator=_ag_torch.Generator().manual_seed(seed))


def _ag_generate(generator, noise, device):
    """Images (n, 1, 28, 28) from the generator on the checks' noise (n, 100), in eval mode, without gradients."""
    generator.eval()
    with _ag_torch.no_grad():
        images = generator(noise.to(device))
    return images.reshape(len(noise), 1, 28, 28).float().cpu()


class _ag_RecordingSGD(_ag_torch.optim.SGD):
    """SGD that notes, when it steps, which player it moves and the state of the other player's parameters."""

    def __init__(self, player, other, name, events, lr=0.01):
        super().__init__(player.parameters(), lr=lr)
        self.player, self.other, self.name, self.events = player, other, name, events

    def step(self, closure=None):
        other_has_gradient = any(p.grad is not None and bool(p.grad.abs().sum() > 0) for p in self.other.parameters())
        other_before = [p.detach().clone() for p in self.other.parameters()]
        result = super().step(closure)
        self.events.append({"player": self.name, "other_has_gradient": other_has_gradient, "other_before": other_before,
                            "own_after": [p.detach().clone() for p in self.player.parameters()]})
        return result


def _ag_same(parameters_a, parameters_b):
    return all(_ag_torch.equal(a, b) for a, b in zip(parameters_a, parameters_b))
'''


@pytest.fixture
def kernel_code(sub):
    """Defines the checks' own helpers in the kernel (the _ag_ names of KERNEL_CODE)."""
    sub.exec(KERNEL_CODE)


@pytest.fixture
def kernel_data(sub, lab_data, kernel_code):
    """Sends the training images and labels to the kernel as _ag_train_x and _ag_train_y."""
    data = lab_data.mnist()
    sub.call("_ag_store", "_ag_train_x", sub.tensor(data.train_images))
    sub.call("_ag_store", "_ag_train_y", sub.tensor(data.train_labels))
    return data


@pytest.fixture
def device(lab_data) -> str:
    """The device the checks train on (lab_data.LabData.device)."""
    return lab_data.device


@pytest.fixture
def trained_samples(sub, lab_data, kernel_data, device):
    """(samples (SAMPLES, 1, 28, 28) in the generator's range, the devices its parameters were on, REDRAWN more
    samples on other noise) after the student's train_gan ran STEPS[device] steps from seed 0 on the training
    images, batches of 64; made once per kernel (Submission.once), a failure included. Training keeps seed 0,
    which the thresholds were measured with; the noise is the submission's own (lab_data.rng), sent as data."""

    def train():
        sub.exec(
            "_ag_torch.manual_seed(0)\n_ag_G, _ag_D = Generator(), Discriminator()\n"
            "_ag_batches = _ag_loader(_ag_train_x, _ag_train_y, 64, seed=0)\n"
        )
        sub.call("train_gan", sub.ref("_ag_G"), sub.ref("_ag_D"), sub.ref("_ag_batches"), STEPS[device], device, seed=0)
        places = sorted(set(sub.eval("[p.device.type for p in _ag_G.parameters()]")))
        noise = lab_data.rng(1234).standard_normal((SAMPLES + REDRAWN, 100), dtype=np.float32)
        samples = np.asarray(sub.call("_ag_generate", sub.ref("_ag_G"), sub.tensor(noise[:SAMPLES]), device))
        return (
            samples,
            places,
            np.asarray(sub.call("_ag_generate", sub.ref("_ag_G"), sub.tensor(noise[SAMPLES:]), device)),
        )

    return sub.once("trained_samples", train)


@pytest.fixture
def seen_images(lab_data):
    """uint8 (M, 28, 28): every image of the lab's data, the training images the checks sent and the held-out
    ones: a generator's samples must not be copies of any."""
    data = lab_data.mnist()
    return np.concatenate([data.train_images, data.test_images])


@pytest.fixture
def quality(lab_data):
    """(reference classifier, features of the held-out real digits), loaded once per grader process."""
    return sample_quality.reference_for(lab_data)
