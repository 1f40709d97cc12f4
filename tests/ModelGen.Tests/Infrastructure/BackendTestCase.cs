using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ModelGen.Configuration;
using ModelGen.Cli.Verification;
using ModelGen.Compiler;
using ModelGen.Ir;
using ModelGen.Onnx;
using ModelGen.Onnx.Proto;
using Xunit;

namespace ModelGen.Tests.Infrastructure;

/// <summary>
/// One ONNX backend node test (onnx/backend/test/data/node/test_*): model.onnx plus test_data_set_*/input_N.pb and
/// output_N.pb (serialized TensorProto). <see cref="AssertPasses"/> compiles the model with ModelGen, runs it on every data
/// set's inputs and compares with the expected outputs. The data lives in MODELGEN_ONNX_BACKEND_TESTS, by default
/// shared/onnx-backend-tests/node beside the repository.
/// </summary>
public sealed class BackendTestCase
{
    /// <summary>
    /// MODELGEN_ONNX_BACKEND_TESTS, else shared/onnx-backend-tests/node beside the repository (as CI lays it out), else
    /// the workplace's /work/shared copy (for git worktrees elsewhere).
    /// </summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        if (Environment.GetEnvironmentVariable("MODELGEN_ONNX_BACKEND_TESTS") is { Length: > 0 } root) return root;
        string beside = System.IO.Path.GetFullPath(System.IO.Path.Combine(RepoPaths.Root, "..", "shared", "onnx-backend-tests", "node"));
        const string workplace = "/work/shared/onnx-backend-tests/node";
        return Directory.Exists(beside) || !Directory.Exists(workplace) ? beside : workplace;
    }

    private BackendTestCase(string name, byte[] model, List<DataSet> dataSets)
    {
        Name = name;
        Model = model;
        DataSets = dataSets;
    }

    public string Name { get; }
    public byte[] Model { get; }
    public IReadOnlyList<DataSet> DataSets { get; }

    /// <summary>One test_data_set_N folder: tensors in graph-input and graph-output order.</summary>
    public sealed record DataSet(string Folder, IReadOnlyList<NamedTensor> Inputs, IReadOnlyList<NamedTensor> Outputs);

    public sealed record NamedTensor(string Name, Array Data, int[] Shape, TensorProto Proto);

    /// <summary>Names of the backend tests whose name starts with one of the prefixes (e.g. "test_conv_").</summary>
    public static IReadOnlyList<string> Names(params string[] prefixes) =>
        Directory.Exists(Root)
            ? Directory.GetDirectories(Root).Select(Path.GetFileName).Where(n => prefixes.Any(p => n!.StartsWith(p, StringComparison.Ordinal)))
                .Select(n => n!).OrderBy(n => n, StringComparer.Ordinal).ToList()
            : Array.Empty<string>();

    public static BackendTestCase Load(string name)
    {
        string dir = Path.Combine(Root, name);
        Assert.True(Directory.Exists(dir), $"ONNX backend test '{name}' not found under {Root} (set MODELGEN_ONNX_BACKEND_TESTS)");
        var model = File.ReadAllBytes(Path.Combine(dir, "model.onnx"));
        var sets = Directory.GetDirectories(dir, "test_data_set_*").OrderBy(d => d, StringComparer.Ordinal)
            .Select(d => new DataSet(Path.GetFileName(d), ReadAll(d, "input"), ReadAll(d, "output"))).ToList();
        Assert.NotEmpty(sets);
        return new BackendTestCase(name, model, sets);
    }

    private static List<NamedTensor> ReadAll(string folder, string kind)
    {
        var result = new List<NamedTensor>();
        for (int i = 0; ; i++)
        {
            string file = Path.Combine(folder, $"{kind}_{i}.pb");
            if (!File.Exists(file)) return result;
            var proto = TensorProto.Parser.ParseFrom(File.ReadAllBytes(file));
            var tensor = TensorReader.Read(proto);
            result.Add(new NamedTensor(proto.Name, ToArray(tensor), tensor.Shape, proto));
        }
    }

    /// <summary>An IR tensor as the typed array ModelGen's generated code takes.</summary>
    public static Array ToArray(Tensor t) => ModelGen.Cli.Conformance.ConformanceRunner.ToArray(t);

    /// <summary>Compiles with ModelGen (asserting it is supported) and returns the result.</summary>
    public CompileResult Compile() => ModelCompiler.Compile(Model, Name + ".onnx", Options);

    private ModelOptions Options => ModelOptions.Default("BackendModel", "ModelGen.Tests.Backend");

    /// <summary>Runs every data set through the generated code; each output within abs + rel·|expected|.</summary>
    public void AssertPasses(double absTolerance = 1e-4, double relTolerance = 1e-3)
    {
        var result = Compile();
        Assert.True(result.Success, $"{Name}: ModelGen rejected the model: " + string.Join("; ", result.Diagnostics));
        var model = InMemoryModel.Load(result, Options);
        foreach (var set in DataSets)
        {
            Assert.Equal(model.Inputs.Count, set.Inputs.Count);
            var inputs = model.Inputs.Select((info, i) =>
            {
                var given = set.Inputs.FirstOrDefault(t => t.Name == info.OnnxName) ?? set.Inputs[i];
                Assert.Equal(info.Length, given.Data.Length);
                return given.Data;
            }).ToArray();
            AssertOutputs(model, inputs, set, absTolerance, relTolerance);
        }
    }

    /// <summary>Runs the model and compares each output with the data set's; for an output with a run-time length, only its valid data and shape.</summary>
    private void AssertOutputs(global::ModelGen.Runtime.IOnnxModel model, Array[] inputs, DataSet set, double absTolerance, double relTolerance)
    {
        var outputs = model.Outputs.Select(o => Array.CreateInstance(o.ElementType, o.Length)).ToArray();
        var counts = new int[outputs.Length];
        model.Run(inputs, outputs, counts);
        var verify = new VerifyOptions { AbsTolerance = absTolerance, RelTolerance = relTolerance };
        for (int i = 0; i < outputs.Length; i++)
        {
            var info = model.Outputs[i];
            var expected = set.Outputs.FirstOrDefault(t => t.Name == info.OnnxName) ?? set.Outputs[i];
            var shape = info.ValidShape(counts[i]);
            Assert.True(expected.Shape.SequenceEqual(shape), $"{Name}/{set.Folder}: output '{info.OnnxName}' has shape {Shapes.Format(shape)}, expected {Shapes.Format(expected.Shape)}");
            var cmp = Verifier.Compare(info.OnnxName, ModelGen.Cli.Conformance.ConformanceRunner.ValidPart(outputs[i], info, counts[i]), expected.Data, verify);
            Assert.True(cmp.WithinTolerance, $"{Name}/{set.Folder}: output '{info.OnnxName}' differs: max abs {cmp.MaxAbsDiff:G4}, max rel {cmp.MaxRelDiff:G4}");
        }
    }

    private static readonly System.Text.RegularExpressions.Regex BuildTimeInput =
        new("input '([^']+)' must be known at build time", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>
    /// Like <see cref="AssertPasses"/>, but graph inputs that ModelGen needs at build time (Slice starts, Pad pads, Resize
    /// scales, axes, ...) are bound as initializers from each data set, as a user would write them into the model.
    /// ModelGen names each such input in an MG0203 diagnostic; the rest stay run-time inputs.
    /// </summary>
    public void AssertPassesWithBuildTimeInputsBaked(double absTolerance = 1e-4, double relTolerance = 1e-3)
    {
        foreach (var set in DataSets)
        {
            var model = ModelProto.Parser.ParseFrom(Model);
            var baked = new HashSet<string>(StringComparer.Ordinal);
            CompileResult result;
            while (true)
            {
                result = ModelCompiler.Compile(Google.Protobuf.MessageExtensions.ToByteArray(model), Name + ".onnx", Options);
                var wanted = result.Diagnostics.Select(d => BuildTimeInput.Match(d.Message)).Where(m => m.Success).Select(m => m.Groups[1].Value)
                    .Where(n => !baked.Contains(n) && model.Graph.Input.Any(i => i.Name == n)).Distinct().ToList();
                if (result.Success || wanted.Count == 0) break;
                foreach (var name in wanted)
                {
                    int index = model.Graph.Input.ToList().FindIndex(i => i.Name == name);
                    var tensor = set.Inputs.FirstOrDefault(t => t.Name == name)?.Proto ?? set.Inputs[index].Proto;
                    var init = tensor.Clone();
                    init.Name = name;
                    model.Graph.Initializer.Add(init);
                    model.Graph.Input.RemoveAt(index);
                    baked.Add(name);
                }
            }
            Assert.True(result.Success, $"{Name}: ModelGen rejected the model: " + string.Join("; ", result.Diagnostics));
            var generated = InMemoryModel.Load(result, Options);
            var runtimeInputs = set.Inputs.Where(t => !baked.Contains(t.Name)).ToList();
            Assert.Equal(generated.Inputs.Count, runtimeInputs.Count);
            var inputs = generated.Inputs.Select((info, i) =>
            {
                var given = runtimeInputs.FirstOrDefault(t => t.Name == info.OnnxName) ?? runtimeInputs[i];
                Assert.Equal(info.Length, given.Data.Length);
                return given.Data;
            }).ToArray();
            AssertOutputs(generated, inputs, set, absTolerance, relTolerance);
        }
    }

    /// <summary>Asserts ModelGen refuses the model with one of the given diagnostic IDs (an unsupported configuration).</summary>
    public void AssertRejected(params string[] ids)
    {
        var result = Compile();
        Assert.False(result.Success, $"{Name}: expected ModelGen to reject it, but it compiled");
        Assert.Contains(result.Diagnostics, d => ids.Contains(d.Id));
    }
}
