#!/usr/bin/python3
"""Trains the Digits sample's CNN and writes the files the sample, its test and the benchmarks use.

Data: scikit-learn's bundled load_digits() (1797 grayscale 8x8 images, 10 classes, pixel values 0..16), so nothing is
downloaded. Pixels are scaled to [0, 1] by dividing by 16; every scaled value k/16 is exact in float32 and in decimal.

Outputs (paths relative to the repository root):
  samples/Digits/digits.onnx          the trained model, opset 13, input "pixels" [1,1,8,8], output "logits" [1,10]
  samples/Digits/data/heldout.csv     the held-out 20%: label, then 64 scaled pixels in row-major order
  samples/Digits/data/expected.json   accuracies PyTorch measured, which the C# test compares ModelGen against

Run (needs Debian's python3-torch, python3-sklearn, python3-onnx; see tools/README.md):
  /usr/bin/python3 tools/train_digits.py
  /usr/bin/python3 tools/train_digits.py --arch mlp --out-dir /tmp/digits-mlp   # Gemm/Relu/Reshape-only variant
"""

import argparse
import json
import os
import random
import sys

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

SEED = 20240917
EPOCHS = 60
BATCH = 32
LEARNING_RATE = 3e-3
HELDOUT_FRACTION = 0.2
OPSET = 13


class DigitsCnn(nn.Module):
    """Conv(1->16, 3x3, pad 1) + BatchNorm + Relu, MaxPool 2, Conv(16->32, 3x3, pad 1) + Relu, GlobalAveragePool,
    Flatten, Gemm(32->10)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(16, 32, kernel_size=3, padding=1)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        x = self.pool(x)
        x = torch.relu(self.conv2(x))
        x = torch.flatten(self.gap(x), 1)
        return self.fc(x)


class DigitsMlp(nn.Module):
    """Reshape to [N,64], Gemm(64->32), Relu, Gemm(32->10). Only for checking the build wiring on ops main already has."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(64, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = x.reshape(-1, 64)
        return self.fc2(torch.relu(self.fc1(x)))


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        predicted = model(x).argmax(dim=1)
    return int((predicted == y).sum()), len(y), predicted


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arch", choices=["cnn", "mlp"], default="cnn")
    parser.add_argument("--out-dir", default=None, help="folder for digits.onnx and data/ (default: samples/Digits)")
    args = parser.parse_args()

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out_dir = args.out_dir or os.path.join(root, "samples", "Digits")
    data_dir = os.path.join(out_dir, "data")
    os.makedirs(data_dir, exist_ok=True)

    seed_everything(SEED)
    digits = load_digits()
    images = (digits.images.astype(np.float32) / np.float32(16.0)).reshape(-1, 1, 8, 8)
    labels = digits.target.astype(np.int64)
    indices = np.arange(len(labels))
    train_idx, held_idx = train_test_split(indices, test_size=HELDOUT_FRACTION, stratify=labels, random_state=SEED)
    held_idx = np.sort(held_idx)  # file order follows the dataset's order

    x_train, y_train = torch.from_numpy(images[train_idx]), torch.from_numpy(labels[train_idx])
    x_held, y_held = torch.from_numpy(images[held_idx]), torch.from_numpy(labels[held_idx])

    model = DigitsCnn() if args.arch == "cnn" else DigitsMlp()
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS)
    loss_fn = nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(SEED)
    for epoch in range(EPOCHS):
        model.train()
        order = torch.randperm(len(y_train), generator=generator)
        total = 0.0
        for start in range(0, len(order), BATCH):
            batch = order[start:start + BATCH]
            optimizer.zero_grad()
            loss = loss_fn(model(x_train[batch]), y_train[batch])
            loss.backward()
            optimizer.step()
            total += float(loss) * len(batch)
        scheduler.step()
        if (epoch + 1) % 10 == 0:
            print(f"epoch {epoch + 1:3d}: mean loss {total / len(y_train):.4f}")

    train_correct, train_count, _ = accuracy(model, x_train, y_train)
    held_correct, held_count, held_predicted = accuracy(model, x_held, y_held)
    with torch.no_grad():
        top2 = model(x_held).topk(2, dim=1).values
    margin = float((top2[:, 0] - top2[:, 1]).min())
    print(f"train accuracy:    {train_correct}/{train_count} = {train_correct / train_count:.4%}")
    print(f"held-out accuracy: {held_correct}/{held_count} = {held_correct / held_count:.4%}")
    print(f"smallest held-out top-1/top-2 logit margin: {margin:.4f}")

    # Export with batch 1, the shape the sample runs. TrainingMode.PRESERVE with the model in eval mode keeps the
    # BatchNormalization node (EVAL would fold it into the Conv in PyTorch): folding it is ModelGen's job.
    model.eval()
    onnx_path = os.path.join(out_dir, "digits.onnx")
    torch.onnx.export(
        model, torch.zeros(1, 1, 8, 8), onnx_path,
        input_names=["pixels"], output_names=["logits"], opset_version=OPSET,
        training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)

    import onnx
    import onnx.checker
    onnx_model = onnx.load(onnx_path)
    if args.arch == "mlp":
        # The Reshape's target shape is a Constant node; make it an initializer so only Gemm/Relu/Reshape remain.
        for node in [n for n in onnx_model.graph.node if n.op_type == "Constant"]:
            tensor = onnx.helper.get_attribute_value(node.attribute[0])
            tensor.name = node.output[0]
            onnx_model.graph.initializer.append(tensor)
            onnx_model.graph.node.remove(node)
        onnx.save(onnx_model, onnx_path)
    onnx.checker.check_model(onnx_model)
    ops = sorted({n.op_type for n in onnx_model.graph.node})
    print(f"wrote {onnx_path}: {os.path.getsize(onnx_path)} bytes, ops: {', '.join(ops)}")

    # Per-image predictions of the exported batch-1 graph must equal PyTorch's batched ones.
    with torch.no_grad():
        single = torch.cat([model(x_held[i:i + 1]) for i in range(held_count)]).argmax(dim=1)
    if not torch.equal(single, held_predicted):
        sys.exit("batch-1 predictions differ from batched predictions")

    csv_path = os.path.join(data_dir, "heldout.csv")
    with open(csv_path, "w", encoding="ascii", newline="\n") as f:
        f.write("# label, then 64 pixels (row-major 8x8, value/16) of sklearn load_digits() held-out images\n")
        for i in range(held_count):
            pixels = ",".join(repr(float(p)) for p in x_held[i].reshape(-1).tolist())
            f.write(f"{int(y_held[i])},{pixels}\n")
    print(f"wrote {csv_path}: {held_count} images")

    per_class = {}
    for c in range(10):
        mask = y_held == c
        per_class[str(c)] = {"count": int(mask.sum()), "correct": int((held_predicted[mask] == c).sum())}
    expected = {
        "source": "tools/train_digits.py",
        "arch": args.arch,
        "seed": SEED,
        "torch": torch.__version__,
        "opset": OPSET,
        "ops": ops,
        "trainCount": train_count,
        "trainCorrect": train_correct,
        "trainAccuracy": round(train_correct / train_count, 6),
        "heldoutCount": held_count,
        "heldoutCorrect": held_correct,
        "heldoutAccuracy": round(held_correct / held_count, 6),
        "heldoutMinLogitMargin": round(margin, 6),
        "heldoutPerClass": per_class,
    }
    json_path = os.path.join(data_dir, "expected.json")
    with open(json_path, "w", encoding="ascii", newline="\n") as f:
        json.dump(expected, f, indent=2)
        f.write("\n")
    print(f"wrote {json_path}")


if __name__ == "__main__":
    main()
