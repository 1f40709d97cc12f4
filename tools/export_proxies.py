#!/usr/bin/python3
"""Exports small random-weight stand-ins ("proxies") for the model families ModelGen is judged on, and ONNX files
in the shapes other exporters write, so `modelgen verify` can be run on each.

Tools only (not CI). Needs Debian's python3-torch (1.13), python3-torchvision and python3-onnx (1.12); run with
/usr/bin/python3:
    /usr/bin/python3 tools/export_proxies.py [--out /tmp/proxies] [--opsets 9,11,13,17] [--seed 0] [--only NAME,...]
    /usr/bin/python3 tools/export_proxies.py --assets     # rewrites tests/ModelGen.Tests/Models/proxies/

Each file is <family>_op<opset>.onnx; families torch cannot export at an opset (e.g. GELU's Erf at opset 9) are
skipped with a note. A line per file goes to <out>/manifest.txt: file name, then the `verify` arguments it needs
(dims for the dynamic axes, --int-max for token ids). Weights are random with a fixed seed; BatchNorm layers get running
statistics from a few random batches so folding them is exercised. Nothing is downloaded.
"""
import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F

# ---------------------------------------------------------------------------------------------------------------------
# PyTorch families


class BertLike(nn.Module):
    """2-layer BERT encoder: word + position + token-type embeddings, LayerNorm, masked multi-head attention,
    GELU (erf) feed-forward; outputs the last hidden state and a masked mean pooling (sentence-transformers style)."""

    def __init__(self, vocab=64, hidden=32, heads=4, layers=2, ffn=64, max_pos=64, types=2):
        super().__init__()
        self.heads = heads
        self.word = nn.Embedding(vocab, hidden)
        self.pos = nn.Embedding(max_pos, hidden)
        self.token_type = nn.Embedding(types, hidden)
        self.register_buffer("position_ids", torch.arange(max_pos).unsqueeze(0))
        self.ln = nn.LayerNorm(hidden, eps=1e-12)
        self.layers = nn.ModuleList()
        for _ in range(layers):
            self.layers.append(nn.ModuleDict(dict(
                q=nn.Linear(hidden, hidden), k=nn.Linear(hidden, hidden), v=nn.Linear(hidden, hidden),
                o=nn.Linear(hidden, hidden), ln1=nn.LayerNorm(hidden, eps=1e-12),
                up=nn.Linear(hidden, ffn), down=nn.Linear(ffn, hidden), ln2=nn.LayerNorm(hidden, eps=1e-12))))

    def split(self, x):
        b, s, h = x.shape
        return x.view(b, s, self.heads, h // self.heads).permute(0, 2, 1, 3)

    def forward(self, input_ids, attention_mask, token_type_ids):
        seq = input_ids.size(1)
        pos = self.position_ids[:, :seq]
        x = self.ln(self.word(input_ids) + self.pos(pos) + self.token_type(token_type_ids))
        ext = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * -10000.0
        for layer in self.layers:
            q, k, v = self.split(layer["q"](x)), self.split(layer["k"](x)), self.split(layer["v"](x))
            scores = torch.matmul(q, k.transpose(-1, -2)) / (q.size(-1) ** 0.5) + ext
            ctx = torch.matmul(scores.softmax(-1), v).permute(0, 2, 1, 3).contiguous()
            ctx = ctx.view(ctx.size(0), ctx.size(1), -1)
            x = layer["ln1"](x + layer["o"](ctx))
            x = layer["ln2"](x + layer["down"](F.gelu(layer["up"](x))))
        m = attention_mask.unsqueeze(-1).to(x.dtype)
        pooled = (x * m).sum(1) / m.sum(1).clamp(min=1e-9)
        return x, pooled


def conv_bn(cin, cout, k=3, s=1, act=None, groups=1):
    return nn.Sequential(nn.Conv2d(cin, cout, k, s, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout),
                         act if act is not None else nn.ReLU())


class YoloxNano(nn.Module):
    """YOLOX-nano-like: Focus slicing, Conv-BN-SiLU with depthwise convs, an upsample+concat neck, decoupled heads at
    strides 8 and 16 and the exported decode (grid add, exp * stride, sigmoid)."""

    def __init__(self, classes=3, size=64):
        super().__init__()
        self.size = size
        silu = nn.SiLU
        self.stem = conv_bn(12, 16, 3, 1, silu())
        self.s2 = nn.Sequential(conv_bn(16, 16, 3, 2, silu(), groups=16), conv_bn(16, 24, 1, 1, silu()))
        self.s3 = nn.Sequential(conv_bn(24, 24, 3, 2, silu(), groups=24), conv_bn(24, 32, 1, 1, silu()))  # stride 8
        self.s4 = nn.Sequential(conv_bn(32, 32, 3, 2, silu(), groups=32), conv_bn(32, 48, 1, 1, silu()))  # stride 16
        self.lat = conv_bn(48, 32, 1, 1, silu())
        self.fuse = conv_bn(64, 32, 3, 1, silu())
        self.heads = nn.ModuleList()
        for cin in (32, 48):
            self.heads.append(nn.ModuleDict(dict(stem=conv_bn(cin, 16, 1, 1, silu()), cls=nn.Conv2d(16, classes, 1),
                                                 reg=nn.Conv2d(16, 4, 1), obj=nn.Conv2d(16, 1, 1))))
        self.strides = (8, 16)

    def forward(self, x):
        x = torch.cat([x[..., ::2, ::2], x[..., 1::2, ::2], x[..., ::2, 1::2], x[..., 1::2, 1::2]], dim=1)
        c3 = self.s3(self.s2(self.stem(x)))
        c4 = self.s4(c3)
        p3 = self.fuse(torch.cat([F.interpolate(self.lat(c4), scale_factor=2.0, mode="nearest"), c3], 1))
        outs = []
        for head, feat in zip(self.heads, (p3, c4)):
            f = head["stem"](feat)
            outs.append(torch.cat([head["reg"](f), head["obj"](f).sigmoid(), head["cls"](f).sigmoid()], 1))
        grids, strides, flat = [], [], []
        for out, stride in zip(outs, self.strides):
            b, c, h, w = out.shape
            yv, xv = torch.meshgrid([torch.arange(h), torch.arange(w)], indexing="ij")
            grids.append(torch.stack((xv, yv), 2).view(1, -1, 2))
            strides.append(torch.full((1, h * w, 1), float(stride)))
            flat.append(out.flatten(start_dim=2))
        y = torch.cat(flat, dim=2).permute(0, 2, 1)
        grid = torch.cat(grids, 1).to(y.dtype)
        stride = torch.cat(strides, 1)
        return torch.cat([(y[..., :2] + grid) * stride, torch.exp(y[..., 2:4]) * stride, y[..., 4:]], dim=-1)


class SqueezeExcite(nn.Module):
    """MobileNetV3's SE block (PP-OCR backbones): GlobalAveragePool, 1x1 convs, ReLU, HardSigmoid, Mul."""

    def __init__(self, c):
        super().__init__()
        self.fc1, self.fc2 = nn.Conv2d(c, c // 4, 1), nn.Conv2d(c // 4, c, 1)

    def forward(self, x):
        return x * F.hardsigmoid(self.fc2(F.relu(self.fc1(F.adaptive_avg_pool2d(x, 1)))))


class DbNet(nn.Module):
    """DBNet-like text detector: small MobileNetV3-style backbone (HardSwish, SE), FPN (nearest upsample + add), concat of upsampled levels, and the
    probability head Conv-BN-ReLU, ConvTranspose x2, sigmoid; plus the threshold map and the differentiable binarization."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Sequential(conv_bn(3, 8, 3, 2), conv_bn(8, 8))          # /2
        self.c2 = nn.Sequential(conv_bn(8, 16, 3, 2), conv_bn(16, 16))       # /4
        self.c3 = nn.Sequential(conv_bn(16, 24, 3, 2, nn.Hardswish()), conv_bn(24, 24, 3, 1, nn.Hardswish(), groups=24),
                                SqueezeExcite(24))                           # /8
        self.c4 = nn.Sequential(conv_bn(24, 32, 3, 2), conv_bn(32, 32))      # /16
        self.in2, self.in3, self.in4 = nn.Conv2d(16, 16, 1), nn.Conv2d(24, 16, 1), nn.Conv2d(32, 16, 1)
        self.out = nn.ModuleList([nn.Conv2d(16, 4, 3, padding=1) for _ in range(3)])

        def head():
            return nn.Sequential(conv_bn(12, 4), nn.ConvTranspose2d(4, 4, 2, 2), nn.BatchNorm2d(4), nn.ReLU(),
                                 nn.ConvTranspose2d(4, 1, 2, 2), nn.Sigmoid())
        self.prob, self.thresh = head(), head()

    def forward(self, x):
        c2 = self.c2(self.c1(x))
        c3 = self.c3(c2)
        c4 = self.c4(c3)
        p4 = self.in4(c4)
        p3 = self.in3(c3) + F.interpolate(p4, scale_factor=2.0, mode="nearest")
        p2 = self.in2(c2) + F.interpolate(p3, scale_factor=2.0, mode="nearest")
        f = torch.cat([self.out[0](p2), F.interpolate(self.out[1](p3), scale_factor=2.0, mode="nearest"),
                       F.interpolate(self.out[2](p4), scale_factor=4.0, mode="nearest")], 1)
        prob, thresh = self.prob(f), self.thresh(f)
        return prob, torch.reciprocal(1 + torch.exp(-50 * (prob - thresh)))


class Crnn(nn.Module):
    """CRNN text recognizer: conv stack to height 1, squeeze, (W, B, C), 2-layer BiLSTM, Linear, log_softmax."""

    def __init__(self, classes=12):
        super().__init__()
        self.cnn = nn.Sequential(conv_bn(1, 8), nn.MaxPool2d(2, 2), conv_bn(8, 16), nn.MaxPool2d(2, 2),
                                 conv_bn(16, 24), nn.MaxPool2d((2, 1), (2, 1)), conv_bn(24, 24),
                                 nn.MaxPool2d((4, 1), (4, 1)))
        self.rnn = nn.LSTM(24, 16, num_layers=2, bidirectional=True)
        self.fc = nn.Linear(32, classes)

    def forward(self, x):
        f = self.cnn(x).squeeze(2).permute(2, 0, 1)  # (W, B, C)
        y, _ = self.rnn(f)
        return F.log_softmax(self.fc(y), dim=2)


class WakeWord(nn.Module):
    """Wake-word spotter: features (B, 20, T) -> Conv1d-BN-ReLU x2 -> (B, T', C) -> GRU (batch_first) -> last step ->
    Linear -> sigmoid."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv1d(20, 24, 3, padding=1), nn.BatchNorm1d(24), nn.ReLU(),
                                  nn.Conv1d(24, 24, 3, stride=2, padding=1), nn.BatchNorm1d(24), nn.ReLU())
        self.gru = nn.GRU(24, 16, batch_first=True)
        self.fc = nn.Linear(16, 1)

    def forward(self, x):
        y, _ = self.gru(self.conv(x).transpose(1, 2))
        return torch.sigmoid(self.fc(y[:, -1, :]))


class SsdFace(nn.Module):
    """SSD-like face detector (ultra-light style): depthwise backbone, loc/conf heads at two scales, permute, reshape
    to (B, -1, 4) and (B, -1, 2), concat, softmax over the classes."""

    def __init__(self, anchors=2):
        super().__init__()
        self.b1 = nn.Sequential(conv_bn(3, 8, 3, 2), conv_bn(8, 8, 3, 1, groups=8), conv_bn(8, 16, 1),
                                conv_bn(16, 16, 3, 2, groups=16), conv_bn(16, 24, 1))
        self.b2 = nn.Sequential(conv_bn(24, 24, 3, 2, groups=24), conv_bn(24, 32, 1))
        self.loc = nn.ModuleList([nn.Conv2d(24, anchors * 4, 3, padding=1), nn.Conv2d(32, anchors * 4, 3, padding=1)])
        self.conf = nn.ModuleList([nn.Conv2d(24, anchors * 2, 3, padding=1), nn.Conv2d(32, anchors * 2, 3, padding=1)])

    def forward(self, x):
        f1 = self.b1(x)
        f2 = self.b2(f1)
        locs, confs = [], []
        for f, loc, conf in zip((f1, f2), self.loc, self.conf):
            locs.append(loc(f).permute(0, 2, 3, 1).contiguous().view(f.size(0), -1, 4))
            confs.append(conf(f).permute(0, 2, 3, 1).contiguous().view(f.size(0), -1, 2))
        return F.softmax(torch.cat(confs, 1), dim=2), torch.cat(locs, 1)


class LstmVad(nn.Module):
    """Silero-like voice-activity detector: a chunk of audio (B, 256) plus LSTM state (2, B, 32) in and out; a
    learned conv "STFT" (reflect padding, Conv1d stride 64), magnitude-like sqrt(x^2 + eps), conv encoder, one LSTM with explicit
    state, Linear, sigmoid, mean over time."""

    def __init__(self):
        super().__init__()
        self.stft = nn.Conv1d(1, 16, 128, stride=64, bias=False)
        self.enc = nn.Sequential(nn.Conv1d(8, 16, 3, padding=1), nn.ReLU(), nn.Conv1d(16, 16, 3, padding=1), nn.ReLU())
        self.lstm = nn.LSTM(16, 32, batch_first=True)
        self.fc = nn.Linear(32, 1)

    def forward(self, audio, h, c):
        s = self.stft(F.pad(audio.unsqueeze(1), (64, 64), mode="reflect"))
        re, im = s[:, :8], s[:, 8:]
        mag = torch.sqrt(re * re + im * im + 1e-6)
        feat = self.enc(torch.log(mag + 1e-3)).transpose(1, 2)
        y, (hn, cn) = self.lstm(feat, (h, c))
        prob = torch.sigmoid(self.fc(y)).mean(1)
        return prob, hn, cn


def calibrate_bn(model, make_inputs):
    bns = [m for m in model.modules() if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d))]
    if not bns:
        return
    model.train()
    for m in bns:
        m.momentum = None
    with torch.no_grad():
        for _ in range(2):
            model(*make_inputs(4))
    model.eval()


