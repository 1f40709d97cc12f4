using System;
using System.Collections.Generic;
using System.Linq;
using Google.Protobuf;
using Microsoft.CodeAnalysis;
using ModelGen.Cli.Verification;
using ModelGen.Common;
using ModelGen.Compiler;
using ModelGen.Configuration;
using ModelGen.Ir;
using ModelGen.Onnx;
using ModelGen.Onnx.Proto;

namespace ModelGen.Cli.Conformance;

/// <summary>How a case's inputs reach the model.</summary>
public enum ConformanceMode
{
    /// <summary>
    /// Graph inputs are given at run time, as the backend tests do, except the few whose values decide shapes (MG0203), which
    /// are bound at build time as a user binds them (Values metadata).
    /// </summary>
    Runtime,

    /// <summary>Every input but the first is baked into the model as an initializer, the way real models carry weights.</summary>
    Baked,
}

public enum CaseStatus
{
    Passed,

    /// <summary>Compiled and ran, but an output differs (values or shape).</summary>
    Failed,

    /// <summary>Refused with a diagnostic (an operator, type or configuration ModelGen does not support).</summary>
    Unsupported,

    /// <summary>A bug: the generator threw, the generated code did not compile, or it threw at run time.</summary>
    Error,
}

public sealed record CaseOutcome(string Id, ConformanceMode Mode, CaseStatus Status, string Reason, double Seconds);

/// <summary>
/// Runs one backend case in one mode: compiles it with ModelGen in memory, runs every data set and compares each output
/// with the stored one as ONNX's backend runner does (numpy assert_allclose: |ours − expected| ≤ atol + rtol·|expected|,
/// rtol 1e-3 and atol 1e-7 unless <see cref="Tolerances"/> names the case; NaN equals NaN).
/// </summary>
public static class ConformanceRunner
{
    public const double DefaultRelTolerance = 1e-3;
    public const double DefaultAbsTolerance = 1e-7;

    /// <summary>
    /// Cases that get looser tolerances, with why. ONNX's own runner loosens some of these too; the others compute in float
    /// what the reference computes in double.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, (double Rel, double Abs, string Why)> Tolerances =
        new Dictionary<string, (double, double, string)>(StringComparer.Ordinal)
        {
            ["light/light_densenet121"] = (2e-3, 1e-7, "ONNX's runner uses rtol 2e-3 for it"),
            ["node/test_dft_inverse"] = (1e-3, 1e-6, DftNoise),
            ["node/test_dft_inverse_opset19"] = (1e-3, 1e-6, DftNoise),
        };

