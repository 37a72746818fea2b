"""Train the public classifier of the GAN labs' self-check (source/lab5_gan/sample_check.py) and write its weights.

    OMP_NUM_THREADS=1 .venv/bin/python scripts/train_public_classifier.py

Students judge their own GAN's samples with this classifier before they hand in; the grader's reference
classifier (scripts/train_reference_classifier.py) stays on the grader's side. It is deliberately another
network: an MLP (784 -> 128 -> 64 -> 10, ReLU; the 64 are the features of the Fréchet distance), trained with
another seed, so that a generator tuned against it has learnt nothing about the reference. It is trained on the
training part of the offline MNIST split, every image shifted by up to 2 pixels each epoch (as the reference),
and stored as float16 NumPy arrays in source/lab5_gan/sample_check.npz (released beside both GAN notebooks).
Deterministic: fixed seed, one CPU thread. Prints the held-out accuracy.
"""

import os
import sys

import numpy as np
import torch
from torch import nn

KIT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [KIT, os.path.join(KIT, "source", "lab4_mnist"), os.path.dirname(os.path.abspath(__file__))]

import mnist_data  # noqa: E402
from train_reference_classifier import shifted  # noqa: E402

from autograder.checks.sample_quality import to_model_range  # noqa: E402

SEED, EPOCHS, BATCH_SIZE, LEARNING_RATE = 7, 30, 64, 1e-3
OUT = os.path.join(KIT, "source", "lab5_gan", "sample_check.npz")


def train(images, labels) -> nn.Sequential:
    """The MLP trained on images (N, 1, 28, 28) in [-1, 1] with int64 labels (N,), in eval mode."""
    torch.manual_seed(SEED)
    generator = torch.Generator().manual_seed(SEED)
    model = nn.Sequential(
        nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10)
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, weight_decay=1e-5)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, EPOCHS * (len(images) // BATCH_SIZE))
    model.train()
    for _ in range(EPOCHS):
        order = torch.randperm(len(images), generator=generator)
        augmented = shifted(images[order], generator)
        for start in range(0, len(images) - BATCH_SIZE + 1, BATCH_SIZE):
            batch = slice(start, start + BATCH_SIZE)
            loss = nn.functional.cross_entropy(model(augmented[batch]), labels[order[batch]])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
    return model.eval()


def main() -> int:
    torch.set_num_threads(1)
    split = mnist_data.load_arrays(root=os.path.join(KIT, "data"), download=False)
    model = train(to_model_range(split.train_images), torch.from_numpy(split.train_labels))
    layers = [module for module in model if isinstance(module, nn.Linear)]
    weights = {}
    for number, layer in enumerate(layers, start=1):
        weights[f"W{number}"] = layer.weight.detach().numpy().T.astype(np.float16)
        weights[f"b{number}"] = layer.bias.detach().numpy().astype(np.float16)
    np.savez_compressed(OUT, **weights)

    sys.path.insert(0, os.path.dirname(OUT))
    import sample_check

    probabilities, _ = sample_check.classify(split.test_images / 255.0, sample_check.load_classifier(OUT))
    accuracy = float((probabilities.argmax(axis=1) == split.test_labels).mean())
    print(f"{split.description}\nheld-out accuracy of the stored (float16) classifier: {accuracy:.4f}; wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
