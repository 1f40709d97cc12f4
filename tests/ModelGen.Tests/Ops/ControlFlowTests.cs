using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Configuration;
using ModelGen.Onnx.Proto;
using ModelGen.Plan;
using ModelGen.Tests.Infrastructure;
using Xunit;
using DT = ModelGen.Onnx.Proto.TensorProto.Types.DataType;

namespace ModelGen.Tests.Ops;

/// <summary>If, Loop and Scan against ONNX Runtime: branches folded, guarded at run time, loops unrolled.</summary>
[Trait("Category", "Ops")]
public class ControlFlowTests
{
    private static GraphProto Graph(Action<ModelBuilder> build)
    {
        var b = new ModelBuilder();
        build(b);
        return b.Graph();
    }

    private static ModelOptions With(string values) => OnnxAssert.WithValues(values);

    private static TensorProto Bool(string name, bool value) => ModelBuilder.RawTensor(name, DT.Bool, new[] { (byte)(value ? 1 : 0) });

    private static float[] Floats(int n, int seed, float scale = 1f) => TestData.Floats(new Random(seed), n, scale);

    private static IEnumerable<string> CompiledOpTypes(ModelBuilder model) =>
        OnnxAssert.Compile(model.ToBytes()).Plan!.Steps.SelectMany(s => s.Origin.OpTypes);

