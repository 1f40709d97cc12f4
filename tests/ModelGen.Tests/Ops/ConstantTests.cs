using ModelGen.Onnx.Proto;
using ModelGen.Tests.Infrastructure;
using Xunit;
using static ModelGen.Tests.Ops.ShapeOpTestData;
using DT = ModelGen.Onnx.Proto.TensorProto.Types.DataType;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class ConstantTests
{
    [Fact]
    public void Value_tensor_matches_onnx_runtime()
    {
        var builder = new ModelBuilder(opset: 13).Input("x", 2, 3)
            .Node("Constant", new string[0], new[] { "c" }, ("value", Tensor("t", DT.Float, new long[] { 2, 3 }, new double[] { 1, -2, 3.5, 4, 0, -6 })))
            .Node("Add", new[] { "x", "c" }, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Theory]
    [InlineData("value_float", DT.Float)]
    [InlineData("value_floats", DT.Float)]
    [InlineData("value_int", DT.Int64)]
    [InlineData("value_ints", DT.Int64)]
    public void Opset_12_value_attributes_match_onnx_runtime(string attribute, DT type)
    {
        object value = attribute switch
        {
            "value_float" => 2.5f,
            "value_floats" => new[] { 1f, 2f, -3f },
            "value_int" => 7L,
            _ => new long[] { 4, -5, 6 },
        };
        // A graph output that is a constant: copied from the embedded weight.
        var builder = new ModelBuilder(opset: 13).Input("x", 1)
            .Node("Constant", new string[0], new[] { "c" }, (attribute, value))
            .Node("Identity", new[] { "x" }, new[] { "y" })
            .Output("c", type).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Fact]
    public void Sparse_value_is_unsupported()
    {
        var sparse = new SparseTensorProto { Values = Floats("v", 1f), Indices = Longs("i", 2) };
        sparse.Dims.Add(4);
        var builder = new ModelBuilder(opset: 13).Input("x", 4);
        var model = builder.Node("Identity", new[] { "x" }, new[] { "y" }).Output("y").Output("c").Build();
        var node = new NodeProto { OpType = "Constant", Name = "sparse" };
        node.Output.Add("c");
        node.Attribute.Add(new AttributeProto { Name = "sparse_value", Type = AttributeProto.Types.AttributeType.SparseTensor, SparseTensor = sparse });
        model.Graph.Node.Insert(0, node);
        var result = OnnxAssert.Compile(Google.Protobuf.MessageExtensions.ToByteArray(model));
        Assert.Contains(result.Diagnostics, d => d.Id == "MG0203");
    }
}
