#!/usr/bin/python3
"""Trains a binarized CNN (XNOR-Net style) on the Digits sample's data and its float twin, and exports both to ONNX.

Why: the compression work needs a real binarized network, trained with binarization in the loop (a float network
binarized after training loses most of its accuracy), to measure accuracy, weight bytes and speed against the same
architecture in float. Same data and split as tools/train_digits.py (scikit-learn's load_digits(), seeded 80/20).

The network (both variants):
  Conv 1->C1 3x3 pad 1 (float, as XNOR-Net keeps the first layer) + BN
  Sign -> Conv C1->C2 3x3 pad 1 (binary weights) + BN        (binary input x binary weights: XNOR + popcount)
  MaxPool 2
  Sign -> Conv C2->C2 3x3 pad 1 (binary weights) + BN
  GlobalAveragePool -> Flatten -> Gemm C2->10 (float, as XNOR-Net keeps the last layer)
In the binary variant, training binarizes activations with sign() and a straight-through estimator (gradient passed
where |x| <= 1) and weights as alpha * sign(W) with alpha = mean|W| per output channel (XNOR-Net). The exported file
is ordinary ONNX: Sign nodes, and Conv weights whose values per output channel are exactly +alpha or -alpha, so
ONNX Runtime runs it as it is and ModelGen recognises the binary structure. The float variant has the same layers
with Relu in place of Sign and float weights.

Outputs:
  samples/Digits/models/digits_bnn.onnx     binarized network
  samples/Digits/models/digits_bnn_float.onnx   the same architecture trained in float
  samples/Digits/models/expected.json       held-out accuracies PyTorch measured for both

Run: /usr/bin/python3 tools/train_bnn.py   (needs python3-torch, python3-sklearn, python3-onnx; ~1 min on 2 cores)
"""

import json
import os
import random

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

SEED = 20240917  # the Digits sample's split
EPOCHS = 80
BATCH = 32
LEARNING_RATE = 3e-3
OPSET = 13
C1, C2 = 64, 128