    /// <summary>Cases whose expected output ModelGen does not reproduce on purpose, with why (shown in the report).</summary>
    public static readonly IReadOnlyDictionary<string, string> KnownDifferences = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["node/test_resize_downsample_scales_cubic_align_corners"] = AlignCorners,
        ["node/test_resize_downsample_scales_linear_align_corners"] = AlignCorners,
    };

    private const string DftNoise = "the expected data is numpy's single-precision transform, off by up to 1.9e-7 where the exact value " +
        "(which ModelGen, transforming in double, gives) is 0";

    private const string AlignCorners = "align_corners with scales: ModelGen divides by the integer output length − 1, as ONNX Runtime's Resize does " +
        "(ModelGen's Resize tests compare with it); ONNX's reference, which made the expected data, divides by input length × scale − 1";

    private static readonly ModelOptions Options = ModelOptions.Default("ConformanceModel", "ModelGen.Conformance");

    public static CaseOutcome Run(BackendCase c, ConformanceMode mode)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        CaseOutcome Done(CaseStatus status, string reason) => new(c.Id, mode, status, reason, watch.Elapsed.TotalSeconds);
        try
        {
            if (c.DataSets.Count == 0) return Done(CaseStatus.Unsupported, "no test data set");
            if (c.DataSets.Any(s => s.Inputs.Any(t => t is null) || s.Outputs.Any(t => t is null)))
                return Done(CaseStatus.Unsupported, "sequence, optional or map inputs or outputs");
            var (rel, abs) = Tolerances.TryGetValue(c.Id, out var t) ? (t.Rel, t.Abs) : (DefaultRelTolerance, DefaultAbsTolerance);
            foreach (var set in c.DataSets)
            {
                var (result, kept) = Compile(c, set, mode);
                if (!result.Success) return Done(CaseStatus.Unsupported, FirstError(result));
                var model = InMemoryModel.Load(result, Options);
                string? problem = RunDataSet(c, model, set, kept, rel, abs);
                if (problem is not null)
                    return Done(CaseStatus.Failed, KnownDifferences.TryGetValue(c.Id, out var why) ? problem + " (known: " + why + ")" : problem);
            }
            return Done(CaseStatus.Passed, "");
        }
        catch (Exception e)
        {
            return Done(CaseStatus.Error, e.GetType().Name + ": " + Shorten(e.Message));
        }
    }

    private static readonly System.Text.RegularExpressions.Regex BuildTimeInput =
        new("(?:input '([^']+)' must be known at build time|graph input '([^']+)')", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>
    /// Compiles the case for one data set. Baked: every run-time input but the first becomes an initializer holding the data
    /// set's tensor. Run-time: only the inputs ModelGen needs at build time (a Reshape's shape, a Slice's starts: MG0203 names
    /// them) are bound, as a user binds them with the Values metadata. Returns the indices of the inputs still given at run time.
    /// </summary>
    private static (CompileResult Result, List<int> Kept) Compile(BackendCase c, BackendDataSet set, ConformanceMode mode)
    {
        var model = c.Model.Clone();
        var graph = model.Graph;
        var runtime = graph.Input.Where(i => graph.Initializer.All(t => t.Name != i.Name)).ToList();
        var kept = Enumerable.Range(0, runtime.Count).ToList();
        void Bind(int i)
        {
            var init = set.Inputs[i]!.Clone();
            init.Name = runtime[i].Name;
            graph.Initializer.Add(init);
            graph.Input.Remove(runtime[i]);
            kept.Remove(i);
        }
        if (mode == ConformanceMode.Baked)
            for (int i = 1; i < runtime.Count && i < set.Inputs.Count; i++) Bind(i);
        // Open dimensions (a dim_param, an unknown size) get the data set's shape, as a user fixes them with Shapes metadata.
        var shapes = runtime.Select((v, i) => (Info: v, Index: i))
            .Where(p => p.Index < set.Inputs.Count && set.Inputs[p.Index] is not null && HasOpenDimension(p.Info))
            .Select(p => new ShapeBinding(p.Info.Name, new EquatableArray<int>(set.Inputs[p.Index]!.Dims.Select(d => checked((int)d)).ToArray())))
            .ToArray();
        var options = shapes.Length == 0 ? Options : Options with { Shapes = new EquatableArray<ShapeBinding>(shapes) };
        while (true)
        {
            var result = ModelCompiler.Compile(model.ToByteArray(), c.Name + ".onnx", options);
            var wanted = result.Diagnostics.Where(d => d.Id == "MG0203").SelectMany(d => BuildTimeInput.Matches(d.Message).Cast<System.Text.RegularExpressions.Match>())
                .Select(m => runtime.FindIndex(v => v.Name == (m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value))).Where(i => i >= 0 && kept.Contains(i) && i < set.Inputs.Count).Distinct().ToList();
            if (result.Success || wanted.Count == 0) return (result, kept);
            foreach (var i in wanted) Bind(i);
        }
    }

    private static bool HasOpenDimension(ValueInfoProto input) =>
        input.Type?.TensorType is { } tensor && (tensor.Shape is null || tensor.Shape.Dim.Any(d => d.ValueCase != TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue));

    /// <summary>Runs one data set; null when every output matches, else what differs.</summary>
    private static string? RunDataSet(BackendCase c, Runtime.IOnnxModel model, BackendDataSet set, List<int> given, double rel, double abs)
    {
        var graph = c.Model.Graph;
        var runtimeNames = graph.Input.Where(i => graph.Initializer.All(t => t.Name != i.Name)).Select(i => i.Name).ToList();
        var inputs = new Array[model.Inputs.Count];
        for (int k = 0; k < model.Inputs.Count; k++)
        {
            var info = model.Inputs[k];
            int index = runtimeNames.IndexOf(info.OnnxName);
            if (index < 0 || !given.Contains(index) || index >= set.Inputs.Count) return $"input '{info.OnnxName}' has no data";
            var tensor = TensorReader.Read(set.Inputs[index]!);
            if (tensor.Length != info.Length) return $"input '{info.OnnxName}' has {tensor.Length} elements, the model takes {info.Length}";
            inputs[k] = ToArray(tensor, info.ElementType);
        }
        var outputs = model.Outputs.Select(o => Array.CreateInstance(o.ElementType, o.Length)).ToArray();
        Span<int> counts = stackalloc int[outputs.Length];
        model.Run(inputs, outputs, counts);
        var outputNames = graph.Output.Select(o => o.Name).ToList();
        for (int k = 0; k < outputs.Length; k++)
        {
            var info = model.Outputs[k];
            int index = outputNames.IndexOf(info.OnnxName);
            if (index < 0 || index >= set.Outputs.Count) continue;
            var expected = TensorReader.Read(set.Outputs[index]!);
            // Outputs with a run-time length: only the valid data (from element 0) is compared.
            var shape = info.ValidShape(counts[k]);
            if (!expected.Shape.SequenceEqual(shape))
                return $"{set.Folder}: output '{info.OnnxName}' has shape {Shapes.Format(shape)}{(info.DynamicAxis >= 0 ? $" (capacity {Shapes.Format(info.Shape)})" : "")}, expected {Shapes.Format(expected.Shape)}";
            string? diff = Compare(ValidPart(outputs[k], info, counts[k]), expected, rel, abs);
            if (diff is not null) return $"{set.Folder}: output '{info.OnnxName}' {diff}";
        }
        return null;
    }

    /// <summary>The valid data of an output: all of it, or for a run-time length the dense prefix of that shape.</summary>
    public static Array ValidPart(Array output, Runtime.TensorInfo info, int count)
    {
        if (info.DynamicAxis < 0) return output;
        var valid = Array.CreateInstance(output.GetType().GetElementType()!, info.ValidLength(count));
        Array.Copy(output, valid, valid.Length);
        return valid;
    }

    /// <summary>Null when every element is within tolerance; else the worst element.</summary>
    public static string? Compare(Array ours, Tensor expected, double rel, double abs)
    {
        if (ours.Length != expected.Length) return $"has {ours.Length} elements, expected {expected.Length}";
        // Bits-only types (float8, bfloat16, int4, ...) come out as their raw bits: compare bits.
        if (DataTypes.IsBitsOnly(expected.Type)) expected = Tensor.FromLongs(DataType.Int64, expected.Shape, DataTypes.StorageBits(expected));
        bool integral = expected.Floats is null && expected.Doubles is null;
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < ours.Length; i++)
        {
            object v = ours.GetValue(i)!;
            if (integral)
            {
                long a = ToLong(v), b = expected.Longs![i];
                if (a != b) return $"differs at {i}: {a}, expected {b}";
                continue;
            }
            double x = ToDouble(v), e = expected.GetDouble(i);
            if (double.IsNaN(e) ? double.IsNaN(x) : x == e) continue;
            double excess = Math.Abs(x - e) - (abs + rel * Math.Abs(e));
            if (double.IsNaN(excess)) excess = double.PositiveInfinity;
            if (excess > 0 && excess > worst) { worst = excess; worstAt = i; }
        }
        if (worstAt < 0) return null;
        return $"differs at {worstAt}: {ToDouble(ours.GetValue(worstAt)!).ToString("R", System.Globalization.CultureInfo.InvariantCulture)}, " +
            $"expected {expected.GetDouble(worstAt).ToString("R", System.Globalization.CultureInfo.InvariantCulture)}";
    }

    /// <summary>The generated code's element type for an ONNX element type (bits-only types: their storage type); the one map tools and tests share.</summary>
    public static Type ClrType(DataType t) => t switch
    {
        DataType.Float => typeof(float),
        DataType.Double => typeof(double),
        DataType.Float16 => typeof(Half),
        DataType.Int64 => typeof(long),
        DataType.Int32 => typeof(int),
        DataType.Int16 => typeof(short),
        DataType.Int8 => typeof(sbyte),
        DataType.UInt64 => typeof(ulong),
        DataType.UInt32 => typeof(uint),
        DataType.UInt16 => typeof(ushort),
        DataType.UInt8 => typeof(byte),
        DataType.Bool => typeof(bool),
        _ when DataTypes.IsBitsOnly(t) => DataTypes.StorageName(t) switch { "ushort" => typeof(ushort), "sbyte" => typeof(sbyte), _ => typeof(byte) },
        _ => throw new NotSupportedException($"element type {DataTypes.OnnxName(t)}"),
    };

    /// <summary>An IR tensor as an array of the generated code's element type for its own type.</summary>
    public static Array ToArray(Tensor t) => DataTypes.IsBitsOnly(t.Type) ? DataTypes.StorageArray(t) : ToArray(t, ClrType(t.Type));

    /// <summary>An IR tensor as an array of the generated code's element type.</summary>
    public static Array ToArray(Tensor t, Type type)
    {
        int n = t.Length;
        if (DataTypes.IsBitsOnly(t.Type)) return DataTypes.StorageArray(t);
        if (type == typeof(float)) return Enumerable.Range(0, n).Select(i => (float)t.GetDouble(i)).ToArray();
        if (type == typeof(double)) return Enumerable.Range(0, n).Select(t.GetDouble).ToArray();
        if (type == typeof(Half)) return Enumerable.Range(0, n).Select(i => (Half)t.GetDouble(i)).ToArray();
        if (type == typeof(bool)) return Enumerable.Range(0, n).Select(i => t.GetLong(i) != 0).ToArray();
        var longs = t.AsLongs();
        if (type == typeof(long)) return longs;
        if (type == typeof(int)) return longs.Select(v => unchecked((int)v)).ToArray();
        if (type == typeof(short)) return longs.Select(v => unchecked((short)v)).ToArray();
        if (type == typeof(sbyte)) return longs.Select(v => unchecked((sbyte)v)).ToArray();
        if (type == typeof(ulong)) return longs.Select(v => unchecked((ulong)v)).ToArray();
        if (type == typeof(uint)) return longs.Select(v => unchecked((uint)v)).ToArray();
        if (type == typeof(ushort)) return longs.Select(v => unchecked((ushort)v)).ToArray();
        if (type == typeof(byte)) return longs.Select(v => unchecked((byte)v)).ToArray();
        throw new NotSupportedException($"element type {type.Name}");
    }

    private static long ToLong(object v) => v switch
    {
        bool b => b ? 1 : 0,
        ulong u => unchecked((long)u),
        IConvertible c => c.ToInt64(System.Globalization.CultureInfo.InvariantCulture),
        _ => throw new NotSupportedException(v.GetType().Name),
    };

    private static double ToDouble(object v) => v switch
    {
        Half h => (double)h,
        bool b => b ? 1 : 0,
        IConvertible c => c.ToDouble(System.Globalization.CultureInfo.InvariantCulture),
        _ => throw new NotSupportedException(v.GetType().Name),
    };

    private static string FirstError(CompileResult result)
    {
        var d = result.Diagnostics.FirstOrDefault(x => x.Severity == DiagnosticSeverity.Error);
        return d is null ? "not compiled" : d.Id + ": " + Shorten(d.Message);
    }

    private static string Shorten(string s)
    {
        s = s.Replace('\n', ' ').Replace('\r', ' ').Replace('|', '/');
        return s.Length <= 200 ? s : s.Substring(0, 197) + "...";
    }
}
