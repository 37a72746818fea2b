"""Example submissions of lab4_mnist: the answer key, the untouched stub and typical bugs.

`loses` lists every check the submission must fail (by test function name) with its reason; it keeps all
the others. The edits are made on the answer key's cells mlp, cnn, train_one_epoch, evaluate and fit.
Whether a bug also costs the accuracy checks was measured, not guessed: bench/lab4_accuracy.py --variant NAME
gives the held-out accuracy of the bug's fit over 20 seeds (the checks use seed 0; see docs/labs.md).
"""

from autograder.demo.examples import Variant

ALL_CHECKS = {
    "test_mlp_output_shape_for_images",
    "test_mlp_accepts_flat_input",
    "test_mlp_outputs_logits",
    "test_cnn_output_shape",
    "test_cnn_has_two_conv_layers",
    "test_cnn_outputs_logits",
    "test_train_one_epoch_matches_sgd",
    "test_train_one_epoch_sets_training_mode",
    "test_loss_falls_within_one_epoch",
    "test_evaluate_matches_trusted_accuracy",
    "test_evaluate_uses_eval_mode_without_gradients",
    "test_fit_returns_one_loss_per_epoch",
    "test_fit_trains_on_the_given_device",
    "test_models_overfit_one_batch",
    "test_mlp_accuracy_after_fit",
    "test_cnn_accuracy_after_fit",
}

VARIANTS = [
    Variant("alice", "the answer key, as a student would hand it in"),
    Variant(
        "bruno",
        "the MLP ends with a softmax, so nn.CrossEntropyLoss gets probabilities instead of logits",
        edits={"mlp": [("        return self.net(x)", "        return torch.softmax(self.net(x), dim=1)")]},
        # it still learns to 0.904 at seed 0 (the answer key: 0.912), so it keeps the accuracy check
        loses={"test_mlp_outputs_logits": "wrong answer", "test_models_overfit_one_batch": "wrong answer"},
    ),
    Variant(
        "carla",
        "train_one_epoch never calls optimizer.zero_grad(): gradients pile up from batch to batch",
        edits={"train_one_epoch": [("        optimizer.zero_grad()\n", "")]},
        # the piled-up gradients wreck training: held-out accuracy at seed 0 is 0.78 (MLP) and 0.39 (CNN)
        loses={
            "test_train_one_epoch_matches_sgd": "wrong answer",
            "test_mlp_accuracy_after_fit": "wrong answer",
            "test_cnn_accuracy_after_fit": "wrong answer",
        },
    ),
    Variant(
        "dmitri",
        "evaluate forgets model.eval(): the MLP's dropout stays on while it is scored",
        edits={"evaluate": [("    model.eval()\n", "")]},
        loses={"test_evaluate_uses_eval_mode_without_gradients": "wrong answer"},
    ),
    Variant(
        "elena",
        "the CNN squeezes its output: a batch of one image gives shape (10,), not (1, 10)",
        edits={
            "cnn": [
                (
                    "        return self.classifier(self.features(x))",
                    "        return self.classifier(self.features(x)).squeeze()",
                )
            ]
        },
        loses={"test_cnn_output_shape": "wrong answer"},
    ),
    Variant(
        "farid",
        'the "CNN" has no convolutions: a second MLP',
        cells={
            "cnn": '''class CNN(nn.Module):
    """A small classifier for images (B, 1, 28, 28) -> logits (B, 10)."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 128), nn.ReLU())
        self.classifier = nn.Linear(128, 10)

    def forward(self, x):
        return self.classifier(self.features(x))
'''
        },
        # an MLP reaches 0.908 at seed 0, over the CNN's bar (0.85): it loses the structure check only
        loses={"test_cnn_has_two_conv_layers": "wrong answer"},
    ),
    Variant(
        "gina",
        "fit uses a learning rate of 0.1 whatever lr it is given (100 times the lab's 1e-3)",
        edits={
            "fit": [("torch.optim.Adam(model.parameters(), lr=lr)", "torch.optim.Adam(model.parameters(), lr=0.1)")]
        },
        # seed 0: 0.73 (MLP), 0.09 (CNN)
        loses={"test_mlp_accuracy_after_fit": "wrong answer", "test_cnn_accuracy_after_fit": "wrong answer"},
    ),
    Variant(
        "hugo",
        "evaluate divides the number right by the number of batches, not of images",
        edits={"evaluate": [("    return correct / seen", "    return correct / len(loader)")]},
        loses={"test_evaluate_matches_trusted_accuracy": "wrong answer"},
    ),
    Variant(
        "ines",
        "train_one_epoch returns the last batch's loss instead of the epoch's mean",
        edits={"train_one_epoch": [("    return total / batches", "    return loss.item()")]},
        loses={"test_train_one_epoch_matches_sgd": "wrong answer"},
    ),
    Variant(
        "jonas",
        "train_one_epoch makes its own Adam optimizer and ignores the one it is given",
        edits={
            "train_one_epoch": [
                (
                    "    model.train()\n",
                    "    model.train()\n    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)\n",
                )
            ]
        },
        loses={"test_train_one_epoch_matches_sgd": "wrong answer"},
    ),
    Variant(
        "kemal",
        "train_one_epoch leaves the model in whatever mode evaluate left it (no model.train())",
        edits={"train_one_epoch": [("    model.train()\n", "")]},
        loses={"test_train_one_epoch_sets_training_mode": "wrong answer"},
    ),
    Variant(
        "lena",
        "a design of her own, allowed by the lab: a small CNN with 4 and 8 channels and no hidden layer",
        # held-out accuracy over seeds 0..9: 0.877 / 0.893 / 0.910 (seed 0: 0.886); the bar is 0.85
        cells={
            "cnn": '''class CNN(nn.Module):
    """A small CNN: 4 then 8 filters of 3 x 3, each followed by ReLU and 2 x 2 max pooling, then 10 logits."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(4, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(8 * 7 * 7, 10))

    def forward(self, x):
        return self.classifier(self.features(x))
'''
        },
    ),
    Variant(
        "marco",
        "a design of his own, allowed by the lab: LeNet-style, 8 and 8 filters of 5 x 5 and a hidden layer of 32",
        # held-out accuracy over seeds 0..9: 0.879 / 0.909 / 0.918 (seed 0: 0.896); the bar is 0.85
        cells={
            "cnn": '''class CNN(nn.Module):
    """LeNet-style: two 5 x 5 convolutions of 8 filters with ReLU and max pooling, a hidden layer, 10 logits."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),  # (B, 8, 14, 14)
            nn.Conv2d(8, 8, 5), nn.ReLU(), nn.MaxPool2d(2),  # (B, 8, 5, 5)
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(8 * 5 * 5, 32), nn.ReLU(), nn.Linear(32, 10))

    def forward(self, x):
        return self.classifier(self.features(x))
'''
        },
    ),
    Variant(
        "zoe",
        "the released stub, handed in untouched",
        base="release",
        loses={name: "not attempted" for name in ALL_CHECKS},
    ),
]