# family -> (constructor, example inputs for batch b, input names, output names, dynamic axes, verify args,
#            opsets to export or None for all of --opsets)
def families():
    def bert_inputs(b, s=8):
        ids = torch.randint(0, 64, (b, s))
        mask = torch.ones(b, s, dtype=torch.long)
        mask[:, s - 2:] = 0
        return ids, mask, torch.zeros(b, s, dtype=torch.long)

    def lstm_state(b):
        return torch.randn(b, 256), torch.zeros(1, b, 32), torch.zeros(1, b, 32)

    return {
        "bert": (BertLike, bert_inputs, ["input_ids", "attention_mask", "token_type_ids"],
                 ["last_hidden_state", "sentence_embedding"],
                 {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"},
                  "token_type_ids": {0: "batch", 1: "sequence"}, "last_hidden_state": {0: "batch", 1: "sequence"},
                  "sentence_embedding": {0: "batch"}},
                 "--dims batch=2,sequence=12 --int-max 1", None),
        # all-MiniLM-L6-v2's dimensions (22.7M parameters, ~90 MB): build time, resource weights, speed; not an asset
        "minilm": (lambda: BertLike(vocab=30522, hidden=384, heads=12, layers=6, ffn=1536, max_pos=512),
                   bert_inputs, ["input_ids", "attention_mask", "token_type_ids"],
                   ["last_hidden_state", "sentence_embedding"],
                   {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"},
                    "token_type_ids": {0: "batch", 1: "sequence"}, "last_hidden_state": {0: "batch", 1: "sequence"},
                    "sentence_embedding": {0: "batch"}},
                   "--dims batch=1,sequence=128 --int-max 1", [14]),
        "yolox": (YoloxNano, lambda b: (torch.randn(b, 3, 64, 64),), ["images"], ["output"], None, "", None),
        "dbnet": (DbNet, lambda b: (torch.randn(b, 3, 64, 64),), ["x"], ["prob", "binary"],
                  {"x": {0: "batch", 2: "height", 3: "width"}, "prob": {0: "batch", 2: "height", 3: "width"},
                   "binary": {0: "batch", 2: "height", 3: "width"}},
                  "--dims batch=1,height=64,width=96", None),
        "crnn": (Crnn, lambda b: (torch.randn(b, 1, 32, 64),), ["image"], ["log_probs"],
                 {"image": {0: "batch", 3: "width"}, "log_probs": {0: "steps", 1: "batch"}},
                 "--dims batch=1,width=80", None),
        "wakeword": (WakeWord, lambda b: (torch.randn(b, 20, 50),), ["features"], ["score"],
                     {"features": {0: "batch", 2: "frames"}, "score": {0: "batch"}}, "--dims batch=1,frames=40", None),
        "ssdface": (SsdFace, lambda b: (torch.randn(b, 3, 64, 80),), ["input"], ["scores", "boxes"],
                    {"input": {0: "batch"}, "scores": {0: "batch"}, "boxes": {0: "batch"}}, "--dims batch=1", None),
        "vad": (LstmVad, lstm_state, ["input", "h", "c"], ["output", "hn", "cn"],
                {"input": {0: "batch"}, "h": {1: "batch"}, "c": {1: "batch"}, "output": {0: "batch"},
                 "hn": {1: "batch"}, "cn": {1: "batch"}}, "--dims batch=1", None),
    }


