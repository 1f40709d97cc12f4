using System;
using System.Collections.Generic;
using System.Linq;
using Google.Protobuf;
using ModelGen.Configuration;
using ModelGen.Cli.Verification;
using ModelGen.Compiler;
using ModelGen.Onnx.Proto;
using Xunit;

namespace ModelGen.Tests.Infrastructure;

/// <summary>Compiles a model with ModelGen and asserts its outputs equal ONNX Runtime's on the same inputs.</summary>
public static class OnnxAssert
{
    public static VerificationReport MatchesOnnxRuntime(ModelProto model, int seed = 1, double absTolerance = 1e-4, double relTolerance = 1e-3,
        Dictionary<string, Array>? inputs = null, ModelOptions? options = null, int intMax = 1)
    {
        var bytes = model.ToByteArray();
        options ??= ModelOptions.Default("TestModel", "ModelGen.Tests.Generated");
        var report = Verifier.Verify(bytes, "test.onnx", options, new VerifyOptions
        {
            Seed = seed, AbsTolerance = absTolerance, RelTolerance = relTolerance, Inputs = inputs, IntMax = intMax,
        });
        Assert.True(report.Supported, "ModelGen rejected the model: " + string.Join("; ", report.Diagnostics));
        Assert.NotEmpty(report.Outputs);
        foreach (var o in report.Outputs)
            Assert.True(o.WithinTolerance, $"output '{o.Name}' differs from ONNX Runtime: max abs {o.MaxAbsDiff:G4}, max rel {o.MaxRelDiff:G4}");
        return report;
    }

    public static VerificationReport MatchesOnnxRuntime(ModelBuilder builder, int seed = 1, double absTolerance = 1e-4, double relTolerance = 1e-3) =>
        MatchesOnnxRuntime(builder.Build(), seed, absTolerance, relTolerance);

    /// <summary>Options with the Values metadata <paramref name="values"/> (inputs fixed at build time), which must parse cleanly.</summary>
    public static ModelOptions WithValues(string values, string className = "TestModel")
    {
        var diagnostics = new List<ModelGen.Diagnostics.ModelDiagnostic>();
        var options = ModelOptions.FromMetadata(k => k == "Values" ? values : null, "m.onnx", className, diagnostics);
        Assert.Empty(diagnostics);
        return options;
    }

    /// <summary>Compiles and returns the diagnostics, asserting the compiler did not throw.</summary>
    public static CompileResult Compile(byte[] bytes, ModelOptions? options = null, string path = "test.onnx") =>
        ModelCompiler.Compile(bytes, path, options ?? ModelOptions.Default("TestModel", "ModelGen.Tests.Generated"));
}

/// <summary>Deterministic random data for model weights in tests.</summary>
public static class TestData
{
    /// <summary>
    /// A seed from a test case's text (a record's ToString): the same in every run, unlike GetHashCode, which .NET
    /// randomizes per process for strings.
    /// </summary>
    public static int StableSeed(object testCase)
    {
        unchecked
        {
            uint h = 2166136261;
            foreach (char c in testCase.ToString() ?? "") h = (h ^ c) * 16777619;
            return (int)(h & 0x7FFFFFFF);
        }
    }

    public static float[] Floats(Random random, int n, float scale = 1f) =>
        Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();
}
