#!/usr/bin/env python3
"""Prints the markdown table of docs/performance.md from a ModelSetBenchmarks run. Standard library only.

    dotnet run -c Release --project benchmarks/ModelGen.Benchmarks -- --filter '*ModelSet*'
    dotnet build -c Release src/Cli
    python3 tools/model_set_table.py [--report BenchmarkDotNet.Artifacts/results/ModelGen.Benchmarks.ModelSetBenchmarks-report-brief.json]
                                     [--models artifacts/models] [--modelgen src/Cli/bin/Release/net10.0/modelgen]

Reads BenchmarkDotNet's brief JSON report (mean and allocated bytes per operation, the CPU), the model set's
manifest.json (input shapes) and `modelgen inspect --json` (MACs after ModelGen's passes). Speed-up = ONNX Runtime mean /
ModelGen mean, so above 1 means ModelGen is faster; the geometric mean is over the models in the report.
"""
import argparse
import json
import math
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELGEN = "ModelGenPredict"
ORT = "OnnxRuntimeRunWithBinding"


def time_text(ns):
    if ns is None:
        return "—"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.1f} µs"
    return f"{ns:.0f} ns"


def count_text(n):
    if n is None:
        return "—"
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= scale:
            return f"{n / scale:.2f} {unit}"
    return str(n)


def bytes_text(b):
    return "—" if b is None else f"{b:,} B"


def macs_of(modelgen, path):
    proc = subprocess.run([modelgen, "inspect", path, "--json", "--weights", "resource"], capture_output=True, text=True)
    try:
        info = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return None, True
    return info.get("macs"), bool(info.get("nodesWithoutMacs"))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--report", default=os.path.join(
        "BenchmarkDotNet.Artifacts", "results", "ModelGen.Benchmarks.ModelSetBenchmarks-report-brief.json"))
    parser.add_argument("--models", default=os.environ.get("MODELGEN_MODELS") or os.path.join(REPO, "artifacts", "models"))
    parser.add_argument("--modelgen", default=os.path.join(REPO, "src", "Cli", "bin", "Release", "net10.0", "modelgen"))
    args = parser.parse_args()

    with open(args.report, encoding="utf-8") as f:
        report = json.load(f)
    manifest = {}
    manifest_path = os.path.join(args.models, "manifest.json")
    if os.path.exists(manifest_path):
        with open(manifest_path, encoding="utf-8") as f:
            manifest = {m["name"]: m for m in json.load(f)["models"]}

    rows = {}  # model -> method -> (mean ns, allocated bytes)
    for b in report["Benchmarks"]:
        model = b["Parameters"].split("=", 1)[1] if "=" in b["Parameters"] else b["Parameters"]
        stats = b.get("Statistics") or {}
        memory = b.get("Memory") or {}
        rows.setdefault(model, {})[b["Method"]] = (stats.get("Mean"), memory.get("BytesAllocatedPerOperation"))

    have_modelgen = os.path.exists(args.modelgen)
    if not have_modelgen:
        print(f"({args.modelgen} not found: MACs left out; dotnet build -c Release src/Cli)", file=sys.stderr)

    lines = ["| model | input | MACs | ModelGen mean | ONNX Runtime mean | speed-up (ORT / ModelGen) | allocated per Predict: ModelGen / ORT |",
             "|---|---|--:|--:|--:|--:|--:|"]
    speedups = []
    for model in sorted(rows, key=lambda m: list(manifest).index(m) if m in manifest else len(manifest)):
        ours, theirs = rows[model].get(MODELGEN, (None, None)), rows[model].get(ORT, (None, None))
        entry = manifest.get(model)
        shape = "—" if entry is None else ", ".join(
            f"{i['name']} {'x'.join(str(d) for d in i['shape'])}" for i in entry["inputs"])
        macs = "—"
        if have_modelgen:
            value, partial = macs_of(args.modelgen, os.path.join(args.models, model + ".onnx"))
            macs = count_text(value) + (" (lower bound)" if value is not None and partial else "")
        speedup = theirs[0] / ours[0] if ours[0] and theirs[0] else None
        if speedup:
            speedups.append(speedup)
        flag = "" if speedup is None or speedup >= 0.9 else " ⚠"
        lines.append(f"| {model} | {shape} | {macs} | {time_text(ours[0])} | {time_text(theirs[0])} | "
                     f"{'—' if speedup is None else f'{speedup:.2f}x'}{flag} | {bytes_text(ours[1])} / {bytes_text(theirs[1])} |")
    print("\n".join(lines))
    print()
    if speedups:
        geo = math.exp(sum(math.log(s) for s in speedups) / len(speedups))
        below = sum(1 for s in speedups if s < 0.9)
        print(f"Geometric mean speed-up over {len(speedups)} models: **{geo:.2f}x** "
              f"(goal >= 1.3x); models below 0.9x: {below} (goal: none).")
    host = report.get("HostEnvironmentInfo") or {}
    cpu = host.get("ProcessorName") or host.get("CpuInfo") or "?"
    cores = f", {host.get('PhysicalCoreCount')} physical / {host.get('LogicalCoreCount')} logical cores" if host.get("LogicalCoreCount") else ""
    print(f"\nCPU: {cpu}{cores}; {host.get('RuntimeVersion', '?')}, {host.get('Architecture', '?')}; "
          f"BenchmarkDotNet {host.get('BenchmarkDotNetVersion', '?')}; report {report.get('Title', '?')}.")


if __name__ == "__main__":
    main()
