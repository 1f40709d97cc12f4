using System.Collections.Generic;
using ModelGen.Ir;
using ModelGen.Onnx.Proto;

namespace ModelGen.Ops
{
    /// <summary>
    /// The reductions ONNX defines through others (ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp, ReduceSumSquare),
    /// expanded into elementwise ops around ReduceSum/ReduceMax, so they share those kernels, their axis handling and
    /// their folding. Axes are an attribute before opset 18 and an optional input from it (with noop_with_empty_axes).
    /// </summary>
    public abstract class ReduceFunctionOp : FunctionOp
    {
        private const int AxesInputSince = 18;

        public override void Expand(Node node, FunctionBody body)
        {
            var x = Required(node, 0, "data");
            Require(node.Outputs.Length == 1, "expects one output");
            long keepDims = node.Attributes.Int("keepdims", 1);
            Require(keepDims is 0 or 1, $"keepdims is {keepDims}; it must be 0 or 1");
            Body(node, body, x, keepDims);
        }

        /// <summary>Writes the nodes computing the node's output from <paramref name="x"/>.</summary>
        protected abstract void Body(Node node, FunctionBody body, Value x, long keepDims);

        /// <summary>Adds <paramref name="op"/> (ReduceSum or ReduceMax) over the node's axes; the last step writes the node's output.</summary>
        protected static Value Reduce(Node node, FunctionBody body, string op, Value input, long keepDims, bool last = false)
        {
            var attributes = new List<AttributeProto> { FunctionBody.Int("keepdims", keepDims) };
            Value? axes;
            if (node.Opset >= AxesInputSince)
            {
                Require(!node.Attributes.Has("axes"), $"opset {node.Opset} takes axes as an input, not an attribute");
                axes = node.Input(1);
                long noop = node.Attributes.Int("noop_with_empty_axes", 0);
                Require(noop is 0 or 1, $"noop_with_empty_axes is {noop}; it must be 0 or 1");
                attributes.Add(FunctionBody.Int("noop_with_empty_axes", noop));
            }
            else
            {
                Require(node.Input(1) is null, $"opset {node.Opset} takes axes as an attribute, not an input");
                var list = node.Attributes.Ints("axes");
                axes = list is null ? null : body.Constant(Tensor.FromLongs(DataType.Int64, new[] { list.Length }, list), "axes");
            }
            var inputs = axes is null ? new Value?[] { input } : new Value?[] { input, axes };
            return body.Add(op, inputs, attributes, outputs: last ? node.Outputs : null, minOpset: AxesInputSince)[0];
        }

        protected static Value Apply(Node node, FunctionBody body, string op, Value?[] inputs, bool last = false) =>
            body.Add(op, inputs, outputs: last ? node.Outputs : null)[0];
    }
}
