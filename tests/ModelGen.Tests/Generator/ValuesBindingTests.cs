using System.Collections.Generic;
using System.Linq;
using ModelGen.Configuration;
using ModelGen.Onnx.Proto;
using ModelGen.Tests.Diagnostics;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Generator;

/// <summary>Values="input=..." fixes inputs at build time: constants of the declared type and shape, gone from Predict.</summary>
public class ValuesBindingTests
{
    private static ModelOptions With(string values) =>
        OnnxAssert.WithValues(values, "Tests") with { ClassName = "Bound", Namespace = "ModelGen.Tests.Bound" };

    [Fact]
    public void A_bound_scalar_becomes_a_constant_and_matches_onnx_runtime_given_that_value()
    {
        var model = new ModelBuilder(17).Input("x", 2, 3).Input("scale", 1).Node("Mul", new[] { "x", "scale" }, new[] { "y" }).Output("y").Build();
        var options = With("scale=2.5");
        var result = OnnxAssert.Compile(Google.Protobuf.MessageExtensions.ToByteArray(model), options);
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        Assert.Equal(new[] { "x" }, result.Graph!.Inputs.Select(i => i.Name));
        OnnxAssert.MatchesOnnxRuntime(model, options: options);
    }

    [Fact]
    public void A_bound_shape_input_lets_reshape_fold()
    {
        var model = new ModelBuilder(17).Input("x", 2, 6).Input("shape", TensorProto.Types.DataType.Int64, 2)
            .Node("Reshape", new[] { "x", "shape" }, new[] { "y" }).Output("y").Build();
        var unbound = OnnxAssert.Compile(Google.Protobuf.MessageExtensions.ToByteArray(model));
        DiagnosticAssert.Reports(unbound.Diagnostics, "MG0203", "shape");
        var options = With("shape=3 4");
        var report = OnnxAssert.MatchesOnnxRuntime(model, options: options);
        Assert.Single(report.Outputs);
    }

    [Fact]
    public void Binding_an_unknown_input_or_the_wrong_count_is_a_metadata_error()
    {
        var bytes = new ModelBuilder(17).Input("x", 2, 3).Input("scale", 3).Node("Mul", new[] { "x", "scale" }, new[] { "y" }).Output("y").ToBytes();
        DiagnosticAssert.Reports(OnnxAssert.Compile(bytes, With("rate=16000")).Diagnostics, "MG0401", "Values", "no input 'rate'", "scale");
        DiagnosticAssert.Reports(OnnxAssert.Compile(bytes, With("scale=1 2")).Diagnostics, "MG0401", "3 elements", "one value or 3");
        Assert.True(OnnxAssert.Compile(bytes, With("scale=1 2 3")).Success);
    }

    [Fact]
    public void Malformed_values_are_a_metadata_error()
    {
        var diagnostics = new List<ModelGen.Diagnostics.ModelDiagnostic>();
        ModelOptions.FromMetadata(k => k == "Values" ? "sr=fast" : null, "m.onnx", "Tests", diagnostics);
        DiagnosticAssert.Reports(diagnostics, "MG0401", "sr=fast", "input=number");
    }
}

public class BuildTimeInputTraceTests
{
    [Fact]
    public void A_shape_computed_from_a_graph_input_names_that_input_and_binding_it_compiles()
    {
        var model = new ModelBuilder(17).Input("x", 2, 6).Input("dims", 2)
            .Node("Cast", new[] { "dims" }, new[] { "shape" }, ("to", (long)TensorProto.Types.DataType.Int64))
            .Node("Reshape", new[] { "x", "shape" }, new[] { "y" }).Output("y").Build();
        var result = OnnxAssert.Compile(Google.Protobuf.MessageExtensions.ToByteArray(model));
        DiagnosticAssert.Reports(result.Diagnostics, "MG0203", "input 'shape' must be known at build time", "computed from graph input 'dims'", "Values");
        var diagnostics = new List<ModelGen.Diagnostics.ModelDiagnostic>();
        var options = ModelOptions.FromMetadata(k => k == "Values" ? "dims=4 3" : null, "m.onnx", "Tests", diagnostics) with { ClassName = "Traced" };
        OnnxAssert.MatchesOnnxRuntime(model, options: options);
    }
}
