#!/usr/bin/python3
"""Writes the speed model set: batch-1 float ONNX models (opset 13, random weights, fixed seeds, eval mode) that
benchmarks/ModelGen.Benchmarks (ModelSetBenchmarks) runs with ModelGen and ONNX Runtime side by side.

Tools only (not tests, not CI). Needs Debian's python3-torch, python3-torchvision and python3-onnx:
    apt-get install -y python3-torch python3-torchvision python3-onnx
and runs with /usr/bin/python3 (the python3 first on PATH may not see them):
    /usr/bin/python3 tools/make_model_set.py [--out artifacts/models] [--seed 0] [models...]

The output folder (default artifacts/models/ under the repository, ignored by git) receives one <name>.onnx per model
and manifest.json: per model its file, inputs and outputs (ONNX name and static shape), parameter count and a line
saying what it is. Nothing is downloaded (weights=None). BatchNorm layers get running statistics from two random
training-mode batches, so the folded Conv weights are not trivial. Every shape is static: fixed dummy input, no
dynamic_axes, constant folding on, and ONNX shape inference stores every intermediate shape as value_info.

Models: torchvision mobilenet_v2, mobilenet_v3_small, resnet18, squeezenet1_1, shufflenet_v2_x1_0 (1x3x224x224), and
four written here: yolox_nano (YOLOX-nano-style detector, 1x3x416x416), blazeface (BlazeFace-style detector, NHWC
1x128x128x3), ds_cnn_kws (DS-CNN keyword spotting, 1x1x49x10 MFCC) and mlp (784-256-128-10).
"""
import argparse
import json
import os
import sys

import onnx
import onnx.shape_inference
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

OPSET = 13
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ---------------------------------------------------------------------------------------------------------------------
# YOLOX-nano-style detector: Focus stem, CSPDarknet backbone with depthwise-separable convs, SPP, PAN neck with nearest
# upsampling, three decoupled heads. SiLU written as x * sigmoid(x) so every exporter produces Sigmoid + Mul.

def silu(x):
    return x * torch.sigmoid(x)


class ConvBnSiLU(nn.Module):
    def __init__(self, cin, cout, k=1, s=1, groups=1):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, s, (k - 1) // 2, groups=groups, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return silu(self.bn(self.conv(x)))


class DWConv(nn.Module):
    """Depthwise k x k (stride s) then pointwise 1x1, each with BN and SiLU."""

    def __init__(self, cin, cout, k=3, s=1):
        super().__init__()
        self.dw = ConvBnSiLU(cin, cin, k, s, groups=cin)
        self.pw = ConvBnSiLU(cin, cout, 1)

    def forward(self, x):
        return self.pw(self.dw(x))


class Bottleneck(nn.Module):
    def __init__(self, c, shortcut):
        super().__init__()
        self.cv1 = ConvBnSiLU(c, c, 1)
        self.cv2 = DWConv(c, c, 3)
        self.shortcut = shortcut

    def forward(self, x):
        y = self.cv2(self.cv1(x))
        return x + y if self.shortcut else y


class CSPLayer(nn.Module):
    def __init__(self, cin, cout, n=1, shortcut=True):
        super().__init__()
        hidden = cout // 2
        self.cv1 = ConvBnSiLU(cin, hidden, 1)
        self.cv2 = ConvBnSiLU(cin, hidden, 1)
        self.m = nn.Sequential(*[Bottleneck(hidden, shortcut) for _ in range(n)])
        self.cv3 = ConvBnSiLU(2 * hidden, cout, 1)

    def forward(self, x):
        return self.cv3(torch.cat([self.m(self.cv1(x)), self.cv2(x)], dim=1))


class Focus(nn.Module):
    """Space-to-depth by four strided slices, concatenated on channels, then a 3x3 conv."""

    def __init__(self, cin, cout):
        super().__init__()
        self.conv = ConvBnSiLU(4 * cin, cout, 3)

    def forward(self, x):
        tl = x[..., ::2, ::2]
        bl = x[..., 1::2, ::2]
        tr = x[..., ::2, 1::2]
        br = x[..., 1::2, 1::2]
        return self.conv(torch.cat([tl, bl, tr, br], dim=1))