def export_torch(name, opset, out, seed):
    ctor, make_inputs, ins, outs, dyn, verify_args, _ = families()[name]
    torch.manual_seed(seed)
    model = ctor()
    calibrate_bn(model, make_inputs)
    torch.manual_seed(seed + 1)
    args = make_inputs(1)
    path = os.path.join(out, f"{name}_op{opset}.onnx")
    with torch.no_grad():
        torch.onnx.export(model, args, path, opset_version=opset, input_names=ins, output_names=outs,
                          dynamic_axes=dyn, do_constant_folding=True)
    return path, verify_args


# ---------------------------------------------------------------------------------------------------------------------
# Shapes other exporters write, built with the onnx API


def _rng(seed):
    return np.random.default_rng(seed)


def _w(rng, *shape, scale=0.3):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def ir3_inputs_initializers(seed):
    """IR version 3, opset 8: every initializer is also listed as a graph input (old exporters, Caffe2/CNTK)."""
    rng = _rng(seed)
    w1, b1, w2, b2 = _w(rng, 8, 3, 3, 3), _w(rng, 8), _w(rng, 10, 8 * 4 * 4), _w(rng, 10)
    inits = [numpy_helper.from_array(a, n) for a, n in ((w1, "W1"), (b1, "B1"), (w2, "W2"), (b2, "B2"))]
    nodes = [helper.make_node("Conv", ["data", "W1", "B1"], ["c1"], pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c1"], ["r1"]),
             helper.make_node("MaxPool", ["r1"], ["p1"], kernel_shape=[2, 2], strides=[2, 2]),
             helper.make_node("Flatten", ["p1"], ["f"], axis=1),
             helper.make_node("Gemm", ["f", "W2", "B2"], ["g"], transB=1),
             helper.make_node("Softmax", ["g"], ["prob"], axis=1)]
    inputs = [helper.make_tensor_value_info("data", TensorProto.FLOAT, [1, 3, 8, 8])]
    inputs += [helper.make_tensor_value_info(t.name, TensorProto.FLOAT, list(t.dims)) for t in inits]
    graph = helper.make_graph(nodes, "ir3", inputs, [helper.make_tensor_value_info("prob", TensorProto.FLOAT, [1, 10])],
                              initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 8)], producer_name="proxy-ir3")
    model.ir_version = 3
    return model, ""


