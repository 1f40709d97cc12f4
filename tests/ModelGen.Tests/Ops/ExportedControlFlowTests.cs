using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Google.Protobuf;
using ModelGen.Configuration;
using ModelGen.Onnx.Proto;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>
/// If, Loop and sequences as PyTorch's TorchScript exporter writes them (tests/ModelGen.Tests/Models/control-flow, made by
/// tools/export_control_flow.py), against ONNX Runtime.
/// </summary>
[Trait("Category", "Ops")]
public class ExportedControlFlowTests
{
    private static ModelProto Load(string name) =>
        ModelProto.Parser.ParseFrom(File.ReadAllBytes(RepoPaths.Combine("tests", "ModelGen.Tests", "Models", "control-flow", name)));

    private static ModelOptions With(string values) => OnnxAssert.WithValues(values);

    private static Dictionary<string, Array> VadInputs(long rate) => new()
    {
        ["x"] = TestData.Floats(new Random(3), 512), ["h"] = TestData.Floats(new Random(4), 16), ["c"] = TestData.Floats(new Random(5), 16),
        ["sr"] = new[] { rate },
    };

    [Theory]
    [InlineData(16000)]
    [InlineData(8000)]
    public void A_detector_whose_sample_rate_is_fixed_at_build_time_compiles_one_branch(long rate)
    {
        var options = With($"sr={rate}");
        OnnxAssert.MatchesOnnxRuntime(Load("vad16.onnx"), options: options, inputs: VadInputs(rate));
        var plan = OnnxAssert.Compile(Load("vad16.onnx").ToByteArray(), options).Plan!;
        Assert.DoesNotContain(plan.Steps, s => s.Guard is not null);
        Assert.DoesNotContain(plan.Inputs, p => p.OnnxName == "sr");
    }

    [Theory]
    [InlineData(16000)]
    [InlineData(8000)]
    public void A_detector_whose_sample_rate_comes_at_run_time_runs_the_branch_it_selects(long rate)
    {
        OnnxAssert.MatchesOnnxRuntime(Load("vad16.onnx"), inputs: VadInputs(rate));
        var plan = OnnxAssert.Compile(Load("vad16.onnx").ToByteArray()).Plan!;
        Assert.Contains(plan.Steps, s => s.Guard is { WhenTrue: true });
        Assert.Contains(plan.Steps, s => s.Guard is { WhenTrue: false });
    }

    [Fact]
    public void A_loop_that_appends_to_a_list_and_stacks_it_is_unrolled()
    {
        // for t in range(x.size(0)): h = tanh(W x[t] + U h); states.append(h) → Loop, SequenceInsert, ConcatFromSequence.
        var model = Load("frames16.onnx");
        Assert.Contains(model.Graph.Node, n => n.OpType == "Loop");
        OnnxAssert.MatchesOnnxRuntime(model);
        var plan = OnnxAssert.Compile(model.ToByteArray()).Plan!;
        Assert.Equal(5, plan.Steps.Count(s => s.Origin.OpTypes.Contains("Tanh")));
    }
}