class SignSte(torch.autograd.Function):
    """sign(x) forward (ONNX Sign: 0 stays 0); gradient passed through where |x| <= 1 (hardtanh's derivative)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.sign(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (x.abs() <= 1).to(grad.dtype)


class BinaryConv(nn.Conv2d):
    """Weights alpha * sign(W) per output channel in the forward pass, float W kept for the optimiser (STE)."""

    def binary_weight(self):
        w = self.weight
        alpha = w.abs().mean(dim=(1, 2, 3), keepdim=True)
        # sign with STE; sign(0) would be 0, so send exact zeros to +1 to keep every weight at +-alpha.
        b = torch.where(w >= 0, torch.ones_like(w), -torch.ones_like(w))
        b = w + (b - w).detach()
        return alpha * b

    def forward(self, x):
        return F.conv2d(x, self.binary_weight(), None, self.stride, self.padding)


class DigitsBnn(nn.Module):
    def __init__(self, binary):
        super().__init__()
        self.binary = binary
        conv = BinaryConv if binary else nn.Conv2d
        self.conv1 = nn.Conv2d(1, C1, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(C1)
        self.conv2 = conv(C1, C2, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(C2)
        self.conv3 = conv(C2, C2, 3, padding=1, bias=False)
        self.bn3 = nn.BatchNorm2d(C2)
        self.fc = nn.Linear(C2, 10)

    def act(self, x):
        return SignSte.apply(x) if self.binary else torch.relu(x)

    def forward(self, x):
        x = self.bn1(self.conv1(x))
        x = self.bn2(self.conv2(self.act(x)))
        x = F.max_pool2d(x, 2)
        x = self.bn3(self.conv3(self.act(x)))
        x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        return self.fc(x)


class Exported(nn.Module):
    """The trained network as plain layers for export: binary weights baked as +-alpha, Sign as torch.sign."""

    def __init__(self, trained):
        super().__init__()
        self.t = trained
        # Baked here, not in forward(): the file must hold the +-alpha values as initializers.
        with torch.no_grad():
            def baked(conv):
                if not trained.binary:
                    return conv.weight.detach().clone()
                w = conv.weight
                alpha = w.abs().mean(dim=(1, 2, 3), keepdim=True)
                return alpha * torch.where(w >= 0, torch.ones_like(w), -torch.ones_like(w))
            self.register_buffer("w2", baked(trained.conv2))
            self.register_buffer("w3", baked(trained.conv3))

    def forward(self, x):
        t = self.t
        act = torch.sign if t.binary else torch.relu
        x = t.bn1(t.conv1(x))
        x = t.bn2(F.conv2d(act(x), self.w2, None, 1, 1))
        x = F.max_pool2d(x, 2)
        x = t.bn3(F.conv2d(act(x), self.w3, None, 1, 1))
        x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        return t.fc(x)


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)


def train(binary, x_train, y_train):
    seed_everything(SEED)
    model = DigitsBnn(binary)
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS)
    generator = torch.Generator().manual_seed(SEED)
    for epoch in range(EPOCHS):
        model.train()
        order = torch.randperm(len(y_train), generator=generator)
        for start in range(0, len(order), BATCH):
            batch = order[start:start + BATCH]
            optimizer.zero_grad()
            F.cross_entropy(model(x_train[batch]), y_train[batch]).backward()
            optimizer.step()
        scheduler.step()
    return model.eval()


def correct(model, x, y):
    with torch.no_grad():
        return int((model(x).argmax(dim=1) == y).sum())


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out_dir = os.path.join(root, "samples", "Digits", "models")
    os.makedirs(out_dir, exist_ok=True)

    digits = load_digits()
    images = (digits.images.astype(np.float32) / np.float32(16.0)).reshape(-1, 1, 8, 8)
    labels = digits.target.astype(np.int64)
    indices = np.arange(len(labels))
    train_idx, held_idx = train_test_split(indices, test_size=0.2, stratify=labels, random_state=SEED)
    held_idx = np.sort(held_idx)
    x_train, y_train = torch.from_numpy(images[train_idx]), torch.from_numpy(labels[train_idx])
    x_held, y_held = torch.from_numpy(images[held_idx]), torch.from_numpy(labels[held_idx])

    import onnx
    import onnx.checker
    import onnx.numpy_helper

    expected = {"source": "tools/train_bnn.py", "seed": SEED, "torch": torch.__version__, "opset": OPSET,
                "heldoutCount": len(y_held)}
    for binary, name in ((True, "digits_bnn"), (False, "digits_bnn_float")):
        model = train(binary, x_train, y_train)
        exported = Exported(model).eval()
        held = correct(exported, x_held, y_held)
        assert held == correct(model, x_held, y_held), "export wrapper disagrees with the trained model"
        print(f"{name}: held-out {held}/{len(y_held)} = {held / len(y_held):.2%}")
        path = os.path.join(out_dir, name + ".onnx")
        torch.onnx.export(exported, torch.zeros(1, 1, 8, 8), path, input_names=["pixels"], output_names=["logits"],
                          opset_version=OPSET, training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
        m = onnx.load(path)
        onnx.checker.check_model(m)
        if binary:
            # Every binarized conv weight must be +-alpha per output channel, exactly, in the file.
            convs = [n for n in m.graph.node if n.op_type == "Conv"]
            inits = {t.name: onnx.numpy_helper.to_array(t) for t in m.graph.initializer}
            binary_convs = 0
            for n in convs:
                w = inits.get(n.input[1])
                if w is None:
                    continue
                rows = np.abs(w.reshape(w.shape[0], -1))
                if np.all(rows == rows[:, :1]):
                    binary_convs += 1
            assert binary_convs == 2, f"expected 2 binary convs in the file, found {binary_convs}"
        ops = sorted({n.op_type for n in m.graph.node})
        print(f"  wrote {path}: {os.path.getsize(path)} bytes, ops: {', '.join(ops)}")
        expected[name] = {"heldoutCorrect": held, "heldoutAccuracy": round(held / len(y_held), 6), "ops": ops}

    with open(os.path.join(out_dir, "expected.json"), "w", encoding="ascii", newline="\n") as f:
        json.dump(expected, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
