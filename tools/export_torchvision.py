#!/usr/bin/python3
"""Exports torchvision classifiers with random weights to ONNX, for `modelgen verify` on real architectures.

Tools only (not tests, not CI). Needs Debian's python3-torch, python3-torchvision and python3-onnx:
    apt-get install -y python3-torch python3-torchvision python3-onnx
and runs with /usr/bin/python3 (the python3 first on PATH may not see them):
    /usr/bin/python3 tools/export_torchvision.py [--out /tmp/modelgen-models] [--opset 13] [--seed 0] [models...]

The weights are random (weights=None, a fixed seed) so nothing is downloaded; the models are written outside the
repository (default /tmp/modelgen-models) so no large file is committed. The export is deterministic for a given
seed and torch version.
"""
import argparse
import os
import sys

import onnx
import onnx.shape_inference
import torch
import torchvision

MODELS = {
    "mobilenet_v2": torchvision.models.mobilenet_v2,
    "resnet18": torchvision.models.resnet18,
    "squeezenet1_1": torchvision.models.squeezenet1_1,
    "shufflenet_v2_x0_5": torchvision.models.shufflenet_v2_x0_5,
}
DEFAULT = ["mobilenet_v2", "resnet18", "squeezenet1_1"]


def build(name, seed):
    torch.manual_seed(seed)
    try:
        model = MODELS[name](weights=None)
    except TypeError:  # torchvision before 0.13 knows only `pretrained`
        model = MODELS[name](pretrained=False)
    model.eval()
    # Freshly initialised BatchNormalization has mean 0 and variance 1, which would make it an identity: give it
    # running statistics by passing a few random batches in training mode, so folding BN into Conv is exercised.
    with torch.no_grad():
        bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
        if bns:
            model.train()
            for m in bns:
                m.momentum = None  # cumulative average
            for _ in range(2):
                model(torch.randn(4, 3, 224, 224))
            model.eval()
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("models", nargs="*", default=DEFAULT, help=f"any of {', '.join(MODELS)} (default: {' '.join(DEFAULT)})")
    parser.add_argument("--out", default="/tmp/modelgen-models", help="output folder (default /tmp/modelgen-models)")
    parser.add_argument("--opset", type=int, default=13)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-shapes", action="store_true",
                        help="skip ONNX shape inference (by default every intermediate shape is stored as value_info, "
                             "which lets `modelgen inspect` follow shapes past operators ModelGen lacks)")
    args = parser.parse_args()

    unknown = [m for m in args.models if m not in MODELS]
    if unknown:
        parser.error(f"unknown model(s): {', '.join(unknown)}")
    os.makedirs(args.out, exist_ok=True)
    for name in args.models:
        model = build(name, args.seed)
        path = os.path.join(args.out, name + ".onnx")
        dummy = torch.randn(1, 3, 224, 224, generator=torch.Generator().manual_seed(args.seed))
        torch.onnx.export(model, dummy, path, opset_version=args.opset, input_names=["input"], output_names=["logits"],
                          do_constant_folding=True)
        if not args.no_shapes:
            onnx.save(onnx.shape_inference.infer_shapes(onnx.load(path)), path)
        params = sum(p.numel() for p in model.parameters())
        print(f"{path}: {os.path.getsize(path):,} bytes, {params:,} parameters", file=sys.stderr)


if __name__ == "__main__":
    main()
