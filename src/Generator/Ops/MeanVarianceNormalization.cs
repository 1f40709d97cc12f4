using System;
using System.Linq;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// MeanVarianceNormalization: (X - E[X]) / (√(E[X²] - E[X]²) + 1e-9) over axes (default [0, 2, 3]), as the ONNX
    /// function body defines it. Expanded into ReduceMean, Mul, Sub, Sqrt, Add and Div, which lower with their own kernels.
    /// </summary>
    public sealed class MeanVarianceNormalizationOp : FunctionOp
    {
        public override string OpType => "MeanVarianceNormalization";

        public override void Expand(Node node, FunctionBody body)
        {
            var x = Required(node, 0, "X");
            Require(node.Outputs.Length == 1, "has one output");
            var axes = node.Attributes.Ints("axes") ?? new long[] { 0, 2, 3 };
            Require(axes.Length > 0, "axes must not be empty");
            Require(axes.Distinct().Count() == axes.Length, $"axes {OpInputs.Format(axes)} repeat an axis");
            var reduce = new[] { FunctionBody.Ints("axes", axes), FunctionBody.Int("keepdims", 1) };
            var mean = body.Add("ReduceMean", new[] { x }, reduce, opset: 13)[0];
            var squares = body.Add("Mul", new[] { x, x })[0];
            var meanOfSquares = body.Add("ReduceMean", new[] { squares }, reduce, opset: 13)[0];
            var squaredMean = body.Add("Mul", new[] { mean, mean })[0];
            var variance = body.Add("Sub", new[] { meanOfSquares, squaredMean })[0];
            var deviation = body.Add("Sqrt", new[] { variance })[0];
            var epsilon = body.Constant(Tensor.FromFloats(Array.Empty<int>(), new[] { 1e-9f }), "epsilon");
            var denominator = body.Add("Add", new[] { deviation, epsilon })[0];
            var centered = body.Add("Sub", new[] { x, mean })[0];
            body.Add("Div", new[] { centered, denominator }, outputs: node.Outputs);
        }
    }
}
