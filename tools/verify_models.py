#!/usr/bin/env python3
"""Runs `modelgen inspect --json` and `modelgen verify --json` on models and prints the markdown tables of
docs/verification.md. Standard library only.

    dotnet build -c Release src/Cli
    python3 tools/verify_models.py [--modelgen src/Cli/bin/Release/net10.0/modelgen] [--runs 20] MODEL.onnx...

With no models it takes /tmp/modelgen-models/{mobilenet_v2,resnet18,squeezenet1_1}.onnx (tools/export_torchvision.py).
Latencies are one thread each: the first table has the steady state (median after warm-up until the JIT settled), the
second the first call and the median of calls 2-11. Other processes on the machine make them noisy.
"""
import argparse
import json
import os
import subprocess
import sys

DEFAULT_MODELS = [f"/tmp/modelgen-models/{m}.onnx" for m in ("mobilenet_v2", "resnet18", "squeezenet1_1")]


def run(modelgen, args):
    proc = subprocess.run([modelgen, *args], capture_output=True, text=True)
    try:
        return proc.returncode, json.loads(proc.stdout)
    except json.JSONDecodeError:
        sys.exit(f"modelgen {' '.join(args)} exited {proc.returncode} without JSON:\n{proc.stdout}{proc.stderr}")


def sci(x):
    return "—" if x is None else f"{x:.1e}"


def latency(us):
    if not us:
        return "—"
    return f"{us / 1000:.2f} ms" if us >= 1000 else f"{us:.0f} µs"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("models", nargs="*", default=DEFAULT_MODELS)
    parser.add_argument("--modelgen", default="src/Cli/bin/Release/net10.0/modelgen")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    if not os.path.exists(args.modelgen):
        sys.exit(f"{args.modelgen} not found: dotnet build -c Release src/Cli")

    summary = ["| model | parameters | MACs | arena | supported | max abs diff | max rel diff | ModelGen | ONNX Runtime | verify exit |",
               "|---|---|---|---|---|---|---|---|---|---|"]
    early = ["| model | ModelGen first call | ModelGen calls 2-11 | ModelGen steady | ORT first call | ORT calls 2-11 | ORT steady | JIT settled |",
             "|---|---|---|---|---|---|---|---|"]
    needs = []
    for path in args.models:
        name = os.path.basename(path)
        _, info = run(args.modelgen, ["inspect", path, "--json", "--weights", "resource"])
        code, result = run(args.modelgen, ["verify", path, "--json", "--runs", str(args.runs)])
        outputs = result["outputs"]
        abs_diff = max((o["maxAbsDiff"] for o in outputs if o["maxAbsDiff"] is not None), default=None)
        rel_diff = max((o["maxRelDiff"] for o in outputs if o["maxRelDiff"] is not None), default=None)
        macs = info["macs"]
        macs_text = "—" if macs is None else f"{macs:,}" + (" (partial)" if info["nodesWithoutMacs"] else "")
        arena = "—" if info["arenaBytes"] is None else f"{info['arenaBytes']:,} B"
        summary.append(f"| {name} | {info['parameters']:,} | {macs_text} | {arena} | {'yes' if result['supported'] else 'no'} | "
                       f"{sci(abs_diff)} | {sci(rel_diff)} | {latency(result['generatedMicros'])} | "
                       f"{latency(result['onnxRuntimeMicros'])} | {code} |")
        lat = result.get("latency", {})
        g, o = lat.get("generated") or {}, lat.get("onnxRuntime") or {}
        if g.get("steadyMicros"):
            settled = "yes" if g.get("settled") and o.get("settled") else "no"
            early.append(f"| {name} | {latency(g.get('firstCallMicros'))} | {latency(g.get('calls2To11MedianMicros'))} | "
                         f"{latency(g.get('steadyMicros'))} | {latency(o.get('firstCallMicros'))} | "
                         f"{latency(o.get('calls2To11MedianMicros'))} | {latency(o.get('steadyMicros'))} | {settled} |")
        unsupported = info["operators"]["unsupported"]
        other = sorted({d["id"] for d in info["diagnostics"] if d["id"] != "MG0201" and d["severity"] == "error"})
        if unsupported or other or result.get("error"):
            ops = ", ".join(f"{op} ×{n}" for op, n in sorted(unsupported.items()))
            extra = "; ".join([*(f"{i}" for i in other), *([result["error"]] if result.get("error") else [])])
            needs.append(f"| {name} | {ops or '—'} | {extra or '—'} |")

    print("\n".join(summary))
    if len(early) > 2:
        print()
        print("\n".join(early))
    if needs:
        print()
        print("| model | unsupported operators (MG0201) | other errors |")
        print("|---|---|---|")
        print("\n".join(needs))


if __name__ == "__main__":
    main()
