"""The course's image data: MNIST digits, or Fashion-MNIST when the course chooses it.

    from mnist_data import load_datasets
    train_set, test_set = load_datasets()        # prints what it loaded, and from where
    image, label = train_set[0]                  # float32 tensor (1, 28, 28) in [0, 1], int in 0..9

    from mnist_data import load_arrays           # the same data as NumPy arrays (the Keras lab)
    split = load_arrays()                        # split.train_images: uint8 (N, 28, 28), split.train_labels

Where MNIST comes from, first found wins:
0. the training part alone, <data>/<dataset>-training/ (train-images-idx3-ubyte, train-labels-idx1-ubyte): what
   the autograder shows a grading kernel, which never sees the held-out part (the autograder keeps it). Its last
   VALIDATION_SHARE is then held out from it, so that a notebook's evaluation still runs;
1. the full data set, 60,000 training and 10,000 test images, in torchvision's layout <data>/MNIST/raw/
   (or downloaded there by torchvision, when download=True and the machine is online);
2. the offline part that ships with the course, <data>/mnist/: the 10,000 official MNIST test images,
   split into 8,000 for training and 2,000 held out, the same split on every machine (OFFLINE_SPLIT_SEED).
Fashion-MNIST (dataset="fashion-mnist") is read from <data>/fashion-mnist/ or from Debian's package
dataset-fashion-mnist (/usr/share/datasets/fashion-mnist/): 60,000 training and 10,000 test images.

<data> is $COURSE_DATA when set, else ./data, else the course kit's data/ folder (../../data from a lab's
folder). The data set is $COURSE_DATASET when set, else "mnist". When the autograder runs a notebook it sets
both, and COURSE_OFFLINE=1 so that nothing is downloaded. Every file is checked before use: its IDX header, its
size and, where the kit knows it, the SHA-256 of its uncompressed content.

This file is part of the lab, not of your answer: the autograder uses its own copy.
"""
import gzip
import hashlib
import os
import shutil

import numpy as np

OFFLINE_SPLIT_SEED = 0
OFFLINE_TRAIN_SIZE = 8000
TRAINING_ONLY = "{dataset}-training"  # the folder of the training part alone, in <data>
VALIDATION_SHARE = 0.2  # of the training part alone, held out from it (source 0 above)

CLASS_NAMES = {
    "mnist": [str(digit) for digit in range(10)],
    "fashion-mnist": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                      "Ankle boot"],
}

# SHA-256 of the uncompressed files (gzip recompression changes the .gz, never the content).
KNOWN_CONTENT = {
    ("mnist", "t10k-images-idx3-ubyte"): "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    ("mnist", "t10k-labels-idx1-ubyte"): "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    ("mnist", "train-labels-idx1-ubyte"): "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    ("fashion-mnist", "t10k-images-idx3-ubyte"): "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    ("fashion-mnist", "t10k-labels-idx1-ubyte"): "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    ("fashion-mnist", "train-images-idx3-ubyte"): "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    ("fashion-mnist", "train-labels-idx1-ubyte"): "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
}
FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
IDX_MAGIC = {"images": 2051, "labels": 2049}
DEBIAN_FASHION = "/usr/share/datasets/fashion-mnist"


class DataError(Exception):
    """The data files are missing or damaged; the message says which file and what is wrong."""


class Split:
    """Training and held-out images as uint8 arrays (N, 28, 28) with int64 labels (N,), and where they came from."""

    def __init__(self, dataset, train_images, train_labels, test_images, test_labels, description):
        self.dataset, self.description = dataset, description
        self.train_images, self.train_labels = train_images, train_labels
        self.test_images, self.test_labels = test_images, test_labels


def data_folders(root=None):
    """The folders searched for data, in order."""
    if root is not None:
        return [root]
    folders = [os.environ.get("COURSE_DATA"), "data", os.path.join("..", "..", "data")]
    return [folder for folder in folders if folder]