def constant_nodes(seed):
    """Weights as Constant nodes instead of initializers (some converters and torch without constant folding)."""
    rng = _rng(seed)
    nodes = []
    for name, arr in (("W1", _w(rng, 8, 3, 3, 3)), ("B1", _w(rng, 8)), ("W2", _w(rng, 8, 10)), ("B2", _w(rng, 10)),
                      ("shape", np.array([0, -1], dtype=np.int64))):
        nodes.append(helper.make_node("Constant", [], [name], value=numpy_helper.from_array(arr, name + "_value")))
    nodes += [helper.make_node("Conv", ["data", "W1", "B1"], ["c1"], pads=[1, 1, 1, 1], strides=[2, 2]),
              helper.make_node("Relu", ["c1"], ["r1"]),
              helper.make_node("GlobalAveragePool", ["r1"], ["gap"]),
              helper.make_node("Reshape", ["gap", "shape"], ["flat"]),
              helper.make_node("MatMul", ["flat", "W2"], ["mm"]),
              helper.make_node("Add", ["mm", "B2"], ["logits"])]
    graph = helper.make_graph(nodes, "constants", [helper.make_tensor_value_info("data", TensorProto.FLOAT, ["N", 3, 16, 16])],
                              [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="proxy-constants"), "--dims N=2"


def nhwc_keras(seed):
    """tf2onnx/Keras shape: NHWC input transposed to NCHW, Conv (+Relu6 as Clip), depthwise, transposed back to NHWC,
    then a Reshape with a computed batch and a MatMul head; the input has an unnamed dynamic batch ("unk__")."""
    rng = _rng(seed)
    inits = [numpy_helper.from_array(a, n) for n, a in (
        ("conv1/W", _w(rng, 8, 3, 3, 3)), ("conv1/B", _w(rng, 8)), ("dw/W", _w(rng, 8, 1, 3, 3)), ("dw/B", _w(rng, 8)),
        ("dense/W", _w(rng, 8 * 8 * 8, 5, scale=0.05)), ("dense/B", _w(rng, 5)),
        ("zero", np.array(0, np.float32)), ("six", np.array(6, np.float32)),
        ("minus1", np.array([-1], np.int64)))]
    nodes = [helper.make_node("Transpose", ["input_1"], ["nchw"], perm=[0, 3, 1, 2]),
             helper.make_node("Conv", ["nchw", "conv1/W", "conv1/B"], ["c1"], pads=[1, 1, 1, 1], strides=[2, 2]),
             helper.make_node("Clip", ["c1", "zero", "six"], ["r1"]),
             helper.make_node("Conv", ["r1", "dw/W", "dw/B"], ["c2"], pads=[1, 1, 1, 1], group=8),
             helper.make_node("Relu", ["c2"], ["r2"]),
             helper.make_node("Transpose", ["r2"], ["nhwc"], perm=[0, 2, 3, 1]),
             helper.make_node("Shape", ["nhwc"], ["shp"]),
             helper.make_node("Slice", ["shp", "s0", "s1", "s0"], ["batch"]),
             helper.make_node("Concat", ["batch", "minus1"], ["newshape"], axis=0),
             helper.make_node("Reshape", ["nhwc", "newshape"], ["flat"]),
             helper.make_node("MatMul", ["flat", "dense/W"], ["mm"]),
             helper.make_node("Add", ["mm", "dense/B"], ["dense"]),
             helper.make_node("Softmax", ["dense"], ["Identity:0"], axis=-1)]
    inits += [numpy_helper.from_array(np.array([0], np.int64), "s0"), numpy_helper.from_array(np.array([1], np.int64), "s1")]
    graph = helper.make_graph(nodes, "tf2onnx", [helper.make_tensor_value_info("input_1", TensorProto.FLOAT, ["unk__12", 16, 16, 3])],
                              [helper.make_tensor_value_info("Identity:0", TensorProto.FLOAT, ["unk__13", 5])], initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="tf2onnx"), "--dims unk__12=1"


def shape_chain_reshape(seed):
    """Reshape whose target shape is computed at run time from Shape -> Gather -> Unsqueeze -> Concat (torch's export
    of x.view(x.size(0), x.size(1) * 2, -1) without constant folding), plus a Flatten-by-Shape/Slice/ReduceProd chain."""
    rng = _rng(seed)
    inits = [numpy_helper.from_array(a, n) for n, a in (
        ("i0", np.array(0, np.int64)), ("i1", np.array(1, np.int64)), ("two", np.array(2, np.int64)),
        ("m1", np.array([-1], np.int64)), ("ax0", np.array([0], np.int64)),
        ("st", np.array([2], np.int64)), ("en", np.array([4], np.int64)), ("W", _w(rng, 48, 6)))]
    nodes = [helper.make_node("Shape", ["x"], ["s"]),
             helper.make_node("Gather", ["s", "i0"], ["d0"], axis=0),
             helper.make_node("Gather", ["s", "i1"], ["d1"], axis=0),
             helper.make_node("Mul", ["d1", "two"], ["d1x2"]),
             helper.make_node("Unsqueeze", ["d0", "ax0"], ["u0"]),
             helper.make_node("Unsqueeze", ["d1x2", "ax0"], ["u1"]),
             helper.make_node("Concat", ["u0", "u1", "m1"], ["shape1"], axis=0),
             helper.make_node("Reshape", ["x", "shape1"], ["y"]),
             helper.make_node("Shape", ["y"], ["sy"]),
             helper.make_node("Slice", ["sy", "i0_1", "st"], ["head"]),
             helper.make_node("Slice", ["sy", "st", "en"], ["tail"]),
             helper.make_node("ReduceProd", ["tail"], ["tailprod"], keepdims=1),
             helper.make_node("Concat", ["head", "tailprod"], ["shape2"], axis=0),
             helper.make_node("Reshape", ["y", "shape2"], ["z"]),
             helper.make_node("Slice", ["sy", "i0_1", "ax1"], ["b"]),
             helper.make_node("Concat", ["b", "m1"], ["shape3"], axis=0),
             helper.make_node("Reshape", ["z", "shape3"], ["flat"]),
             helper.make_node("Gemm", ["flat", "W"], ["out"])]
    inits += [numpy_helper.from_array(np.array([0], np.int64), "i0_1"), numpy_helper.from_array(np.array([1], np.int64), "ax1")]
    graph = helper.make_graph(nodes, "shapechain", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4, 3, 4])],
                              [helper.make_tensor_value_info("out", TensorProto.FLOAT, ["batch", 6])], initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="proxy-shapechain"), "--dims batch=3"


