using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Diagnostics;

/// <summary>
/// Attributes are checked against ONNX's definition of the node's operator version (Ops/OnnxSchemas.g.cs): ONNX Runtime
/// refuses these models, and a silent default would compute something else.
/// </summary>
public class AttributeSchemaTests
{


    [Fact]
    public void A_string_softmax_axis_is_an_error_naming_the_node()
    {
        var result = OnnxAssert.Compile(new ModelBuilder(13).Input("x", 2, 3).Node("Softmax", new[] { "x" }, new[] { "y" }, ("axis", "1")).Output("y").ToBytes());
        Assert.False(result.Success);
        DiagnosticAssert.Reports(result.Diagnostics, "MG0102", "Softmax", "'axis' is a string", "Softmax-13 defines it as an int");
    }

    [Fact]
    public void An_unknown_attribute_is_an_error_listing_the_known_ones()
    {
        var result = OnnxAssert.Compile(new ModelBuilder(17).Input("x", 2, 3).Node("Relu", new[] { "x" }, new[] { "y" }, ("alpha", 0.1f)).Output("y").ToBytes());
        Assert.False(result.Success);
        DiagnosticAssert.Reports(result.Diagnostics, "MG0102", "'alpha' is not an attribute of Relu-14", "none");
    }

    [Fact]
    public void A_missing_required_attribute_is_an_error()
    {
        var result = OnnxAssert.Compile(new ModelBuilder(17).Input("x", 2, 3).Node("Cast", new[] { "x" }, new[] { "y" }).Output("y").ToBytes());
        Assert.False(result.Success);
        DiagnosticAssert.Reports(result.Diagnostics, "MG0102", "required attribute 'to' of Cast-13");
    }

    [Fact]
    public void The_schema_of_the_nodes_opset_applies()
    {
        // `broadcast` belongs to Add-1..6 only: valid at opset 6, unknown at opset 7.
        var legacy = OnnxAssert.Compile(new ModelBuilder(6, irVersion: 3).Input("x", 2, 3).Input("b", 3)
            .Node("Add", new[] { "x", "b" }, new[] { "y" }, ("broadcast", 1L)).Output("y").ToBytes());
        Assert.True(legacy.Success, string.Join("; ", legacy.Diagnostics));
        var modern = OnnxAssert.Compile(new ModelBuilder(7, irVersion: 3).Input("x", 2, 3).Input("b", 3)
            .Node("Add", new[] { "x", "b" }, new[] { "y" }, ("broadcast", 1L)).Output("y").ToBytes());
        DiagnosticAssert.Reports(modern.Diagnostics, "MG0102", "'broadcast' is not an attribute of Add-7");
    }
}
