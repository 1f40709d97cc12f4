using System;
using System.Collections.Generic;
using System.Reflection;
using Xunit;

namespace ModelGen.Tests.Generator;

/// <summary>The public surface of a generated class, exercised from user code compiled together with it.</summary>
[Trait("Category", "Generator")]
public class GeneratedApiTests
{
    private const string Probe = """
        using System;
        using Api.Models;
        namespace Api
        {
            public static class Probe
            {
                public static float[] Instance(float[] x, int outputLength)
                {
                    var y = new float[outputLength];
                    new Gemm().Predict(x, y);
                    return y;
                }

                public static float[] Static(float[] x, int scratchBytes)
                {
                    var y = new float[Gemm.YLength];
                    Span<byte> scratch = stackalloc byte[scratchBytes];
                    scratch.Fill(0xCD); // leftovers from earlier use must not leak into the result
                    Gemm.Predict(x, y, scratch);
                    return y;
                }

                /// <summary>Bytes this thread allocates over <paramref name="calls"/> Predict calls, after warm-up.</summary>
                public static long AllocatedBytes(int calls)
                {
                    var model = new Gemm();
                    var x = new float[Gemm.XLength];
                    var y = new float[Gemm.YLength];
                    Span<byte> scratch = stackalloc byte[Gemm.ArenaBytes];
                    for (int i = 0; i < 2000; i++) { model.Predict(x, y); Gemm.Predict(x, y, scratch); }
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    for (int i = 0; i < calls; i++) { model.Predict(x, y); Gemm.Predict(x, y, scratch); }
                    return GC.GetAllocatedBytesForCurrentThread() - before;
                }

                /// <summary>The same measurement on the overload that returns a new array: proves the probe sees allocations.</summary>
                public static long AllocatedBytesReturningArray(int calls)
                {
                    var model = new Gemm();
                    var x = new float[Gemm.XLength];
                    for (int i = 0; i < 2000; i++) model.Predict(x);
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    for (int i = 0; i < calls; i++) model.Predict(x);
                    return GC.GetAllocatedBytesForCurrentThread() - before;
                }
            }
        }
        """;

    private static readonly Lazy<Type> ProbeType = new(() =>
    {
        var folder = new TempFolder();
        string path = folder.File("gemm.onnx", TestModels.GemmTwice());
        var options = new TestOptionsProvider().With(path, new Dictionary<string, string> { ["ClassName"] = "Gemm", ["Namespace"] = "Api.Models" });
        var run = GeneratorHarness.Run(new[] { new BinaryAdditionalText(path) }, options, Probe);
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompilationProblems);
        var type = run.Load().GetType("Api.Probe", throwOnError: true)!;
        folder.Dispose();
        return type;
    });

    private static object? Call(string method, params object[] args)
    {
        try
        {
            return ProbeType.Value.GetMethod(method)!.Invoke(null, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    private static float[] Input() => new float[] { 1, -2, 3, -4, 5, 0.5f, 0.25f, -1, 2, 1 };

    [Fact]
    public void Wrong_input_length_throws_ArgumentException_naming_parameter_expected_and_actual()
    {
        var e = Assert.Throws<ArgumentException>(() => Call("Instance", new float[9], 6));
        Assert.Equal("x", e.ParamName);
        Assert.Contains("10", e.Message);
        Assert.Contains("9", e.Message);
    }

    [Fact]
    public void Wrong_output_length_throws_ArgumentException_naming_the_output()
    {
        var e = Assert.Throws<ArgumentException>(() => Call("Instance", Input(), 7));
        Assert.Equal("y", e.ParamName);
        Assert.Contains("6", e.Message);
        Assert.Contains("7", e.Message);
    }

    [Fact]
    public void Static_Predict_with_caller_scratch_equals_instance_Predict()
    {
        var viaInstance = (float[])Call("Instance", Input(), 6)!;
        var viaStatic = (float[])Call("Static", Input(), 64)!;
        Assert.Equal(viaInstance, viaStatic);
        var larger = (float[])Call("Static", Input(), 1000)!;
        Assert.Equal(viaInstance, larger);
    }

    [Fact]
    public void Too_little_scratch_throws_ArgumentException_naming_scratch()
    {
        var e = Assert.Throws<ArgumentException>(() => Call("Static", Input(), 63));
        Assert.Equal("scratch", e.ParamName);
        Assert.Contains("64", e.Message);
        Assert.Contains("63", e.Message);
    }

    [Fact]
    public void Predict_allocates_nothing()
    {
        long bytes = (long)Call("AllocatedBytes", 10_000)!;
        Assert.Equal(0, bytes);
        // Control: the same probe sees the float[6] the convenience overload returns on every call.
        long control = (long)Call("AllocatedBytesReturningArray", 1_000)!;
        Assert.True(control >= 1_000 * 6 * sizeof(float), $"the probe measured only {control} bytes for 1000 new float[6]");
    }
}
