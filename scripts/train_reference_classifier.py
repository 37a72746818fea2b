"""Train the reference MNIST classifier that judges GAN samples, and write it with its README.

    OMP_NUM_THREADS=1 .venv/bin/python scripts/train_reference_classifier.py

Trains autograder.checks.sample_quality.ReferenceClassifier on the training part of whatever MNIST the data helper finds
(the full 60,000 images where present, else the offline 8,000), reports accuracy on the held-out part, and writes
data/reference_classifier/classifier.pt and README.md. Deterministic: fixed seed, one CPU thread.
"""

import argparse
import datetime
import hashlib
import os
import sys
import time

import torch
from torch import nn

KIT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [KIT, os.path.join(KIT, "source", "lab4_mnist")]

import mnist_data  # noqa: E402

from autograder.checks.sample_quality import REFERENCE_WEIGHTS, ReferenceClassifier, predict, to_model_range  # noqa: E402

SEED = 0
EPOCHS = 20
BATCH_SIZE = 64
LEARNING_RATE = 1e-3
MAX_SHIFT = 2  # pixels: GAN digits are less well centred than MNIST's, so the classifier should not mind


def shifted(images, generator):
    """Each image (N, 1, 28, 28) moved by its own random offset of up to MAX_SHIFT pixels, background filled in."""
    n, size = len(images), images.shape[-1]
    padded = nn.functional.pad(images, [MAX_SHIFT] * 4, value=-1.0)
    dy, dx = torch.randint(0, 2 * MAX_SHIFT + 1, (2, n, 1), generator=generator)
    rows = (dy + torch.arange(size))[:, :, None]
    cols = (dx + torch.arange(size))[:, None, :]
    return padded[torch.arange(n)[:, None, None], 0, rows, cols].unsqueeze(1)


def train(images, labels):
    """A ReferenceClassifier trained on images (N, 1, 28, 28) in [-1, 1] with int64 labels (N,)."""
    torch.manual_seed(SEED)
    generator = torch.Generator().manual_seed(SEED)
    model = ReferenceClassifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    steps = EPOCHS * (len(images) // BATCH_SIZE)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps)
    model.train()
    for epoch in range(EPOCHS):
        order = torch.randperm(len(images), generator=generator)
        augmented = shifted(images[order], generator)
        for start in range(0, len(images) - BATCH_SIZE + 1, BATCH_SIZE):
            loss = nn.functional.cross_entropy(
                model(augmented[start : start + BATCH_SIZE]), labels[order[start : start + BATCH_SIZE]]
            )
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
        print(f"epoch {epoch + 1}/{EPOCHS}: last batch loss {loss.item():.4f}", flush=True)
    return model.eval()


def write_readme(folder, split, accuracy, seconds, weights_path):
    with open(weights_path, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()
    parameters = sum(p.numel() for p in ReferenceClassifier().parameters())
    text = f"""# Reference MNIST classifier

Judges GAN samples on the grader's side (autograder/checks/sample_quality.py; never in a student's kernel).

- Architecture (`autograder.checks.sample_quality.ReferenceClassifier`, {parameters:,} parameters): input (N, 1, 28, 28)
  in [-1, 1] (uint8 / 127.5 - 1, a Tanh generator's range); Conv 1->16 3x3 pad 1, ReLU, MaxPool 2;
  Conv 16->32 3x3 pad 1, ReLU, MaxPool 2; Linear 1568->128, ReLU (the feature layer for the Fréchet distance);
  Linear 128->10 (logits).
- Training: `OMP_NUM_THREADS=1 .venv/bin/python scripts/train_reference_classifier.py`; {EPOCHS} epochs,
  Adam lr {LEARNING_RATE} with cosine decay to 0, batch {BATCH_SIZE}, cross-entropy, every image shifted by a random
  offset of up to {MAX_SHIFT} pixels each epoch, seed {SEED}, one CPU thread: {seconds:.0f} s on the machine that
  made this file.
- Data: {split.description.replace(KIT + os.sep, "")}; trained on the {len(split.train_images):,} training images.
- Held-out accuracy: **{accuracy:.4f}** on the {len(split.test_images):,} held-out images.
- Weights: `classifier.pt`, a float32 state_dict, sha256 `{digest}`.
- Made: {datetime.date.today().isoformat()}, torch {torch.__version__}.

CALIBRATION.md gives the sample-quality measures of real data, broken generators and a reference GAN.
"""
    with open(os.path.join(folder, "README.md"), "w") as handle:
        handle.write(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=REFERENCE_WEIGHTS, help="where to write the weights (README.md beside)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    split = mnist_data.load_arrays(root=os.environ.get("COURSE_DATA", os.path.join(KIT, "data")), download=False)
    print("Training on", split.description, flush=True)
    started = time.perf_counter()
    model = train(to_model_range(split.train_images), torch.from_numpy(split.train_labels))
    seconds = time.perf_counter() - started
    probabilities, _ = predict(to_model_range(split.test_images), model)
    accuracy = float((probabilities.argmax(axis=1) == split.test_labels).mean())
    print(f"held-out accuracy {accuracy:.4f} after {seconds:.0f} s of training")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    torch.save(model.state_dict(), args.out)
    write_readme(os.path.dirname(args.out), split, accuracy, seconds, args.out)
    print("wrote", args.out)


if __name__ == "__main__":
    main()
