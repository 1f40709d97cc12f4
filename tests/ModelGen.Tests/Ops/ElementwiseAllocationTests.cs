using System;
using System.Linq;
using ModelGen.Configuration;
using ModelGen.Cli.Verification;
using ModelGen.Compiler;
using ModelGen.Onnx.Proto;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>A model chaining every op of this family runs without allocating (after the first call).</summary>
[Trait("Category", "Ops")]
public class ElementwiseAllocationTests
{
    [Fact]
    public void Predict_allocates_nothing()
    {
        var random = new Random(1);
        var model = new ModelBuilder(18)
            .Input("x", 2, 4, 5, 7).Input("lo").Input("n", TensorProto.Types.DataType.Int64, 3)
            .Initializer("c", TestData.Floats(random, 4, 0.5f), 4, 1, 1)
            .Initializer("two", new[] { 2f }).Initializer("axes", new long[] { 0, 2 }, 2)
            .Node("Mul", new[] { "x", "c" }, new[] { "a" })
            .Node("Sub", new[] { "a", "x" }, new[] { "b" })
            .Node("Div", new[] { "b", "c" }, new[] { "d" })
            .Node("Pow", new[] { "d", "two" }, new[] { "e" })
            .Node("Pow", new[] { "x", "d" }, new[] { "e2" })
            .Node("Sum", new[] { "e", "d", "x", "e2" }, new[] { "f" })
            .Node("Max", new[] { "f", "c", "x" }, new[] { "g" })
            .Node("Min", new[] { "g", "a" }, new[] { "h" })
            .Node("PRelu", new[] { "h", "c" }, new[] { "i" })
            .Node("Clip", new[] { "i", "lo" }, new[] { "j" })
            .Node("LeakyRelu", new[] { "j" }, new[] { "k" }, ("alpha", 0.2f))
            .Node("HardSigmoid", new[] { "k" }, new[] { "l" })
            .Node("HardSwish", new[] { "l" }, new[] { "m" })
            .Node("Sigmoid", new[] { "m" }, new[] { "o" })
            .Node("Tanh", new[] { "o" }, new[] { "p" })
            .Node("Exp", new[] { "p" }, new[] { "q" })
            .Node("Sqrt", new[] { "q" }, new[] { "r" })
            .Node("Relu", new[] { "r" }, new[] { "s" })
            .Node("Softmax", new[] { "s" }, new[] { "t" }, ("axis", 1L))
            .Node("LogSoftmax", new[] { "t" }, new[] { "u" })
            .Node("ReduceMean", new[] { "u", "axes" }, new[] { "v" })
            .Node("ReduceMax", new[] { "u" }, new[] { "w" }, ("keepdims", 0L))
            .Node("Add", new[] { "n", "n" }, new[] { "z" })
            .Output("v").Output("w").Output("z", TensorProto.Types.DataType.Int64);
        var inputs = ElementwiseModels.Inputs(("x", ElementwiseModels.Floats(2, 280)), ("lo", new[] { -0.5f }), ("n", new long[] { 1, 2, 3 }));
        OnnxAssert.MatchesOnnxRuntime(model.Build(), inputs: inputs);

        var options = ModelOptions.Default("AllocationModel", "ModelGen.Tests.Generated");
        var loaded = InMemoryModel.Load(OnnxAssert.Compile(model.ToBytes(), options), options);
        var arrays = loaded.Inputs.Select(i => inputs[i.OnnxName]).ToArray();
        var outputs = loaded.Outputs.Select(o => Array.CreateInstance(o.ElementType, o.Length)).ToArray();
        loaded.Run(arrays, outputs);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) loaded.Run(arrays, outputs);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
