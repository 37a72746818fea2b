"""What lab4's checks share: the data, sent to the kernel by the grader, and the code that makes loaders there.

The images go to the kernel as uint8 tensors. Accuracies are scored here, from the logits the checks' own code
computes in the kernel, against labels the grader read itself. Training runs use the lab's training split with a seeded shuffle, so that one
submission trains identically every time it is graded.
"""

import pytest

# Installed at each check by the `kernel_code` fixture, among the checks' own _ag_ names, which the kernel keeps
# apart from the notebook's (autograder/kernel/bridge.py); `_ag_store(name, value)` is the bridge's own.
KERNEL_CODE = '''
import torch as _ag_torch
from torch.utils.data import DataLoader as _ag_DataLoader, TensorDataset as _ag_TensorDataset


def _ag_images(uint8_images):
    return uint8_images.float().div(255).unsqueeze(1)


def _ag_loader(uint8_images, labels, batch_size, shuffle=False, seed=0):
    dataset = _ag_TensorDataset(_ag_images(uint8_images), labels.long())
    return _ag_DataLoader(dataset, batch_size=batch_size, shuffle=shuffle,
                          generator=_ag_torch.Generator().manual_seed(seed))


def _ag_logits(model, uint8_images, device, batch_size=500):
    """The model's logits in eval mode without gradients, computed here rather than by the student's code."""
    model.eval()
    with _ag_torch.no_grad():
        parts = [model(_ag_images(uint8_images[i:i + batch_size]).to(device)).float().cpu()
                 for i in range(0, len(uint8_images), batch_size)]
    return _ag_torch.cat(parts)


class _ag_ModeRecorder(_ag_torch.nn.Module):
    """A linear classifier that records, at each forward pass, (training mode, gradients enabled)."""

    def __init__(self):
        super().__init__()
        self.linear = _ag_torch.nn.Linear(784, 10)
        self.modes = []

    def forward(self, x):
        self.modes.append((self.training, _ag_torch.is_grad_enabled()))
        return self.linear(x.flatten(1))


class _ag_RecordingLoss:
    """nn.CrossEntropyLoss that keeps the value of every batch's loss."""

    def __init__(self):
        self.inner, self.losses = _ag_torch.nn.CrossEntropyLoss(), []

    def __call__(self, logits, labels):
        loss = self.inner(logits, labels)
        self.losses.append(loss.detach().item())
        return loss


def _ag_linear_model(seed):
    """Flatten then Linear(784, 10): a model of the check's own, to judge training code alone."""
    _ag_torch.manual_seed(seed)
    return _ag_torch.nn.Sequential(_ag_torch.nn.Flatten(), _ag_torch.nn.Linear(784, 10))
'''


@pytest.fixture
def mnist(lab_data):
    """The lab's data (mnist_data.Split), read by the grader."""
    return lab_data.mnist()


@pytest.fixture
def kernel_code(sub):
    """Defines the checks' own helpers in the kernel (the _ag_ names of KERNEL_CODE)."""
    sub.exec(KERNEL_CODE)


@pytest.fixture
def kernel_data(sub, mnist, kernel_code):
    """Sends the training split (images and labels) to the kernel as _ag_train_x and _ag_train_y. The held-out
    images go only to score a trained model (test_fit), and their labels never."""
    sub.call("_ag_store", "_ag_train_x", sub.tensor(mnist.train_images))
    sub.call("_ag_store", "_ag_train_y", sub.tensor(mnist.train_labels))
    return mnist
