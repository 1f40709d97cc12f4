#!/usr/bin/python3
"""Exports the control-flow test models in tests/ModelGen.Tests/Models/control-flow with PyTorch's TorchScript
exporter, which writes If and Loop the way real models have them (torch.jit.script: a Python `if` on a tensor becomes
If, a `for` over a range becomes Loop). Random weights, fixed seed. Run from the repository root:

    /usr/bin/python3 tools/export_control_flow.py

vad16.onnx    a voice-activity detector's shape: If (sr == 16000) picks a Conv1d + LSTMCell per sample rate, the
              state carried in and out (Silero-style).
frames16.onnx a Loop over the frames of the input (trip count from its shape) that runs an Elman recurrence per frame and
              collects every hidden state.
"""
import os
import torch
import torch.nn as nn

OUT = os.path.join("tests", "ModelGen.Tests", "Models", "control-flow")


class Vad(nn.Module):
    def __init__(self):
        super().__init__()
        self.c16 = nn.Conv1d(1, 8, 9, stride=4, padding=4)
        self.c8 = nn.Conv1d(1, 8, 5, stride=2, padding=2)
        self.l16 = nn.LSTMCell(8, 16)
        self.l8 = nn.LSTMCell(8, 16)
        self.out = nn.Linear(16, 1)

    def forward(self, x, sr, h, c):
        if bool(sr == 16000):
            f = torch.relu(self.c16(x.unsqueeze(1))).mean(dim=2)
            h2, c2 = self.l16(f, (h, c))
        else:
            f = torch.relu(self.c8(x.unsqueeze(1))).mean(dim=2)
            h2, c2 = self.l8(f, (h, c))
        return torch.sigmoid(self.out(h2)), h2, c2


class Frames(nn.Module):
    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(12, 10)
        self.rec = nn.Linear(10, 10)

    def forward(self, x, h):
        states = []
        for t in range(x.size(0)):
            h = torch.tanh(self.inp(x[t]) + self.rec(h))
            states.append(h)
        return torch.stack(states), h


def main():
    torch.manual_seed(7)
    os.makedirs(OUT, exist_ok=True)
    vad = torch.jit.script(Vad().eval())
    torch.onnx.export(vad, (torch.randn(1, 512), torch.tensor(16000), torch.zeros(1, 16), torch.zeros(1, 16)),
                      os.path.join(OUT, "vad16.onnx"), opset_version=16,
                      input_names=["x", "sr", "h", "c"], output_names=["p", "hn", "cn"])
    frames = torch.jit.script(Frames().eval())
    torch.onnx.export(frames, (torch.randn(5, 1, 12), torch.zeros(1, 10)),
                      os.path.join(OUT, "frames16.onnx"), opset_version=16,
                      input_names=["x", "h"], output_names=["states", "hn"])


if __name__ == "__main__":
    main()