def clip_inputs(seed):
    """Clip in its three forms: opset 11+ with min and max as initializer inputs, with only max (min omitted by an
    empty name), and min/max computed at run time from the data (ReduceMin/ReduceMax)."""
    nodes = [helper.make_node("Clip", ["x", "lo", "hi"], ["a"]),
             helper.make_node("Clip", ["x", "", "hi"], ["b"]),
             helper.make_node("ReduceMin", ["x"], ["rmin"], keepdims=0),
             helper.make_node("ReduceMax", ["x"], ["rmax"], keepdims=0),
             helper.make_node("Mul", ["rmin", "half"], ["lo2"]),
             helper.make_node("Mul", ["rmax", "half"], ["hi2"]),
             helper.make_node("Clip", ["x", "lo2", "hi2"], ["c"]),
             helper.make_node("Clip", ["x"], ["d"]),
             helper.make_node("Sum", ["a", "b", "c", "d"], ["y"])]
    inits = [numpy_helper.from_array(np.array(-0.25, np.float32), "lo"), numpy_helper.from_array(np.array(0.5, np.float32), "hi"),
             numpy_helper.from_array(np.array(0.5, np.float32), "half")]
    graph = helper.make_graph(nodes, "clip", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 5])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3, 5])], initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 12)], producer_name="proxy-clip"), ""