    /// <summary>x [1,3,6,6] → If(cond) then Conv+Relu else Sigmoid(x·2): the same output shape on both sides.</summary>
    private static ModelBuilder ConvOrSigmoid(ModelBuilder model, string condition)
    {
        var then = Graph(b => b
            .Node("Conv", new[] { "x", "w" }, new[] { "c" }, ("pads", new[] { 1, 1, 1, 1 }))
            .Node("Relu", new[] { "c" }, new[] { "then_y" })
            .Output("then_y"));
        var otherwise = Graph(b => b
            .Node("Mul", new[] { "x", "two" }, new[] { "m" })
            .Node("Sigmoid", new[] { "m" }, new[] { "else_y" })
            .Output("else_y"));
        return model
            .Initializer("w", Floats(3 * 3 * 9, 3), 3, 3, 3, 3)
            .Initializer("two", new[] { 2f })
            .Node("If", new[] { condition }, new[] { "y" }, ("then_branch", then), ("else_branch", otherwise))
            .Output("y");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_constant_condition_compiles_only_the_branch_it_selects(bool condition)
    {
        var model = ConvOrSigmoid(new ModelBuilder(13).Input("x", 1, 3, 6, 6).Initializer(Bool("cond", condition)), "cond");
        OnnxAssert.MatchesOnnxRuntime(model);
        var ops = CompiledOpTypes(model).ToList();
        Assert.Equal(condition, ops.Contains("Conv"));
        Assert.Equal(!condition, ops.Contains("Sigmoid"));
        Assert.DoesNotContain(OnnxAssert.Compile(model.ToBytes()).Plan!.Steps, s => s.Guard is not null);
    }

    [Fact]
    public void A_condition_computed_from_shapes_folds()
    {
        // The exporters' "if the input has 3 channels" test: Shape → Gather → Equal.
        var model = new ModelBuilder(13).Input("x", 1, 3, 6, 6)
            .Initializer("one", new long[] { 1 })
            .Initializer("three", new long[] { 3 })
            .Node("Shape", new[] { "x" }, new[] { "shape" })
            .Node("Gather", new[] { "shape", "one" }, new[] { "channels" }, ("axis", 0))
            .Node("Equal", new[] { "channels", "three" }, new[] { "cond" });
        model = ConvOrSigmoid(model, "cond");
        OnnxAssert.MatchesOnnxRuntime(model);
        Assert.DoesNotContain("Sigmoid", CompiledOpTypes(model));
    }

    [Theory]
    [InlineData(16000)]
    [InlineData(8000)]
    public void A_condition_on_an_input_fixed_with_values_folds(int rate)
    {
        // A voice-activity detector's shape: If (sr == 16000) picks the weights of one sample rate.
        var sixteen = Graph(b => b.Node("MatMul", new[] { "x", "w16" }, new[] { "y16" }).Output("y16"));
        var eight = Graph(b => b.Node("MatMul", new[] { "x", "w8" }, new[] { "m8" }).Node("Tanh", new[] { "m8" }, new[] { "y8" }).Output("y8"));
        var model = new ModelBuilder(13).Input("x", 2, 16).Input("sr", DT.Int64, 1)
            .Initializer("w16", Floats(64, 1), 16, 4).Initializer("w8", Floats(64, 2), 16, 4)
            .Initializer("rate", new long[] { 16000 }, 1)
            .Node("Equal", new[] { "sr", "rate" }, new[] { "cond" })
            .Node("If", new[] { "cond" }, new[] { "y" }, ("then_branch", sixteen), ("else_branch", eight))
            .Output("y");
        var options = With($"sr={rate}");
        OnnxAssert.MatchesOnnxRuntime(model.Build(), options: options);
        var result = OnnxAssert.Compile(model.ToBytes(), options);
        Assert.Equal("x", Assert.Single(result.Plan!.Inputs).OnnxName);
        Assert.Equal(rate == 8000, result.Plan.Steps.Any(s => s.Origin.OpTypes.Contains("Tanh")));
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(-1f)]
    public void A_run_time_condition_runs_the_branch_it_selects(float sign)
    {
        var model = new ModelBuilder(13).Input("x", 1, 3, 6, 6)
            .Initializer("zero", new[] { 0f })
            .Node("ReduceSum", new[] { "x" }, new[] { "sum" }, ("keepdims", 0))
            .Node("Greater", new[] { "sum", "zero" }, new[] { "cond" });
        model = ConvOrSigmoid(model, "cond");
        var x = Floats(108, 5).Select(v => sign * (Math.Abs(v) + 0.01f)).ToArray();
        OnnxAssert.MatchesOnnxRuntime(model.Build(), inputs: new Dictionary<string, Array> { ["x"] = x });

        var result = OnnxAssert.Compile(model.ToBytes());
        Assert.Contains(result.Plan!.Steps, s => s.Guard is { WhenTrue: true } && s.Origin.OpTypes.Contains("Conv"));
        Assert.Contains(result.Plan.Steps, s => s.Guard is { WhenTrue: false } && s.Origin.OpTypes.Contains("Sigmoid"));
        Assert.Contains("if (", result.Source);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public void Nested_branches_see_the_values_of_every_enclosing_graph(bool outer, bool inner)
    {
        var innerThen = Graph(b => b.Node("Mul", new[] { "t", "x" }, new[] { "it" }).Output("it"));
        var innerElse = Graph(b => b.Node("Sub", new[] { "t", "bias" }, new[] { "ie" }).Output("ie"));
        var outerThen = Graph(b => b
            .Node("Add", new[] { "x", "bias" }, new[] { "t" })
            .Node("If", new[] { "c2" }, new[] { "ot" }, ("then_branch", innerThen), ("else_branch", innerElse))
            .Output("ot"));
        var outerElse = Graph(b => b.Node("Neg", new[] { "x" }, new[] { "oe" }).Output("oe"));
        var model = new ModelBuilder(13).Input("x", 2, 5).Input("c1", DT.Bool).Input("c2", DT.Bool)
            .Initializer("bias", Floats(5, 9), 5)
            .Node("If", new[] { "c1" }, new[] { "y" }, ("then_branch", outerThen), ("else_branch", outerElse))
            .Output("y");
        OnnxAssert.MatchesOnnxRuntime(model.Build(), inputs: new Dictionary<string, Array>
        {
            ["x"] = Floats(10, 4), ["c1"] = new[] { outer }, ["c2"] = new[] { inner },
        });
    }

    [Fact]
    public void Branches_whose_shapes_differ_need_the_condition_at_build_time()
    {
        var then = Graph(b => b.Node("Identity", new[] { "x" }, new[] { "a" }).Output("a"));
        var otherwise = Graph(b => b.Node("Concat", new[] { "x", "x" }, new[] { "b" }, ("axis", 0)).Output("b"));
        var model = new ModelBuilder(13).Input("x", 2, 3).Input("cond", DT.Bool)
            .Node("If", new[] { "cond" }, new[] { "y" }, ("then_branch", then), ("else_branch", otherwise))
            .Output("y");
        var result = OnnxAssert.Compile(model.ToBytes());
        var d = Assert.Single(result.Diagnostics, d => d.Id == "MG0203");
        Assert.Contains("input 'cond' must be known at build time", d.Message);
        Assert.Contains("[2x3] and [4x3]", d.Message);

        // Fixed with Values, it compiles.
        var options = With("cond=0");
        OnnxAssert.MatchesOnnxRuntime(model.Build(), options: options);
    }

    [Fact]
    public void An_unsupported_operator_inside_a_branch_is_reported_before_anything_runs()
    {
        var then = Graph(b => b.Node("NoSuchOperator", new[] { "x" }, new[] { "a" }).Output("a"));
        var otherwise = Graph(b => b.Node("Identity", new[] { "x" }, new[] { "b" }).Output("b"));
        var model = new ModelBuilder(13).Input("x", 2, 3).Input("cond", DT.Bool)
            .Node("If", new[] { "cond" }, new[] { "y" }, ("then_branch", then), ("else_branch", otherwise))
            .Output("y");
        var result = OnnxAssert.Compile(model.ToBytes());
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal("MG0201", d.Id);
        Assert.Contains("NoSuchOperator", d.Message);
        Assert.Null(result.Source);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Recurrent_layers_in_run_time_branches_match_onnx_runtime(bool condition)
    {
        // A voice-activity detector's shape: an LSTM per sample rate, chosen by a flag, the state carried in and out.
        const int hidden = 8, features = 6, steps = 3;
        GraphProto Branch(string tag) => Graph(b => b
            .Node("LSTM", new[] { "x", "w" + tag, "r" + tag, "b" + tag, "", "h0", "c0" }, new[] { "y" + tag, "h" + tag, "c" + tag }, ("hidden_size", hidden))
            .Output("h" + tag).Output("c" + tag));
        var model = new ModelBuilder(14).Input("x", steps, 1, features).Input("h0", 1, 1, hidden).Input("c0", 1, 1, hidden).Input("cond", DT.Bool);
        foreach (var (tag, seed) in new[] { ("A", 20), ("B", 30) })
            model.Initializer("w" + tag, Floats(4 * hidden * features, seed, 0.5f), 1, 4 * hidden, features)
                .Initializer("r" + tag, Floats(4 * hidden * hidden, seed + 1, 0.5f), 1, 4 * hidden, hidden)
                .Initializer("b" + tag, Floats(8 * hidden, seed + 2, 0.5f), 1, 8 * hidden);
        model.Node("If", new[] { "cond" }, new[] { "h", "c" }, ("then_branch", Branch("A")), ("else_branch", Branch("B")))
            .Output("h").Output("c");
        OnnxAssert.MatchesOnnxRuntime(model.Build(), inputs: new Dictionary<string, Array>
        {
            ["x"] = Floats(steps * features, 1), ["h0"] = Floats(hidden, 2), ["c0"] = Floats(hidden, 3), ["cond"] = new[] { condition },
        });
    }

    /// <summary>Loop body: acc += table[i]; cond_out from <paramref name="condition"/>; scan output acc·2.</summary>
    private static GraphProto AccumulateBody(Action<ModelBuilder>? condition = null) => Graph(b =>
    {
        b.Input("i", DT.Int64).Input("cond_in", DT.Bool).Input("acc", 1, 4)
            .Node("Gather", new[] { "table", "i" }, new[] { "row" }, ("axis", 0))
            .Node("Add", new[] { "acc", "row" }, new[] { "acc_out" })
            .Node("Mul", new[] { "acc_out", "two" }, new[] { "doubled" });
        if (condition is null) b.Node("Identity", new[] { "cond_in" }, new[] { "cond_out" });
        else condition(b);
        b.Output("cond_out", DT.Bool).Output("acc_out").Output("doubled");
    });

    private static ModelBuilder LoopModel(GraphProto body, long trips, string condition) => new ModelBuilder(13).Input("x", 1, 4)
        .Initializer("table", Floats(40, 11), 10, 4).Initializer("two", new[] { 2f })
        .Initializer("M", new[] { trips }).Initializer(Bool("true", true))
        .Node("Loop", new[] { "M", condition, "x" }, new[] { "final", "history" }, ("body", body))
        .Output("final").Output("history");

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(10)]
    public void A_loop_with_a_fixed_trip_count_is_unrolled(long trips)
    {
        var model = LoopModel(AccumulateBody(), trips, "");
        OnnxAssert.MatchesOnnxRuntime(model);
        Assert.Equal((int)trips, CompiledOpTypes(model).Count(op => op == "Add"));
        // Each iteration's Mul writes its row of the stacked output: the Stack itself moves nothing.
        var steps = OnnxAssert.Compile(model.ToBytes()).Plan!.Steps;
        Assert.DoesNotContain(steps, s => s.Origin.OpTypes.Contains("Stack") && s is not NoOp);
    }

    [Fact]
    public void A_loop_stops_when_its_condition_turns_false_at_build_time()
    {
        // cond_out = i < 3: four iterations of a hundred allowed.
        var body = AccumulateBody(b => b.Node("Less", new[] { "i", "three" }, new[] { "cond_out" }));
        body.Initializer.Add(new TensorProto { Name = "three", DataType = (int)DT.Int64, Int64Data = { 3 } });
        var model = LoopModel(body, 100, "true");
        OnnxAssert.MatchesOnnxRuntime(model);
        Assert.Equal(4, CompiledOpTypes(model).Count(op => op == "Add"));
    }

    [Fact]
    public void A_loop_whose_condition_is_computed_at_run_time_is_a_diagnostic()
    {
        var body = AccumulateBody(b => b
            .Node("ReduceSum", new[] { "acc_out" }, new[] { "total" }, ("keepdims", 0))
            .Node("Less", new[] { "total", "limit" }, new[] { "cond_out" }));
        body.Initializer.Add(ModelBuilder.FloatTensor("limit", new[] { 10f }));
        var result = OnnxAssert.Compile(LoopModel(body, 10, "true").ToBytes());
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal("MG0203", d.Id);
        Assert.Contains("computed at run time", d.Message);
    }

    [Fact]
    public void A_loop_whose_trip_count_is_a_graph_input_names_it()
    {
        var model = new ModelBuilder(13).Input("x", 1, 4).Input("M", DT.Int64)
            .Initializer("table", Floats(40, 11), 10, 4).Initializer("two", new[] { 2f })
            .Node("Loop", new[] { "M", "", "x" }, new[] { "final", "history" }, ("body", AccumulateBody()))
            .Output("final").Output("history");
        var d = Assert.Single(OnnxAssert.Compile(model.ToBytes()).Diagnostics);
        Assert.Contains("input 'M' must be known at build time", d.Message);
    }

    [Theory]
    [InlineData(0, 0, 0, 0)]
    [InlineData(1, 1, 0, 1)]
    [InlineData(0, 1, 1, 0)]
    public void Scan_matches_onnx_runtime(int axis, int inputDirection, int outputAxis, int outputDirection)
    {
        // state' = state + a_t · b_t (elementwise), output state'; a and b scanned over `axis` of [5, 6] / [6, 5].
        var body = Graph(b => b.Input("s", 4).Input("a", 4).Input("b", 4)
            .Node("Mul", new[] { "a", "b" }, new[] { "p" })
            .Node("Add", new[] { "s", "p" }, new[] { "s_out" })
            .Node("Tanh", new[] { "s_out" }, new[] { "o" })
            .Output("s_out").Output("o"));
        long[] shape = axis == 0 ? new long[] { 7, 4 } : new long[] { 4, 7 };
        var model = new ModelBuilder(16).Input("s0", 4).Input("xa", shape).Input("xb", 7, 4)
            .Node("Scan", new[] { "s0", "xa", "xb" }, new[] { "s", "ys" }, ("body", body), ("num_scan_inputs", 2),
                ("scan_input_axes", new[] { axis, 0 }), ("scan_input_directions", new[] { inputDirection, 0 }),
                ("scan_output_axes", new[] { outputAxis }), ("scan_output_directions", new[] { outputDirection }))
            .Output("s").Output("ys");
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    [Fact]
    public void A_loop_inside_a_run_time_branch_is_guarded_with_it()
    {
        var then = Graph(b => b
            .Node("Loop", new[] { "M", "", "x" }, new[] { "final", "history" }, ("body", AccumulateBody()))
            .Output("final"));
        var otherwise = Graph(b => b.Node("Neg", new[] { "x" }, new[] { "n" }).Output("n"));
        foreach (bool condition in new[] { true, false })
        {
            var model = new ModelBuilder(13).Input("x", 1, 4).Input("cond", DT.Bool)
                .Initializer("table", Floats(40, 11), 10, 4).Initializer("two", new[] { 2f }).Initializer("M", new[] { 3L })
                .Node("If", new[] { "cond" }, new[] { "y" }, ("then_branch", then), ("else_branch", otherwise))
                .Output("y");
            OnnxAssert.MatchesOnnxRuntime(model.Build(), inputs: new Dictionary<string, Array> { ["x"] = Floats(4, 2), ["cond"] = new[] { condition } });
            var steps = OnnxAssert.Compile(model.ToBytes()).Plan!.Steps;
            Assert.All(steps.Where(s => s.Origin.OpTypes.Contains("Add")), s => Assert.True(s.Guard is { WhenTrue: true }));
        }
    }
}