def read_idx(path, kind, dataset=None):
    """An IDX file (gzip or not) as a uint8 array: images (N, 28, 28) when kind is "images", labels (N,).

    Raises DataError when the header, the size or the known content hash is wrong.
    """
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            content = handle.read()
    except (OSError, EOFError) as error:
        raise DataError(f"{path} cannot be read: {error}") from None
    name = os.path.basename(path).removesuffix(".gz")
    expected = KNOWN_CONTENT.get((dataset, name))
    if expected is not None and hashlib.sha256(content).hexdigest() != expected:
        raise DataError(f"{path} is not the genuine {dataset} file {name} (its SHA-256 differs): replace it")
    magic = int.from_bytes(content[:4], "big") if len(content) >= 4 else None
    if magic != IDX_MAGIC[kind]:
        raise DataError(f"{path} is not an IDX {kind} file (magic number {magic}, expected {IDX_MAGIC[kind]})")
    dims = 3 if kind == "images" else 1
    shape = tuple(int.from_bytes(content[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims))
    body = content[4 + 4 * dims:]
    if len(body) != int(np.prod(shape)) or (kind == "images" and shape[1:] != (28, 28)):
        raise DataError(f"{path} is truncated or damaged: header says {shape}, body has {len(body)} bytes")
    return np.frombuffer(body, dtype=np.uint8).reshape(shape)


def _find(folder, name):
    for candidate in (os.path.join(folder, name), os.path.join(folder, name + ".gz")):
        if os.path.isfile(candidate):
            return candidate
    return None


def _read_set(folder, dataset, parts):
    """{part: array} for the parts found in `folder`, or None when any is missing."""
    paths = {part: _find(folder, FILES[part]) for part in parts}
    if None in paths.values():
        return None
    arrays = {part: read_idx(path, part.split("_")[1], dataset) for part, path in paths.items()}
    for split in ("train", "test"):
        if split + "_images" in arrays and len(arrays[split + "_images"]) != len(arrays[split + "_labels"]):
            raise DataError(f"{folder}: {split} images and labels differ in number")
    return arrays


def _full(dataset, arrays, folder):
    return Split(
        dataset, arrays["train_images"], arrays["train_labels"].astype(np.int64),
        arrays["test_images"], arrays["test_labels"].astype(np.int64),
        f"{dataset}: the full data set, {len(arrays['train_images']):,} training and {len(arrays['test_images']):,} "
        f"test images, from {os.path.abspath(folder)}",
    )


def offline_split(images, labels, folder):
    """The 10,000 official MNIST test images split 8,000 / 2,000 by a fixed permutation (OFFLINE_SPLIT_SEED)."""
    order = np.random.default_rng(OFFLINE_SPLIT_SEED).permutation(len(images))
    train, held_out = order[:OFFLINE_TRAIN_SIZE], order[OFFLINE_TRAIN_SIZE:]
    labels = labels.astype(np.int64)
    return Split(
        "mnist", images[train], labels[train], images[held_out], labels[held_out],
        f"mnist: the offline part (the 10,000 official MNIST test images) split {len(train):,} for training / "
        f"{len(held_out):,} held out, from {os.path.abspath(folder)}",
    )


def training_only(dataset, folders):
    """The Split of source 0 (the training part alone, its last VALIDATION_SHARE held out), or None."""
    for folder in folders:
        path = os.path.join(folder, TRAINING_ONLY.format(dataset=dataset))
        # no known SHA-256: this is a part of a data set, written by the autograder
        arrays = _read_set(path, None, ["train_images", "train_labels"])
        if arrays is not None:
            images, labels = arrays["train_images"], arrays["train_labels"].astype(np.int64)
            kept = len(images) - int(len(images) * VALIDATION_SHARE)
            return Split(
                dataset, images[:kept], labels[:kept], images[kept:], labels[kept:],
                f"{dataset}: the training part alone ({len(images):,} images; the held-out part is the autograder's), "
                f"{kept:,} for training / {len(images) - kept:,} held out from it, from {os.path.abspath(path)}",
            )
    return None


def _download_mnist(folders):
    """Ask torchvision to download the full MNIST into the first usable folder; the folder, or None."""
    import torchvision

    target = next((folder for folder in folders if os.path.isdir(folder) and os.access(folder, os.W_OK)), "data")
    made_here = not os.path.exists(os.path.join(target, "MNIST"))
    try:
        torchvision.datasets.MNIST(target, train=True, download=True)
        torchvision.datasets.MNIST(target, train=False, download=True)
    except Exception as error:  # noqa: BLE001 - any failure to download means: use the offline part
        if made_here:  # leave no half-downloaded folder behind to be mistaken for the full data set
            shutil.rmtree(os.path.join(target, "MNIST"), ignore_errors=True)
        reason = str(error).strip().splitlines()[-1][:120]
        print(f"(could not download the full MNIST: {reason}; using the offline part)")
        return None
    return target


def load_arrays(dataset=None, root=None, download=True):
    """The data set as a Split of uint8 arrays; raises DataError when it is nowhere to be found."""
    dataset = dataset or os.environ.get("COURSE_DATASET") or "mnist"
    if dataset not in CLASS_NAMES:
        raise DataError(f"unknown data set {dataset!r}: choose one of {sorted(CLASS_NAMES)}")
    folders = data_folders(root)
    everything = list(FILES)
    split = training_only(dataset, folders)
    if split is not None:
        return split
    if dataset == "fashion-mnist":
        candidates = [os.path.join(folder, sub) for folder in folders for sub in ("fashion-mnist", "FashionMNIST/raw")]
        for folder in candidates + [DEBIAN_FASHION]:
            arrays = _read_set(folder, dataset, everything)
            if arrays is not None:
                return _full(dataset, arrays, folder)
        raise DataError("Fashion-MNIST was not found: install the Debian package dataset-fashion-mnist "
                        f"or put its four IDX files in one of {candidates}")
    for folder in folders:
        arrays = _read_set(os.path.join(folder, "MNIST", "raw"), dataset, everything)
        if arrays is not None:
            return _full(dataset, arrays, os.path.join(folder, "MNIST", "raw"))
    if download and os.environ.get("COURSE_OFFLINE") != "1":
        target = _download_mnist(folders)
        if target is not None:
            return _full(dataset, _read_set(os.path.join(target, "MNIST", "raw"), dataset, everything),
                         os.path.join(target, "MNIST", "raw"))
    for folder in folders:
        arrays = _read_set(os.path.join(folder, "mnist"), dataset, ["test_images", "test_labels"])
        if arrays is not None:
            return offline_split(arrays["test_images"], arrays["test_labels"], os.path.join(folder, "mnist"))
    raise DataError(f"MNIST was not found in {[os.path.abspath(folder) for folder in folders]} "
                    "and could not be downloaded: set COURSE_DATA to the course kit's data/ folder")


def load_datasets(dataset=None, root=None, download=True, verbose=True):
    """(train_set, test_set): datasets of (image, label) for torch's DataLoader, image a float32 tensor
    (1, 28, 28) in [0, 1]."""
    split = load_arrays(dataset, root, download)
    if verbose:
        print("Loaded", split.description)
    names = CLASS_NAMES[split.dataset]
    return (ImageDataset(split.train_images, split.train_labels, names, split.description + " (training part)"),
            ImageDataset(split.test_images, split.test_labels, names, split.description + " (held-out part)"))


class ImageDataset:
    """Images held in memory as one float32 tensor (N, 1, 28, 28) in [0, 1], with int64 labels (N,): a map-style
    dataset, which DataLoader, Subset and random_split take like a torch Dataset.

    Converting once, rather than image by image with PIL transforms, makes an epoch 5-10 times faster.
    """

    def __init__(self, images, labels, classes, description=""):
        import torch  # here, not at the top: the Keras lab's TensorFlow kernel reads the arrays and never needs torch
        self.images = torch.from_numpy(np.asarray(images, dtype=np.float32) / 255).unsqueeze(1)
        self.labels = torch.from_numpy(np.asarray(labels, dtype=np.int64))
        self.classes, self.description = list(classes), description

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        return self.images[index], int(self.labels[index])

    def __repr__(self):
        return f"ImageDataset({len(self):,} images: {self.description})"