def clip_attributes(seed):
    """Clip at opset 6 with min/max attributes (Relu6 of older exporters)."""
    nodes = [helper.make_node("Clip", ["x"], ["a"], min=0.0, max=6.0), helper.make_node("Clip", ["x"], ["b"], max=0.2),
             helper.make_node("Add", ["a", "b"], ["y"])]
    graph = helper.make_graph(nodes, "clip6", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 7])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4, 7])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 9)], producer_name="proxy-clip6"), ""


def split_forms(opset):
    def build(seed):
        """Split with the sizes as an attribute (opset < 13) or as an input (opset >= 13), an equal split with no
        sizes, and (opset 18) num_outputs."""
        nodes = []
        inits = []
        if opset < 13:
            nodes.append(helper.make_node("Split", ["x"], ["a", "b", "c"], axis=1, split=[1, 2, 3]))
        else:
            inits.append(numpy_helper.from_array(np.array([1, 2, 3], np.int64), "sizes"))
            nodes.append(helper.make_node("Split", ["x", "sizes"], ["a", "b", "c"], axis=1))
        nodes.append(helper.make_node("Split", ["x"], ["p", "q"], axis=-1))
        nodes += [helper.make_node("ReduceSum", ["b"] if opset < 13 else ["b", "ax"], ["bs"], keepdims=1, **({"axes": [1]} if opset < 13 else {})),
                  helper.make_node("Mul", ["a", "bs"], ["ab"]),
                  helper.make_node("Concat", ["c", "ab"], ["y"], axis=1),
                  helper.make_node("Sub", ["p", "q"], ["z"])]
        if opset >= 13:
            inits.append(numpy_helper.from_array(np.array([1], np.int64), "ax"))
        graph = helper.make_graph(nodes, f"split{opset}", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 6, 4])],
                                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 4, 4]),
                                   helper.make_tensor_value_info("z", TensorProto.FLOAT, [2, 6, 2])], initializer=inits)
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="proxy-split"), ""
    return build


def _q(rng, shape, dtype, lo=-60, hi=60):
    return rng.integers(lo, hi + 1, shape).astype(dtype)


def int8_mobilenet_qoperator(weight_type, per_channel):
    def build(seed):
        """int8 MobileNetV2-like block in ONNX Runtime's QOperator form (as quantize_static writes it and the model zoo's
        mobilenetv2-12-int8 has): QuantizeLinear, QLinearConv (stem, depthwise, pointwise; Relu folded into a zero
        point of 0), QLinearAdd for the residual, QLinearGlobalAveragePool, QLinearMatMul classifier, DequantizeLinear."""
        rng = _rng(seed)
        wt = np.int8 if weight_type == "int8" else np.uint8
        wzp = 0 if wt == np.int8 else 128
        inits, nodes = [], []

        def add(name, arr):
            inits.append(numpy_helper.from_array(np.asarray(arr), name))
            return name

        def qconv(name, x, xs, xzp, cin, cout, k, stride, group, ys, yzp):
            w = _q(rng, (cout, cin // group, k, k), np.int32) + wzp
            scale = (rng.uniform(0.5, 1.5, cout) * (0.02 if group == 1 else 0.05)).astype(np.float32)
            if not per_channel:
                scale = scale[:1].reshape(())
            add(name + "_w", w.astype(wt))
            add(name + "_ws", scale)
            add(name + "_wzp", np.full(scale.shape, wzp, wt) if per_channel else np.array(wzp, wt))
            add(name + "_b", rng.integers(-300, 300, cout).astype(np.int32))
            add(name + "_ys", np.array(ys, np.float32))
            add(name + "_yzp", np.array(yzp, np.uint8))
            nodes.append(helper.make_node("QLinearConv", [x, xs, xzp, name + "_w", name + "_ws", name + "_wzp", name + "_ys",
                                                          name + "_yzp", name + "_b"], [name],
                                          kernel_shape=[k, k], strides=[stride, stride], pads=[k // 2] * 4, group=group))
            return name, name + "_ys", name + "_yzp"

        add("in_s", np.array(2 / 255, np.float32))
        add("in_zp", np.array(128, np.uint8))
        nodes.append(helper.make_node("QuantizeLinear", ["input", "in_s", "in_zp"], ["xq"]))
        c1 = qconv("stem", "xq", "in_s", "in_zp", 3, 16, 3, 2, 1, 0.03, 0)
        c2 = qconv("dw", *c1, 16, 16, 3, 1, 16, 0.03, 0)
        c3 = qconv("pw", *c2, 16, 16, 1, 1, 1, 0.05, 128)
        add("add_s", np.array(0.06, np.float32))
        add("add_zp", np.array(100, np.uint8))
        nodes.append(helper.make_node("QLinearAdd", [*c3, *c1, "add_s", "add_zp"], ["res"], domain="com.microsoft"))
        add("gap_s", np.array(0.02, np.float32))
        add("gap_zp", np.array(110, np.uint8))
        nodes.append(helper.make_node("QLinearGlobalAveragePool", ["res", "add_s", "add_zp", "gap_s", "gap_zp"], ["gap"],
                                      domain="com.microsoft", channels_last=0))
        add("shape", np.array([1, 16], np.int64))
        nodes.append(helper.make_node("Reshape", ["gap", "shape"], ["flat"]))
        add("fc_w", (_q(rng, (16, 10), np.int32) + wzp).astype(wt))
        add("fc_ws", np.array(0.01, np.float32))
        add("fc_wzp", np.array(wzp, wt))
        add("fc_ys", np.array(0.05, np.float32))
        add("fc_yzp", np.array(128, np.uint8))
        nodes.append(helper.make_node("QLinearMatMul", ["flat", "gap_s", "gap_zp", "fc_w", "fc_ws", "fc_wzp", "fc_ys", "fc_yzp"], ["fcq"]))
        nodes.append(helper.make_node("DequantizeLinear", ["fcq", "fc_ys", "fc_yzp"], ["logits"]))
        graph = helper.make_graph(nodes, "int8mnv2", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 32, 32])],
                                  [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10])], initializer=inits)
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid("com.microsoft", 1)],
                                 producer_name="onnx.quantize"), ""
    return build


