using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using ModelGen.Cli.Verification;
using ModelGen.Runtime;
using Xunit;

namespace ModelGen.Tests.Generator;

/// <summary>
/// The generator as a build uses it: .onnx AdditionalFiles with item metadata (build_metadata.AdditionalFiles.*),
/// output compiled together with user code against ModelGen.Runtime, then run and compared with ONNX Runtime.
/// </summary>
[Trait("Category", "Generator")]
public class EndToEndTests
{
    private const string UserCode = """
        using System;
        namespace MyApp
        {
            public static class App
            {
                public static float[] Classify(float[] pixels)
                {
                    var model = new MyApp.Models.Digits();
                    Span<float> logits = stackalloc float[MyApp.Models.Digits.OutputLength];
                    model.Predict(pixels, logits);
                    return logits.ToArray();
                }
            }
        }
        """;

    [Fact]
    public void Model_with_metadata_compiles_with_user_code_and_matches_onnx_runtime()
    {
        using var folder = new TempFolder();
        byte[] bytes = TestModels.GemmRelu();
        string path = folder.File("models/digits.onnx", bytes);
        var options = new TestOptionsProvider().With(path, new Dictionary<string, string> { ["ClassName"] = "Digits", ["Namespace"] = "MyApp.Models" });

        var run = GeneratorHarness.Run(new[] { new BinaryAdditionalText(path) }, options, UserCode);

        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompilationProblems);
        var assembly = run.Load();
        var classify = assembly.GetType("MyApp.App", throwOnError: true)!.GetMethod("Classify")!;

        var random = new Random(7);
        var pixels = Enumerable.Range(0, 10).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var ours = (float[])classify.Invoke(null, new object[] { pixels })!;

        using var oracle = new OnnxRuntimeOracle(bytes);
        var theirs = (float[])oracle.Run(new[] { ("x", (Array)pixels, new[] { 2, 5 }) }, new[] { ("y", typeof(float), new[] { 2, 3 }) })[0];
        Assert.Equal(6, ours.Length);
        for (int i = 0; i < ours.Length; i++)
            Assert.True(Math.Abs(ours[i] - theirs[i]) <= 1e-5f + 1e-4f * Math.Abs(theirs[i]), $"y[{i}]: {ours[i]} vs ONNX Runtime {theirs[i]}");
        Assert.Contains(ours, v => v > 0); // the test data reaches the positive side of the Relu
    }

    [Fact]
    public void Without_metadata_the_class_is_named_after_the_file_in_the_root_namespace()
    {
        using var folder = new TempFolder();
        string path = folder.File("tiny-add_model.onnx", TestModels.AddBroadcast());
        var options = new TestOptionsProvider(new Dictionary<string, string> { ["RootNamespace"] = "Consumer.App" });

        var run = GeneratorHarness.Run(new[] { new BinaryAdditionalText(path) }, options);

        Assert.Empty(run.Diagnostics);
        Assert.Equal(new[] { "Consumer.App.TinyAddModel.g.cs" }, run.Sources.Keys.ToArray());
        var type = run.Load().GetType("Consumer.App.TinyAddModel", throwOnError: true)!;
        var model = (IOnnxModel)Activator.CreateInstance(type)!;
        Assert.Equal(new[] { "a", "b" }, model.Inputs.Select(i => i.Name));
        Assert.Equal(new[] { 2, 3, 4 }, model.Outputs.Single().Shape);
    }

    [Fact]
    public void Two_models_generate_two_classes_and_non_onnx_files_are_ignored()
    {
        using var folder = new TempFolder();
        string a = folder.File("a.onnx", TestModels.GemmRelu());
        string b = folder.File("b.ONNX", TestModels.ReshapeChain());
        string text = folder.File("notes.txt", "not a model"u8.ToArray());
        var options = new TestOptionsProvider()
            .With(a, new Dictionary<string, string> { ["ClassName"] = "First", ["Namespace"] = "Two" })
            .With(b, new Dictionary<string, string> { ["ClassName"] = "Second", ["Namespace"] = "Two" });

        var run = GeneratorHarness.Run(new[] { new BinaryAdditionalText(a), new BinaryAdditionalText(b), new BinaryAdditionalText(text) }, options);

        Assert.Empty(run.Diagnostics);
        Assert.Equal(new[] { "Two.First.g.cs", "Two.Second.g.cs" }, run.Sources.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray());
        Assert.Empty(run.CompilationProblems);
    }

    [Fact]
    public void Dimensions_and_Shapes_metadata_close_open_dimensions()
    {
        using var folder = new TempFolder();
        byte[] bytes = new Infrastructure.ModelBuilder(opset: 13)
            .SymbolicInput("x", Onnx.Proto.TensorProto.Types.DataType.Float, "batch", 4)
            .SymbolicInput("z", Onnx.Proto.TensorProto.Types.DataType.Float, null, 4)
            .Node("Add", new[] { "x", "z" }, new[] { "y" }).Output("y").ToBytes();
        string path = folder.File("open.onnx", bytes);
        var options = new TestOptionsProvider().With(path, new Dictionary<string, string>
        {
            ["ClassName"] = "Open", ["Namespace"] = "Dims", ["Dimensions"] = "batch=3", ["Shapes"] = "z=3x4",
        });

        var run = GeneratorHarness.Run(new[] { new BinaryAdditionalText(path) }, options);

        Assert.Empty(run.Diagnostics);
        var model = (IOnnxModel)Activator.CreateInstance(run.Load().GetType("Dims.Open", throwOnError: true)!)!;
        Assert.Equal(new[] { 3, 4 }, model.Inputs[0].Shape);
        Assert.Equal(new[] { 3, 4 }, model.Inputs[1].Shape);
    }
}
