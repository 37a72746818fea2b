"""The lab's data helper (source/lab4_mnist/mnist_data.py): what it loads, from where, and what it refuses."""

import gzip
import importlib.util
import os
import pathlib
import shutil

import numpy as np
import pytest
import torch

KIT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OFFLINE = os.path.join(KIT, "data", "mnist")
MNIST_TEST_LABEL_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.fixture(scope="module")
def mnist_data():
    spec = importlib.util.spec_from_file_location(
        "mnist_data", os.path.join(KIT, "source", "lab4_mnist", "mnist_data.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_offline_part_is_the_official_test_set_split_8000_2000(mnist_data):
    split = mnist_data.load_arrays("mnist", root=os.path.join(KIT, "data"), download=False)
    assert split.train_images.shape == (8000, 28, 28) and split.test_images.shape == (2000, 28, 28), (
        f"the offline part should give 8,000 training and 2,000 held-out images, got {split.train_images.shape} and {split.test_images.shape}"
    )
    counts = np.bincount(np.concatenate([split.train_labels, split.test_labels]), minlength=10)
    assert counts.tolist() == MNIST_TEST_LABEL_COUNTS, (
        f"the two parts together should be the official test set, got label counts {counts}"
    )
    assert "offline" in split.description and "8,000" in split.description, (
        f"the description should say what was loaded: {split.description!r}"
    )


def test_offline_split_is_the_same_every_time(mnist_data):
    first = mnist_data.load_arrays("mnist", root=os.path.join(KIT, "data"), download=False)
    again = mnist_data.load_arrays("mnist", root=os.path.join(KIT, "data"), download=False)
    assert np.array_equal(first.test_images, again.test_images) and np.array_equal(
        first.train_labels, again.train_labels
    ), "two loads should give the same split"


def test_datasets_give_float_images_in_unit_range_and_int_labels(mnist_data, capsys):
    train, held_out = mnist_data.load_datasets("mnist", root=os.path.join(KIT, "data"), download=False)
    image, label = train[0]
    assert image.shape == (1, 28, 28) and image.dtype == torch.float32, (
        f"an image should be float32 (1, 28, 28), got {image.dtype} {tuple(image.shape)}"
    )
    assert 0.0 <= float(train.images.min()) and float(train.images.max()) <= 1.0, "pixel values should be in [0, 1]"
    assert isinstance(label, int) and 0 <= label <= 9, f"a label should be an int in 0..9, got {label!r}"
    assert (len(train), len(held_out)) == (8000, 2000), (
        f"expected 8,000 and 2,000 items, got {len(train)} and {len(held_out)}"
    )
    assert "Loaded mnist: the offline part" in capsys.readouterr().out, "load_datasets should print what it loaded"


def test_a_damaged_file_is_refused_with_its_name(mnist_data, tmp_path):
    folder = tmp_path / "mnist"
    shutil.copytree(OFFLINE, folder)
    images = folder / "t10k-images-idx3-ubyte.gz"
    content = bytearray(gzip.decompress(images.read_bytes()))
    content[5000] ^= 0xFF  # one pixel changed: only the content hash can tell
    images.write_bytes(gzip.compress(bytes(content)))
    with pytest.raises(mnist_data.DataError, match="t10k-images-idx3-ubyte.gz is not the genuine mnist file"):
        mnist_data.load_arrays("mnist", root=str(tmp_path), download=False)
    images.write_bytes(gzip.compress(bytes(content[:100000])))
    with pytest.raises(mnist_data.DataError, match="t10k-images"):
        mnist_data.load_arrays("mnist", root=str(tmp_path), download=False)
    images.write_bytes(b"not gzip at all")
    with pytest.raises(mnist_data.DataError, match="cannot be read"):
        mnist_data.load_arrays("mnist", root=str(tmp_path), download=False)


def test_missing_data_says_where_it_looked(mnist_data, tmp_path):
    with pytest.raises(mnist_data.DataError, match="MNIST was not found in"):
        mnist_data.load_arrays("mnist", root=str(tmp_path), download=False)


def test_full_mnist_in_torchvision_layout_is_preferred(mnist_data, tmp_path):
    """Where <data>/MNIST/raw/ holds the four uncompressed files, the full 60,000 + 10,000 are used, no split."""
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", "train-labels-idx1-ubyte"):
        (raw / name).write_bytes(gzip.decompress(pathlib.Path(OFFLINE, name + ".gz").read_bytes()))
    # the 60,000 training images are not on this machine: random pixels stand in (their content is not hashed)
    header = (2051).to_bytes(4, "big") + (60000).to_bytes(4, "big") + (28).to_bytes(4, "big") + (28).to_bytes(4, "big")
    (raw / "train-images-idx3-ubyte").write_bytes(
        header + np.random.default_rng(0).integers(0, 256, 60000 * 784, dtype=np.uint8).tobytes()
    )
    (tmp_path / "mnist").symlink_to(OFFLINE)
    split = mnist_data.load_arrays("mnist", root=str(tmp_path), download=False)
    assert (len(split.train_labels), len(split.test_labels)) == (60000, 10000), (
        "the full data set should be used as it is"
    )
    assert "full data set" in split.description, f"the description should say so: {split.description!r}"


def test_fashion_mnist_is_a_drop_in(mnist_data):
    split = mnist_data.load_arrays("fashion-mnist", root=os.path.join(KIT, "data"), download=False)
    assert (split.train_images.shape, split.test_images.shape) == ((60000, 28, 28), (10000, 28, 28)), (
        "Fashion-MNIST has 60,000 + 10,000 images"
    )
    assert np.bincount(split.test_labels).tolist() == [1000] * 10, (
        "Fashion-MNIST's test set has 1,000 images of each class"
    )
    assert mnist_data.CLASS_NAMES["fashion-mnist"][9] == "Ankle boot", "class 9 of Fashion-MNIST is the ankle boot"


def test_unknown_data_set_is_refused(mnist_data):
    with pytest.raises(mnist_data.DataError, match="unknown data set 'cifar'"):
        mnist_data.load_arrays("cifar", download=False)


def test_a_failed_download_falls_back_to_the_offline_part_and_leaves_nothing(mnist_data, tmp_path, monkeypatch, capsys):
    import torchvision

    def offline(*args, **kwargs):
        os.makedirs(os.path.join(args[0], "MNIST", "raw"), exist_ok=True)  # as torchvision does before it fails
        raise RuntimeError("Error downloading train-images-idx3-ubyte.gz: <urlopen error [Errno -3]>")

    monkeypatch.setattr(torchvision.datasets, "MNIST", offline)
    monkeypatch.delenv("COURSE_OFFLINE", raising=False)
    (tmp_path / "mnist").symlink_to(OFFLINE)
    split = mnist_data.load_arrays("mnist", root=str(tmp_path), download=True)
    assert len(split.train_labels) == 8000, "without the full data set, the offline part should be used"
    assert not (tmp_path / "MNIST").exists(), "a failed download should leave no MNIST/ folder behind"
    assert "could not download the full MNIST" in capsys.readouterr().out, "the fallback should be reported"