def int8_mobilenet_qdq(seed):
    """The same block in QDQ form (quantize_static's default, and torch/TF quantization exports): float Conv/Add/
    GlobalAveragePool/Gemm between QuantizeLinear/DequantizeLinear pairs, int8 per-channel weights behind
    DequantizeLinear(axis=0), int32 biases behind DequantizeLinear, Relu kept as a node."""
    rng = _rng(seed)
    inits, nodes = [], []

    def add(name, arr):
        inits.append(numpy_helper.from_array(np.asarray(arr), name))
        return name

    def qdq(x, scale, zp):
        add(x + "_s", np.array(scale, np.float32))
        add(x + "_zp", np.array(zp, np.uint8))
        nodes.append(helper.make_node("QuantizeLinear", [x, x + "_s", x + "_zp"], [x + "_q"]))
        nodes.append(helper.make_node("DequantizeLinear", [x + "_q", x + "_s", x + "_zp"], [x + "_dq"]))
        return x + "_dq", scale

    def conv(name, x, xs, cin, cout, k, stride, group, relu):
        ws = (rng.uniform(0.5, 1.5, cout) * (0.02 if group == 1 else 0.05)).astype(np.float32)
        add(name + "_w", _q(rng, (cout, cin // group, k, k), np.int8))
        add(name + "_ws", ws)
        add(name + "_wzp", np.zeros(cout, np.int8))
        nodes.append(helper.make_node("DequantizeLinear", [name + "_w", name + "_ws", name + "_wzp"], [name + "_wf"], axis=0))
        add(name + "_b", rng.integers(-300, 300, cout).astype(np.int32))
        add(name + "_bs", (ws * xs).astype(np.float32))
        nodes.append(helper.make_node("DequantizeLinear", [name + "_b", name + "_bs"], [name + "_bf"], axis=0))
        nodes.append(helper.make_node("Conv", [x, name + "_wf", name + "_bf"], [name + "_y"], kernel_shape=[k, k],
                                      strides=[stride, stride], pads=[k // 2] * 4, group=group))
        y = name + "_y"
        if relu:
            nodes.append(helper.make_node("Relu", [y], [name + "_r"]))
            y = name + "_r"
        return y

    x, xs = qdq("input", 2 / 255, 128)
    x, xs = qdq(conv("stem", x, xs, 3, 16, 3, 2, 1, True), 0.03, 0)
    skip = x
    d, ds = qdq(conv("dw", x, xs, 16, 16, 3, 1, 16, True), 0.03, 0)
    p, ps = qdq(conv("pw", d, ds, 16, 16, 1, 1, 1, False), 0.05, 128)
    nodes.append(helper.make_node("Add", [p, skip], ["res"]))
    r, rs = qdq("res", 0.06, 100)
    nodes.append(helper.make_node("GlobalAveragePool", [r], ["gap"]))
    g, gs = qdq("gap", 0.02, 110)
    nodes.append(helper.make_node("Flatten", [g], ["flat"], axis=1))
    add("fc_w", _q(rng, (10, 16), np.int8))
    add("fc_ws", np.array(0.01, np.float32))
    nodes.append(helper.make_node("DequantizeLinear", ["fc_w", "fc_ws"], ["fc_wf"]))
    add("fc_b", rng.integers(-300, 300, 10).astype(np.int32))
    add("fc_bs", np.array(0.01 * gs, np.float32))
    nodes.append(helper.make_node("DequantizeLinear", ["fc_b", "fc_bs"], ["fc_bf"]))
    nodes.append(helper.make_node("Gemm", ["flat", "fc_wf", "fc_bf"], ["fc"], transB=1))
    out, _ = qdq("fc", 0.05, 128)
    nodes.append(helper.make_node("Identity", [out], ["logits"]))
    graph = helper.make_graph(nodes, "int8qdq", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 32, 32])],
                              [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10])], initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="onnx.quantize"), ""


def names_and_dims(seed):
    """Names and dimensions as other exporters leave them: torch's "input.1" and numeric output names, names that
    collide once made C# identifiers ("a.b" and "a_b"), a paddle2onnx dim_param with dots, an anonymous dynamic
    dimension (neither dim_value nor dim_param), and a scalar (rank 0) int64 input used as a multiplier."""
    rng = _rng(seed)
    x = helper.make_tensor_value_info("input.1", TensorProto.FLOAT, ["p2o.DynamicDimension.0", 4])
    y = helper.make_tensor_value_info("0", TensorProto.FLOAT, [None, 4])
    k = helper.make_tensor_value_info("k", TensorProto.INT64, [])
    w = numpy_helper.from_array(_w(rng, 4, 4), "onnx::MatMul_7")
    nodes = [helper.make_node("MatMul", ["input.1", "onnx::MatMul_7"], ["a.b"]),
             helper.make_node("Cast", ["k"], ["kf"], to=TensorProto.FLOAT),
             helper.make_node("Mul", ["0", "kf"], ["scaled"]),
             helper.make_node("ReduceSum", ["scaled"], ["s"], keepdims=1, axes=[0]),
             helper.make_node("Add", ["a.b", "s"], ["a_b"]),
             helper.make_node("Relu", ["a_b"], ["123"])]
    outs = [helper.make_tensor_value_info("a.b", TensorProto.FLOAT, ["p2o.DynamicDimension.0", 4]),
            helper.make_tensor_value_info("a_b", TensorProto.FLOAT, ["p2o.DynamicDimension.0", 4]),
            helper.make_tensor_value_info("123", TensorProto.FLOAT, [None, 4])]
    graph = helper.make_graph(nodes, "torch_jit", [x, y, k], outs, initializer=[w])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)], producer_name="pytorch"), \
        "--dims p2o.DynamicDimension.0=3 --shape 0=2x4 --int-max 3"


