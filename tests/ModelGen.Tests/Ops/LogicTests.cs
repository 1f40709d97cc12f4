using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Onnx.Proto;
using ModelGen.Tests.Infrastructure;
using Xunit;
using DT = ModelGen.Onnx.Proto.TensorProto.Types.DataType;

namespace ModelGen.Tests.Ops;

/// <summary>
/// Comparison, logic, bitwise, Where, Mod, BitShift, IsNaN, IsInf and Mean, and the integer and float16 backend cases of
/// the arithmetic binary ops: ONNX backend node tests in both modes, ONNX Runtime on random broadcast inputs whose row
/// lengths (1, 7, 33, 257, ...) cover vector bodies and scalar tails, and build-time folding of int64 shape tensors.
/// </summary>
[Trait("Category", "Ops")]
public class LogicTests
{
    private static readonly string[] Prefixes =
    {
        "test_equal", "test_less", "test_greater", "test_and", "test_or", "test_xor", "test_not_", "test_where_", "test_bitshift_",
        "test_bitwise_", "test_isnan", "test_isinf", "test_mod_", "test_mean_",
        "test_add", "test_sub", "test_mul", "test_div", "test_pow", "test_min_", "test_max_", "test_sum_",
    };

    /// <summary>Cases that cannot pass, with the reason.</summary>
    private static readonly Dictionary<string, string> KnownFailures = new(StringComparer.Ordinal)
    {
        ["test_equal_string"] = "string tensors are not supported (no runtime element type)",
        ["test_equal_string_broadcast"] = "string tensors are not supported (no runtime element type)",
        // Not has only version 1; Not_and_BitwiseNot_match_onnx_runtime runs it in an opset-18 model.
        ["test_not_2d"] = "the model imports opset 1; ModelGen reads opset 7 and later (MG0004)",
        ["test_not_3d"] = "the model imports opset 1; ModelGen reads opset 7 and later (MG0004)",
        ["test_not_4d"] = "the model imports opset 1; ModelGen reads opset 7 and later (MG0004)",
    };

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var name in BackendTestCase.Names(Prefixes).Where(n => !KnownFailures.ContainsKey(n)))
            data.Add(name);
        return data;
    }

    [Fact]
    public void Backend_cases_are_found_and_known_failures_exist()
    {
        // 127 cases of the new ops and 85 of the arithmetic ones (ONNX 1.22); an empty directory would pass vacuously.
        int found = BackendTestCase.Names(Prefixes).Count;
        Assert.True(found >= 200, $"only {found} backend cases found");
        foreach (var name in KnownFailures.Keys)
            Assert.Contains(name, BackendTestCase.Names(Prefixes));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backend_case_passes_with_run_time_inputs(string name) => BackendTestCase.Load(name).AssertPasses();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backend_case_passes_with_build_time_inputs_baked(string name) => BackendTestCase.Load(name).AssertPassesWithBuildTimeInputsBaked();

    [Fact]
    public void String_equal_is_reported_as_unsupported()
    {
        var bytes = System.IO.File.ReadAllBytes(System.IO.Path.Combine(BackendTestCase.Root, "test_equal_string", "model.onnx"));
        var result = OnnxAssert.Compile(bytes);
        Assert.False(result.Success);
        Assert.Contains(result.Diagnostics, d => d.Id == "MG0202");
    }

    /// <summary>Pairs of shapes: same-shape rows of 1, 7, 33 and 257 elements, scalars on either side, per-row and outer broadcasts.</summary>
    private static readonly long[][][] ShapePairs =
    {
        new[] { new long[] { 1 }, new long[] { 1 } },
        new[] { new long[] { 7 }, new long[] { 7 } },
        new[] { new long[] { 33 }, new long[] { 33 } },
        new[] { new long[] { 257 }, new long[] { 257 } },
        new[] { new long[] { 3, 67 }, new long[] { } },
        new[] { new long[] { 1 }, new long[] { 2, 129 } },
        new[] { new long[] { 4, 1, 37 }, new long[] { 5, 1 } },
        new[] { new long[] { 2, 3, 70 }, new long[] { 70 } },
    };

    /// <summary>Small values so equal pairs are common; floats also get NaN and ±∞.</summary>
    private static Array Data(DT type, int n, Random random)
    {
        int Next() => random.Next(-3, 4);
        return type switch
        {
            DT.Float => Enumerable.Range(0, n).Select(i => i % 11 == 5 ? float.NaN : i % 13 == 7 ? float.NegativeInfinity : i % 17 == 3 ? float.PositiveInfinity : Next() * 0.5f).ToArray(),
            DT.Double => Enumerable.Range(0, n).Select(i => i % 11 == 5 ? double.NaN : Next() * 0.5).ToArray(),
            DT.Float16 => Enumerable.Range(0, n).Select(i => i % 11 == 5 ? Half.NaN : i % 13 == 7 ? Half.PositiveInfinity : (Half)(Next() * 0.5f)).ToArray(),
            DT.Int32 => Enumerable.Range(0, n).Select(_ => Next() * 1000003).ToArray(),
            DT.Int64 => Enumerable.Range(0, n).Select(_ => Next() * 10000000019L).ToArray(),
            DT.Int16 => Enumerable.Range(0, n).Select(_ => (short)(Next() * 1001)).ToArray(),
            DT.Int8 => Enumerable.Range(0, n).Select(_ => (sbyte)(Next() * 40)).ToArray(),
            DT.Uint8 => Enumerable.Range(0, n).Select(_ => (byte)(Next() + 3 + (random.Next(2) * 250))).ToArray(),
            DT.Uint16 => Enumerable.Range(0, n).Select(_ => (ushort)(Next() + 3 + (random.Next(2) * 65530))).ToArray(),
            DT.Uint32 => Enumerable.Range(0, n).Select(_ => (uint)(Next() + 3) + (uint)random.Next(2) * 4000000000u).ToArray(),
            DT.Uint64 => Enumerable.Range(0, n).Select(_ => (ulong)(Next() + 3) + (ulong)random.Next(2) * 18000000000000000000ul).ToArray(),
            DT.Bool => Enumerable.Range(0, n).Select(_ => random.Next(2) == 1).ToArray(),
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };
    }

    /// <summary>One model with a node per shape pair (inputs of <paramref name="inputTypes"/>), and matching inputs.</summary>
    private static (ModelProto Model, Dictionary<string, Array> Inputs) Broadcasting(string op, DT[] inputTypes, DT outputType, int seed, int opset = 18,
        params (string Name, object Value)[] attributes)
    {
        var random = new Random(seed);
        var builder = new ModelBuilder(opset);
        var inputs = new Dictionary<string, Array>(StringComparer.Ordinal);
        for (int c = 0; c < ShapePairs.Length; c++)
        {
            var names = new string[inputTypes.Length];
            for (int i = 0; i < inputTypes.Length; i++)
            {
                // Three-input ops (Where) take the condition's shape from the first of the pair, X and Y alternate.
                var shape = inputTypes.Length == 3 ? ShapePairs[c][i == 2 ? 1 : (i + c) % 2] : ShapePairs[c][i];
                names[i] = $"in{c}_{i}";
                builder.Input(names[i], inputTypes[i], shape);
                inputs[names[i]] = Data(inputTypes[i], (int)shape.Aggregate(1L, (p, d) => p * d), random);
            }
            builder.Node(op, names, new[] { $"out{c}" }, attributes).Output($"out{c}", outputType);
        }
        return (builder.Build(), inputs);
    }

    public static TheoryData<string, DT> ComparisonCases()
    {
        var data = new TheoryData<string, DT>();
        foreach (var op in new[] { "Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual" })
            foreach (var type in new[] { DT.Float, DT.Int32, DT.Int64, DT.Uint8 })
                data.Add(op, type);
        foreach (var type in new[] { DT.Double, DT.Float16, DT.Int8, DT.Int16, DT.Uint16, DT.Uint32, DT.Uint64 })
            data.Add("Less", type);
        data.Add("Equal", DT.Bool);
        data.Add("GreaterOrEqual", DT.Uint64);
        return data;
    }

    [Theory]
    [MemberData(nameof(ComparisonCases))]
    public void Comparisons_match_onnx_runtime(string op, DT type)
    {
        var (model, inputs) = Broadcasting(op, new[] { type, type }, DT.Bool, seed: 3);
        OnnxAssert.MatchesOnnxRuntime(model, inputs: inputs);
    }

    [Theory]
    [InlineData("And")]
    [InlineData("Or")]
    [InlineData("Xor")]
    public void Logical_ops_match_onnx_runtime(string op)
    {
        var (model, inputs) = Broadcasting(op, new[] { DT.Bool, DT.Bool }, DT.Bool, seed: 4);
        OnnxAssert.MatchesOnnxRuntime(model, inputs: inputs);
    }

    [Theory]
    [InlineData("BitwiseAnd", DT.Int32)]
    [InlineData("BitwiseOr", DT.Int64)]
    [InlineData("BitwiseXor", DT.Uint8)]
    [InlineData("BitwiseAnd", DT.Uint64)]
    [InlineData("BitwiseXor", DT.Int16)]
    public void Bitwise_ops_match_onnx_runtime(string op, DT type)
    {
        var (model, inputs) = Broadcasting(op, new[] { type, type }, type, seed: 5);
        OnnxAssert.MatchesOnnxRuntime(model, inputs: inputs);
    }

    [Theory]
    [InlineData(DT.Float)]
    [InlineData(DT.Int32)]
    [InlineData(DT.Int64)]
    [InlineData(DT.Uint8)]
    [InlineData(DT.Double)]
    [InlineData(DT.Float16)]
    public void Where_matches_onnx_runtime(DT type)
    {
        var (model, inputs) = Broadcasting("Where", new[] { DT.Bool, type, type }, type, seed: 6);
        OnnxAssert.MatchesOnnxRuntime(model, inputs: inputs);
    }

    [Theory]
    [InlineData(DT.Float, 1)]
    [InlineData(DT.Double, 1)]
    [InlineData(DT.Int32, 0)]
    [InlineData(DT.Int32, 1)]
    [InlineData(DT.Int64, 0)]
    [InlineData(DT.Int8, 0)]
    [InlineData(DT.Uint8, 0)]
    public void Mod_matches_onnx_runtime(DT type, long fmod)
    {
        var (model, inputs) = Broadcasting("Mod", new[] { type, type }, type, seed: 7, attributes: ("fmod", fmod));
        // Integer divisors must not be 0 (undefined); floats keep their zeros, NaN and ∞ (fmod gives NaN or x).
        foreach (var name in inputs.Keys.Where(k => k.EndsWith("_1", StringComparison.Ordinal)).ToList())
            inputs[name] = NonZero(inputs[name]);
        OnnxAssert.MatchesOnnxRuntime(model, inputs: inputs);
    }

    private static Array NonZero(Array a)
    {
        var copy = (Array)a.Clone();
        for (int i = 0; i < copy.Length; i++)
        {
            var v = copy.GetValue(i)!;
            if (v is float or double or Half) continue;
            if (Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture) == 0) copy.SetValue(Convert.ChangeType(3, v.GetType(), System.Globalization.CultureInfo.InvariantCulture), i);
        }
        return copy;
    }

    [Theory]
    [InlineData(DT.Uint8, "LEFT")]
    [InlineData(DT.Uint32, "RIGHT")]
    [InlineData(DT.Uint64, "LEFT")]
    [InlineData(DT.Uint8, "RIGHT")]
    public void BitShift_matches_onnx_runtime(DT type, string direction)
    {
        var (model, inputs) = Broadcasting("BitShift", new[] { type, type }, type, seed: 8, attributes: ("direction", direction));
        // Shift amounts below the type's width (a wider shift is undefined in ONNX Runtime's C++).
        foreach (var name in inputs.Keys.Where(k => k.EndsWith("_1", StringComparison.Ordinal)).ToList())
        {
            var a = inputs[name];
            for (int i = 0; i < a.Length; i++)
                a.SetValue(Convert.ChangeType(Convert.ToUInt64(a.GetValue(i)!, System.Globalization.CultureInfo.InvariantCulture) % 8, a.GetValue(i)!.GetType(), System.Globalization.CultureInfo.InvariantCulture), i);
        }
        OnnxAssert.MatchesOnnxRuntime(model, inputs: inputs);
    }

    [Theory]
    [InlineData(DT.Float)]
    [InlineData(DT.Double)]
    [InlineData(DT.Float16)]
    public void Unary_predicates_match_onnx_runtime(DT type)
    {
        var random = new Random(9);
        var builder = new ModelBuilder(20);
        var inputs = new Dictionary<string, Array>(StringComparer.Ordinal);
        int k = 0;
        foreach (long n in new long[] { 1, 7, 33, 257, 515 })
        {
            string x = $"x{k}";
            builder.Input(x, type, n);
            inputs[x] = Data(type, (int)n, random);
            builder.Node("IsNaN", new[] { x }, new[] { $"nan{k}" }).Output($"nan{k}", DT.Bool);
            builder.Node("IsInf", new[] { x }, new[] { $"inf{k}" }).Output($"inf{k}", DT.Bool);
            builder.Node("IsInf", new[] { x }, new[] { $"neg{k}" }, ("detect_positive", 0L)).Output($"neg{k}", DT.Bool);
            builder.Node("IsInf", new[] { x }, new[] { $"pos{k}" }, ("detect_negative", 0L)).Output($"pos{k}", DT.Bool);
            k++;
        }
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), inputs: inputs);
    }

    [Theory]
    [InlineData(DT.Bool)]
    [InlineData(DT.Int32)]
    [InlineData(DT.Uint8)]
    [InlineData(DT.Int64)]
    public void Not_and_BitwiseNot_match_onnx_runtime(DT type)
    {
        var random = new Random(10);
        var builder = new ModelBuilder(18);
        var inputs = new Dictionary<string, Array>(StringComparer.Ordinal);
        int k = 0;
        foreach (long n in new long[] { 1, 7, 33, 257, 515 })
        {
            builder.Input($"x{k}", type, n);
            inputs[$"x{k}"] = Data(type, (int)n, random);
            builder.Node(type == DT.Bool ? "Not" : "BitwiseNot", new[] { $"x{k}" }, new[] { $"y{k}" }).Output($"y{k}", type);
            k++;
        }
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), inputs: inputs);
    }

    [Theory]
    [InlineData(DT.Float, 3)]
    [InlineData(DT.Float, 2)]
    [InlineData(DT.Float16, 3)]
    public void Mean_matches_onnx_runtime(DT type, int count)
    {
        var random = new Random(11);
        var builder = new ModelBuilder(13);
        var inputs = new Dictionary<string, Array>(StringComparer.Ordinal);
        long[][] shapes = { new long[] { 2, 3, 37 }, new long[] { 37 }, new long[] { 3, 1 } };
        var names = Enumerable.Range(0, count).Select(i => $"x{i}").ToArray();
        for (int i = 0; i < count; i++)
        {
            builder.Input(names[i], type, shapes[i]);
            var n = (int)shapes[i].Aggregate(1L, (p, d) => p * d);
            inputs[names[i]] = type switch
            {
                DT.Float => ElementwiseModels.Floats(i, n),
                _ => ElementwiseModels.Floats(i, n).Select(v => (Half)v).ToArray(),
            };
        }
        builder.Node("Mean", names, new[] { "y" }).Output("y", type);
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), inputs: inputs, absTolerance: type == DT.Float16 ? 2e-3 : 1e-4);
    }

    [Fact]
    public void Shape_logic_on_int64_constants_folds_at_build_time()
    {
        // A typical export: where(equal(shape, -1), default, shape), with Not, Less, Mod and a bitwise op on the way.
        var model = new ModelBuilder(18)
            .Initializer("shape", new long[] { 2, -1, 7, 0 }, 4)
            .Initializer("minus1", new long[] { -1 }, 1)
            .Initializer("fallback", new long[] { 5, 6, 8, 9 }, 4)
            .Initializer("three", new long[] { 3 }, 1)
            .Node("Equal", new[] { "shape", "minus1" }, new[] { "is_minus1" })
            .Node("Where", new[] { "is_minus1", "fallback", "shape" }, new[] { "fixed" })
            .Node("Not", new[] { "is_minus1" }, new[] { "kept" })
            .Node("Less", new[] { "fixed", "three" }, new[] { "small" })
            .Node("And", new[] { "kept", "small" }, new[] { "kept_small" })
            .Node("Mod", new[] { "shape", "three" }, new[] { "mod" })
            .Node("BitwiseXor", new[] { "fixed", "mod" }, new[] { "mixed" })
            .Output("kept_small", DT.Bool).Output("mixed", DT.Int64);
        var compiled = OnnxAssert.Compile(model.ToBytes());
        Assert.True(compiled.Success, string.Join("; ", compiled.Diagnostics));
        Assert.Empty(compiled.Graph!.Nodes);
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    [Fact]
    public void Uint64_constants_fold_with_unsigned_order_and_division()
    {
        static TensorProto U64(string name, params ulong[] values)
        {
            var t = new TensorProto { Name = name, DataType = (int)DT.Uint64 };
            t.Dims.Add(values.Length);
            t.Uint64Data.Add(values);
            return t;
        }
        // Values above 2^63 are negative as longs: a signed fold would order and divide them wrongly.
        var builder = new ModelBuilder(18)
            .Initializer(U64("a", 18000000000000000000, 5, 9223372036854775809, 7))
            .Initializer(U64("b", 3, 18000000000000000001, 2, 7));
        foreach (var op in new[] { "Max", "Min", "Div", "Mod", "Add", "Mul" })
            builder.Node(op, new[] { "a", "b" }, new[] { op.ToLowerInvariant() }).Output(op.ToLowerInvariant(), DT.Uint64);
        foreach (var op in new[] { "Less", "GreaterOrEqual", "Equal" })
            builder.Node(op, new[] { "a", "b" }, new[] { op.ToLowerInvariant() }).Output(op.ToLowerInvariant(), DT.Bool);
        var compiled = OnnxAssert.Compile(builder.ToBytes());
        Assert.True(compiled.Success, string.Join("; ", compiled.Diagnostics));
        Assert.Empty(compiled.Graph!.Nodes);
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Theory]
    [InlineData("Mod", DT.Float, "fmod", 0L, "MG0102")]
    [InlineData("Mod", DT.Int32, "fmod", 2L, "MG0102")]
    [InlineData("IsInf", DT.Float, "detect_negative", 3L, "MG0102")]
    [InlineData("IsInf", DT.Float, "detect_negative", 1f, "MG0102")]
    [InlineData("BitShift", DT.Uint8, "direction", "UP", "MG0102")]
    [InlineData("BitShift", DT.Uint8, null, null, "MG0102")]
    [InlineData("BitShift", DT.Int32, "direction", "LEFT", "MG0203")]
    [InlineData("And", DT.Float, null, null, "MG0203")]
    [InlineData("BitwiseAnd", DT.Float, null, null, "MG0203")]
    [InlineData("Less", DT.Bool, null, null, "MG0203")]
    public void Invalid_or_unsupported_nodes_are_diagnostics(string op, DT type, string? attribute, object? value, string id)
    {
        int inputCount = op == "IsInf" ? 1 : 2;
        var builder = new ModelBuilder(18);
        var names = Enumerable.Range(0, inputCount).Select(i => $"x{i}").ToArray();
        foreach (var name in names) builder.Input(name, type, 3, 4);
        var attributes = attribute is null ? Array.Empty<(string, object)>() : new[] { (attribute, value!) };
        builder.Node(op, names, new[] { "y" }, attributes).Output("y", type);
        var result = OnnxAssert.Compile(builder.ToBytes());
        Assert.False(result.Success);
        Assert.Contains(result.Diagnostics, d => d.Id == id);
    }
}
