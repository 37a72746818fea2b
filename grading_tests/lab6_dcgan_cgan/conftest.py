"""What lab6_dcgan_cgan's checks share: the data, the checks' own code in the kernel, and one budgeted training
run of each GAN.

Each GAN is trained once per kernel by the student's own train_dcgan / train_cgan, for STEPS, and its samples are
made by the checks' own code (the generator called on the checks' noise, and for the conditional one on the
checks' labels, in eval mode, without gradients). The measures are computed here, in the grader, with the kit's
reference classifier (autograder/checks/sample_quality.py), never in the student's kernel.
"""

import numpy as np
import pytest

from autograder.checks import sample_quality
from autograder.checks.expect import losses_of

# Steps of the student's training in the sample checks, the same on a GPU as on a CPU: the thresholds were
# calibrated for them on one CPU thread (test_train_dcgan.py, test_train_cgan.py); a GPU only makes them faster.
DCGAN_STEPS = 1000
CGAN_STEPS = 2000
SAMPLES = 2000  # the Fréchet distance depends on the number of samples: its thresholds hold for 2,000
REDRAWN = 200  # samples drawn again on other noise: a generator's images must depend on its noise

# Installed at each check by the `kernel_code` fixture, among the checks' own _ag_ names, which the kernel keeps
# apart from the notebook's (autograder/kernel/bridge.py); `_ag_store(name, value)` is the bridge's own.
KERNEL_CODE = '''
import torch as _ag_torch
from torch.utils.data import DataLoader as _ag_DataLoader, TensorDataset as _ag_TensorDataset


def _ag_loader(uint8_images, labels, batch_size, seed=0):
    """Shuffled batches of images (B, 1, 28, 28) in [0, 1] with int64 labels, as the lab's data helper gives them."""
    dataset = _ag_TensorDataset(uint8_images.float().div(255).unsqueeze(1), labels.long())
    return _ag_DataLoader(dataset, batch_size=batch_size, shuffle=True, drop_last=True,
                          generator=_ag_torch.Generator().manual_seed(seed))


def _ag_draw(generator, noise, labels, device):
    """Images (n, 1, 28, 28) from the generator on the checks' noise (n, 100), and labels (n,) for a conditional
    one (None for the DCGAN), in eval mode, without gradients."""
    generator.eval()
    with _ag_torch.no_grad():
        noise = noise.to(device)
        images = generator(noise) if labels is None else generator(noise, labels.long().to(device))
    return images.reshape(len(noise), 1, 28, 28).float().cpu()


class _ag_WatchedAdam(_ag_torch.optim.Adam):
    """Adam that notes, at each step, which watched network it moves and whether the others hold a gradient."""

    networks = {}
    events = []

    def step(self, closure=None):
        own = {id(p) for group in self.param_groups for p in group["params"]}
        moved = [name for name, net in self.networks.items() if any(id(p) in own for p in net.parameters())]
        others = {name: any(p.grad is not None and bool(p.grad.abs().sum() > 0) for p in net.parameters())
                  for name, net in self.networks.items() if name not in moved}
        self.events.append((moved, others))
        return super().step(closure)


def _ag_watch_one_step(train, G, D, loader, device):
    """Runs train(G, D, loader, 1, device) with torch.optim.Adam (and a notebook's own name Adam) watched; returns
    [(the networks a step moved, {other network: it held a gradient}), ...] in the order of the steps."""
    _ag_WatchedAdam.networks, _ag_WatchedAdam.events = {"G": G, "D": D}, []
    namespace = getattr(train, "__globals__", {})  # the notebook's names: a student's `from torch.optim import Adam`
    original, own_name = _ag_torch.optim.Adam, namespace.get("Adam")
    _ag_torch.optim.Adam = _ag_WatchedAdam
    if own_name is original:
        namespace["Adam"] = _ag_WatchedAdam
    try:
        train(G, D, loader, 1, device)
    finally:
        _ag_torch.optim.Adam = original
        if own_name is original:
            namespace["Adam"] = original
    return list(_ag_WatchedAdam.events)
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


def trained(sub, lab_data, device, train: str, networks: str, steps: int, asked):
    """(samples (SAMPLES, 1, 28, 28), the devices the generator's parameters were on, REDRAWN samples on other
    noise) after the student's `train` ran `steps` steps from seed 0 on the training images, batches of 64, on
    fresh `networks` ("G class, D class"); asked: the labels (SAMPLES,) the samples are drawn for, or None.
    Made once per kernel (Submission.once), a failure included; the noise is the submission's own
    (lab_data.rng), sent as data."""

    def run():
        sub.exec(
            f"_ag_torch.manual_seed(0)\n_ag_G, _ag_D = {networks}\n"
            "_ag_batches = _ag_loader(_ag_train_x, _ag_train_y, 64, seed=0)\n"
        )
        sub.call(train, sub.ref("_ag_G"), sub.ref("_ag_D"), sub.ref("_ag_batches"), steps, device, seed=0)
        places = sorted(set(sub.eval("[p.device.type for p in _ag_G.parameters()]")))
        noise = lab_data.rng(1234).standard_normal((SAMPLES + REDRAWN, 100), dtype=np.float32)
        labels = [None, None] if asked is None else [sub.tensor(asked), sub.tensor(asked[:REDRAWN])]
        draw = [
            np.asarray(sub.call("_ag_draw", sub.ref("_ag_G"), sub.tensor(part), label, device))
            for part, label in zip((noise[:SAMPLES], noise[SAMPLES:]), labels)
        ]
        return draw[0], places, draw[1]

    return sub.once(train, run)


ASKED = np.arange(SAMPLES) % 10  # the digits the conditional samples are asked for: 200 of each


@pytest.fixture
def asked():
    """int (SAMPLES,): the digits the conditional GAN's samples were asked for, 200 of each."""
    return ASKED


@pytest.fixture
def dcgan_samples(sub, lab_data, kernel_data, device):
    """The DCGAN's samples after DCGAN_STEPS of the student's train_dcgan (see `trained`)."""
    return trained(sub, lab_data, device, "train_dcgan", "DCGenerator(), DCDiscriminator()", DCGAN_STEPS, None)


@pytest.fixture
def cgan_samples(sub, lab_data, kernel_data, device):
    """The conditional GAN's samples, asked for ASKED, after CGAN_STEPS of the student's train_cgan."""
    return trained(sub, lab_data, device, "train_cgan", "CondGenerator(), CondDiscriminator()", CGAN_STEPS, ASKED)


@pytest.fixture
def seen_images(lab_data):
    """uint8 (M, 28, 28): every image of the lab's data, the training images the checks sent and the held-out
    ones: a generator's samples must not be copies of any."""
    data = lab_data.mnist()
    return np.concatenate([data.train_images, data.test_images])


@pytest.fixture
def quality(lab_data):
    """(reference classifier, features of the held-out real digits, their labels), loaded once per grader process."""
    classifier, real_features = sample_quality.reference_for(lab_data)
    return classifier, real_features, lab_data.mnist().test_labels


@pytest.fixture
def returns_a_loss_per_step(sub, kernel_data):
    """check(train, networks): asserts that train(G, D, a loader of 4 batches, 6 steps, "cpu") on fresh `networks`
    ("G class, D class") returns {"d_losses": [...], "g_losses": [...]} with 6 finite floats each."""

    def check(train: str, networks: str) -> None:
        sub.exec(
            f"_ag_torch.manual_seed(0)\n_ag_G, _ag_D = {networks}\n"
            "_ag_batches = _ag_loader(_ag_train_x[:256], _ag_train_y[:256], 64, seed=0)\n"
        )
        call = f"{train}(G, D, a loader of 4 batches, 6, 'cpu')"
        history = sub.call(train, sub.ref("_ag_G"), sub.ref("_ag_D"), sub.ref("_ag_batches"), 6, "cpu")
        assert isinstance(history, dict) and {"d_losses", "g_losses"} <= set(history), (
            f"{call} should return a dict with the lists 'd_losses' and 'g_losses', got {history!r:.120}"
        )
        for key in ("d_losses", "g_losses"):
            losses_of(history[key], 6, f"{call}[{key!r}] (6 steps, more than the loader's 4 batches: start it again)")

    return check


@pytest.fixture
def one_step_is_d_then_g_on_detached_fakes(sub, kernel_data):
    """check(train, networks): asserts that one call train(G, D, 4 batches of 16, 1 step, "cpu") on fresh
    `networks` ("G class, D class") steps D's Adam while G holds no gradient (the fakes detached), then G's."""

    def check(train: str, networks: str) -> None:
        sub.exec(
            f"_ag_torch.manual_seed(0)\n_ag_G, _ag_D = {networks}\n"
            "_ag_batches = _ag_loader(_ag_train_x[:64], _ag_train_y[:64], 16, seed=0)\n"
        )
        events = sub.call(
            "_ag_watch_one_step", sub.ref(train), sub.ref("_ag_G"), sub.ref("_ag_D"), sub.ref("_ag_batches"), "cpu"
        )
        assert events, (
            f"{train} took no step of torch.optim.Adam: create the two optimizers with torch.optim.Adam(...) as the "
            "lab says, and step them"
        )
        moved = [tuple(names) for names, _ in events]
        assert moved == [("D",), ("G",)], (
            f"one step of {train} should step the discriminator's optimizer, then the generator's, once each; the "
            f"optimizer steps moved {[' and '.join(names) or 'neither network' for names in moved]}"
        )
        assert not events[0][1]["G"], (
            f"{train}: at the discriminator's step the generator's parameters held a gradient: detach the fakes in "
            "the discriminator's loss (fakes.detach()), so that no gradient reaches G there"
        )

    return check


def sample_originality(samples, redrawn, seen_images, thresholds) -> dict:
    """sample_quality.originality of samples and redrawn samples, clipped to [-1, 1]."""
    return sample_quality.originality(
        np.clip(samples, -1, 1), np.clip(redrawn, -1, 1), seen_images, thresholds["copy_distance"]
    )


@pytest.fixture
def originality():
    """originality(samples, redrawn, seen_images, thresholds): the copies and noise-ignoring shares of samples."""
    return sample_originality