HANDMADE = {
    "ir3_initializer_inputs": ir3_inputs_initializers,
    "constant_nodes": constant_nodes,
    "nhwc_keras": nhwc_keras,
    "shape_chain_reshape": shape_chain_reshape,
    "clip_inputs": clip_inputs,
    "clip_attributes": clip_attributes,
    "split_attribute_op11": split_forms(11),
    "split_input_op13": split_forms(13),
    "int8_qoperator_u8": int8_mobilenet_qoperator("uint8", False),
    "int8_qoperator_s8_perchannel": int8_mobilenet_qoperator("int8", True),
    "int8_qdq": int8_mobilenet_qdq,
    "names_and_dims": names_and_dims,
}

# The committed test assets (small; regenerated with --assets).
ASSETS = ["bert_op13", "yolox_op11", "dbnet_op17", "crnn_op9", "wakeword_op13", "ssdface_op11", "vad_op17",
          "nhwc_keras", "shape_chain_reshape", "ir3_initializer_inputs", "int8_qoperator_s8_perchannel", "int8_qdq",
          "names_and_dims"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="/tmp/proxies")
    parser.add_argument("--opsets", default="9,11,13,17")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", default="", help="comma-separated family names")
    parser.add_argument("--assets", action="store_true", help="write the committed test assets instead")
    args = parser.parse_args()
    torch.set_num_threads(1)
    out = args.out
    if args.assets:
        out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "ModelGen.Tests", "Models", "proxies")
    os.makedirs(out, exist_ok=True)
    only = set(filter(None, args.only.split(",")))
    manifest = []
    import warnings
    warnings.filterwarnings("ignore")
    for name in families():
        if only and name not in only:
            continue
        opsets = families()[name][6] or [int(o) for o in args.opsets.split(",")]
        if opsets != [int(o) for o in args.opsets.split(",")] and not only:
            continue  # families with their own opsets (large ones) only when asked for by --only
        for opset in opsets:
            if args.assets and f"{name}_op{opset}" not in ASSETS:
                continue
            try:
                path, vargs = export_torch(name, opset, out, args.seed)
            except Exception as e:  # an exporter limit at this opset: note it and go on
                print(f"{name} opset {opset}: not exported ({type(e).__name__}: {str(e).splitlines()[0][:120]})", file=sys.stderr)
                continue
            manifest.append(f"{os.path.basename(path)} {vargs}".strip())
            print(f"{path}: {os.path.getsize(path):,} bytes", file=sys.stderr)
    for name, build in HANDMADE.items():
        if (only and name not in only) or (args.assets and name not in ASSETS):
            continue
        model, vargs = build(args.seed)
        onnx.checker.check_model(model)
        path = os.path.join(out, name + ".onnx")
        onnx.save(model, path)
        manifest.append(f"{name}.onnx {vargs}".strip())
        print(f"{path}: {os.path.getsize(path):,} bytes", file=sys.stderr)
    with open(os.path.join(out, "manifest.txt"), "w") as f:
        f.write("\n".join(manifest) + "\n")


if __name__ == "__main__":
    main()