class SPP(nn.Module):
    def __init__(self, cin, cout, kernels=(5, 9, 13)):
        super().__init__()
        hidden = cin // 2
        self.cv1 = ConvBnSiLU(cin, hidden, 1)
        self.pools = nn.ModuleList([nn.MaxPool2d(k, 1, k // 2) for k in kernels])
        self.cv2 = ConvBnSiLU(hidden * (len(kernels) + 1), cout, 1)

    def forward(self, x):
        x = self.cv1(x)
        return self.cv2(torch.cat([x] + [p(x) for p in self.pools], dim=1))


class YoloXNano(nn.Module):
    """Width 0.25, depth 0.33 (one bottleneck per CSP layer), 80 classes: outputs [1, 85, S, S] for S = 52, 26, 13."""

    def __init__(self, classes=80):
        super().__init__()
        c = [16, 32, 64, 128, 256]
        self.stem = Focus(3, c[0])
        self.dark2 = nn.Sequential(DWConv(c[0], c[1], 3, 2), CSPLayer(c[1], c[1], 1))
        self.dark3 = nn.Sequential(DWConv(c[1], c[2], 3, 2), CSPLayer(c[2], c[2], 1))
        self.dark4 = nn.Sequential(DWConv(c[2], c[3], 3, 2), CSPLayer(c[3], c[3], 1))
        self.dark5 = nn.Sequential(DWConv(c[3], c[4], 3, 2), SPP(c[4], c[4]), CSPLayer(c[4], c[4], 1, shortcut=False))
        # PAN neck.
        self.lateral0 = ConvBnSiLU(c[4], c[3], 1)
        self.c3_p4 = CSPLayer(2 * c[3], c[3], 1, shortcut=False)
        self.reduce1 = ConvBnSiLU(c[3], c[2], 1)
        self.c3_p3 = CSPLayer(2 * c[2], c[2], 1, shortcut=False)
        self.bu_conv2 = DWConv(c[2], c[2], 3, 2)
        self.c3_n3 = CSPLayer(2 * c[2], c[3], 1, shortcut=False)
        self.bu_conv1 = DWConv(c[3], c[3], 3, 2)
        self.c3_n4 = CSPLayer(2 * c[3], c[4], 1, shortcut=False)
        # Decoupled heads, one per scale.
        self.heads = nn.ModuleList([DecoupledHead(ch, 64, classes) for ch in (c[2], c[3], c[4])])

    def forward(self, x):
        x = self.stem(x)
        x = self.dark2(x)
        d3 = self.dark3(x)
        d4 = self.dark4(d3)
        d5 = self.dark5(d4)
        f0 = self.lateral0(d5)
        f = torch.cat([F.interpolate(f0, scale_factor=2.0, mode="nearest"), d4], dim=1)
        f = self.c3_p4(f)
        f1 = self.reduce1(f)
        p3 = self.c3_p3(torch.cat([F.interpolate(f1, scale_factor=2.0, mode="nearest"), d3], dim=1))
        p4 = self.c3_n3(torch.cat([self.bu_conv2(p3), f1], dim=1))
        p5 = self.c3_n4(torch.cat([self.bu_conv1(p4), f0], dim=1))
        return tuple(head(p) for head, p in zip(self.heads, (p3, p4, p5)))


class DecoupledHead(nn.Module):
    def __init__(self, cin, width, classes):
        super().__init__()
        self.stem = ConvBnSiLU(cin, width, 1)
        self.cls_convs = nn.Sequential(DWConv(width, width, 3), DWConv(width, width, 3))
        self.reg_convs = nn.Sequential(DWConv(width, width, 3), DWConv(width, width, 3))
        self.cls_pred = nn.Conv2d(width, classes, 1)
        self.reg_pred = nn.Conv2d(width, 4, 1)
        self.obj_pred = nn.Conv2d(width, 1, 1)

    def forward(self, x):
        x = self.stem(x)
        r = self.reg_convs(x)
        return torch.cat([self.reg_pred(r), torch.sigmoid(self.obj_pred(r)), torch.sigmoid(self.cls_pred(self.cls_convs(x)))], dim=1)


# ---------------------------------------------------------------------------------------------------------------------
# BlazeFace-style detector (front model): NHWC input permuted to NCHW inside the model, BlazeBlocks with depthwise 5x5,
# residual paths padded with zero channels and max-pooled on stride 2, two heads (scores and boxes per anchor).

class BlazeBlock(nn.Module):
    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.stride = stride
        self.extra = cout - cin
        pad = 2 if stride == 1 else 0  # stride 2 pads explicitly (asymmetric, like TFLite's SAME)
        self.dw = nn.Conv2d(cin, cin, 5, stride, pad, groups=cin)
        self.pw = nn.Conv2d(cin, cout, 1)
        if stride == 2:
            self.pool = nn.MaxPool2d(2, 2)

    def forward(self, x):
        h = x
        if self.stride == 2:
            h = F.pad(h, (1, 2, 1, 2))
            x = self.pool(x)
        if self.extra > 0:
            x = F.pad(x, (0, 0, 0, 0, 0, self.extra))  # zero channels appended on the residual path
        return F.relu(self.pw(self.dw(h)) + x)


class BlazeFace(nn.Module):
    """128x128 front-camera layout: 896 anchors (16x16x2 + 8x8x6), 1 score and 16 box values per anchor."""

    def __init__(self):
        super().__init__()
        self.conv0 = nn.Conv2d(3, 24, 5, 2, 0)
        self.backbone1 = nn.Sequential(
            BlazeBlock(24, 24), BlazeBlock(24, 28), BlazeBlock(28, 32, 2), BlazeBlock(32, 36), BlazeBlock(36, 42),
            BlazeBlock(42, 48, 2), BlazeBlock(48, 56), BlazeBlock(56, 64), BlazeBlock(64, 72), BlazeBlock(72, 80),
            BlazeBlock(80, 88))
        self.backbone2 = nn.Sequential(
            BlazeBlock(88, 96, 2), BlazeBlock(96, 96), BlazeBlock(96, 96), BlazeBlock(96, 96), BlazeBlock(96, 96))
        self.classifier_8 = nn.Conv2d(88, 2, 1)
        self.classifier_16 = nn.Conv2d(96, 6, 1)
        self.regressor_8 = nn.Conv2d(88, 32, 1)
        self.regressor_16 = nn.Conv2d(96, 96, 1)

    def forward(self, x):
        x = x.permute(0, 3, 1, 2)  # NHWC -> NCHW
        x = F.relu(self.conv0(F.pad(x, (1, 2, 1, 2))))
        x = self.backbone1(x)  # 88 x 16 x 16
        h = self.backbone2(x)  # 96 x 8 x 8
        # Explicit anchor counts (no -1) so every shape in the file is static.
        c1 = self.classifier_8(x).permute(0, 2, 3, 1).reshape(1, 512, 1)
        c2 = self.classifier_16(h).permute(0, 2, 3, 1).reshape(1, 384, 1)
        r1 = self.regressor_8(x).permute(0, 2, 3, 1).reshape(1, 512, 16)
        r2 = self.regressor_16(h).permute(0, 2, 3, 1).reshape(1, 384, 16)
        return torch.cat([c1, c2], dim=1), torch.cat([r1, r2], dim=1)


# ---------------------------------------------------------------------------------------------------------------------
# DS-CNN keyword spotting (Zhang et al., "Hello Edge", the S/M layout): 49 frames x 10 MFCC, 12 classes.

class DsCnn(nn.Module):
    def __init__(self, width=64, blocks=4, classes=12):
        super().__init__()
        self.conv = nn.Conv2d(1, width, (10, 4), (2, 2), (5, 1), bias=False)
        self.bn = nn.BatchNorm2d(width)
        layers = []
        for _ in range(blocks):
            layers += [nn.Conv2d(width, width, 3, 1, 1, groups=width, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
                       nn.Conv2d(width, width, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU()]
        self.blocks = nn.Sequential(*layers)
        self.pool = nn.AvgPool2d((25, 5))
        self.fc = nn.Linear(width, classes)

    def forward(self, x):
        x = self.blocks(F.relu(self.bn(self.conv(x))))
        return self.fc(torch.flatten(self.pool(x), 1))


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 256)
        self.fc2 = nn.Linear(256, 128)
        self.fc3 = nn.Linear(128, 10)

    def forward(self, x):
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


# ---------------------------------------------------------------------------------------------------------------------

def torchvision_model(factory):
    def make():
        try:
            return factory(weights=None)
        except TypeError:  # torchvision before 0.13 knows only `pretrained`
            return factory(pretrained=False)
    return make


# name -> (constructor, input shape, output names, description)
MODELS = {
    "mobilenet_v2": (torchvision_model(torchvision.models.mobilenet_v2), (1, 3, 224, 224), ["logits"],
                     "torchvision MobileNetV2 (inverted residuals, ReLU6 = Clip)"),
    "mobilenet_v3_small": (torchvision_model(torchvision.models.mobilenet_v3_small), (1, 3, 224, 224), ["logits"],
                           "torchvision MobileNetV3-Small (hard-swish, squeeze-excitation)"),
    "resnet18": (torchvision_model(torchvision.models.resnet18), (1, 3, 224, 224), ["logits"],
                 "torchvision ResNet18"),
    "squeezenet1_1": (torchvision_model(torchvision.models.squeezenet1_1), (1, 3, 224, 224), ["logits"],
                      "torchvision SqueezeNet 1.1 (fire modules, Concat)"),
    "shufflenet_v2_x1_0": (torchvision_model(torchvision.models.shufflenet_v2_x1_0), (1, 3, 224, 224), ["logits"],
                           "torchvision ShuffleNetV2 x1.0 (Split, channel shuffle by Reshape/Transpose)"),
    "yolox_nano": (YoloXNano, (1, 3, 416, 416), ["p3", "p4", "p5"],
                   "YOLOX-nano-style detector: Focus slices, SiLU, depthwise CSP blocks, SPP, PAN with nearest Resize, 3 heads"),
    "blazeface": (BlazeFace, (1, 128, 128, 3), ["scores", "boxes"],
                  "BlazeFace-style detector: NHWC input, depthwise 5x5 BlazeBlocks, zero-channel padding, 2 heads"),
    "ds_cnn_kws": (DsCnn, (1, 1, 49, 10), ["logits"],
                   "DS-CNN keyword spotting: 10x4 conv, 4 depthwise-separable blocks, 12 classes"),
    "mlp": (Mlp, (1, 784), ["logits"], "MLP 784-256-128-10 (Gemm + Relu)"),
}


def build(name, seed):
    make, shape, _, _ = MODELS[name]
    torch.manual_seed(seed)
    model = make()
    # Fresh BatchNorm has mean 0 and variance 1: give it running statistics from two random batches in training mode.
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    if bns:
        model.train()
        for m in bns:
            m.momentum = None  # cumulative average
        with torch.no_grad():
            for _ in range(2):
                model(torch.randn((4,) + tuple(shape[1:])))
    model.eval()
    return model


def export(name, seed, out):
    _, shape, output_names, description = MODELS[name]
    model = build(name, seed)
    path = os.path.join(out, name + ".onnx")
    dummy = torch.randn(shape, generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        torch.onnx.export(model, dummy, path, opset_version=OPSET, input_names=["input"], output_names=output_names,
                          do_constant_folding=True, training=torch.onnx.TrainingMode.EVAL)
    proto = onnx.shape_inference.infer_shapes(onnx.load(path))
    onnx.checker.check_model(proto)
    onnx.save(proto, path)

    def shapes(values):
        return [{"name": v.name, "shape": [d.dim_value for d in v.type.tensor_type.shape.dim]} for v in values]

    inputs, outputs = shapes(proto.graph.input), shapes(proto.graph.output)
    for v in inputs + outputs:
        if any(d <= 0 for d in v["shape"]):
            sys.exit(f"{name}: {v['name']} has a dynamic shape {v['shape']}")
    params = sum(p.numel() for p in model.parameters())
    print(f"{path}: {os.path.getsize(path):,} bytes, {params:,} parameters, {len(proto.graph.node)} nodes", file=sys.stderr)
    return {"name": name, "file": name + ".onnx", "description": description, "opset": OPSET, "seed": seed,
            "parameters": params, "bytes": os.path.getsize(path), "inputs": inputs, "outputs": outputs}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("models", nargs="*", default=list(MODELS), help=f"any of {', '.join(MODELS)} (default: all)")
    parser.add_argument("--out", default=os.path.join(REPO, "artifacts", "models"),
                        help="output folder (default: <repo>/artifacts/models, ignored by git)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    unknown = [m for m in args.models if m not in MODELS]
    if unknown:
        parser.error(f"unknown model(s): {', '.join(unknown)}")

    torch.set_num_threads(1)  # reproducible BatchNorm statistics
    os.makedirs(args.out, exist_ok=True)
    manifest_path = os.path.join(args.out, "manifest.json")
    entries = {}
    if os.path.exists(manifest_path):  # keep the entries of models not re-exported this time
        with open(manifest_path, encoding="utf-8") as f:
            entries = {m["name"]: m for m in json.load(f)["models"]}
    for name in args.models:
        entries[name] = export(name, args.seed, args.out)
    manifest = {"generator": "tools/make_model_set.py", "torch": torch.__version__, "onnx": onnx.__version__,
                "models": [entries[n] for n in sorted(entries, key=lambda n: list(MODELS).index(n) if n in MODELS else 99)]}
    with open(manifest_path, "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(f"{manifest_path}: {len(manifest['models'])} models", file=sys.stderr)


if __name__ == "__main__":
    main()
