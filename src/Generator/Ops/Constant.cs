using System;
using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;
using ModelGen.Onnx;

namespace ModelGen.Ops
{
    /// <summary>
    /// Constant: a build-time tensor from exactly one of value (tensor), value_float(s) and value_int(s) (opset 12);
    /// strings and sparse_value are not supported.
    /// </summary>
    public sealed class ConstantOp : OpDefinition
    {
        public override string OpType => "Constant";

        private static Tensor Read(Node node)
        {
            var a = node.Attributes;
            string[] kinds = { "value", "value_float", "value_floats", "value_int", "value_ints", "value_string", "value_strings", "sparse_value" };
            var present = kinds.Where(a.Has).ToArray();
            Require(present.Length == 1, present.Length == 0 ? "needs a value attribute" : $"has {string.Join(", ", present)}; exactly one is allowed");
            switch (present[0])
            {
                case "value":
                    try
                    {
                        return TensorReader.Read(a.Tensor("value")!);
                    }
                    catch (Exception e) when (e is ArgumentException or OverflowException or IndexOutOfRangeException)
                    {
                        throw new IrException($"value tensor is malformed: {e.Message}");
                    }
                case "value_float": return Tensor.FromFloats(new int[0], new[] { a.Float("value_float", 0) });
                case "value_floats": { var f = a.Floats("value_floats")!; return Tensor.FromFloats(new[] { f.Length }, f); }
                case "value_int": return Tensor.FromLongs(DataType.Int64, new int[0], new[] { a.Int("value_int", 0) });
                case "value_ints": { var l = a.Ints("value_ints")!; return Tensor.FromLongs(DataType.Int64, new[] { l.Length }, l); }
                case "sparse_value": throw new UnsupportedException("sparse_value is not supported; use a dense value");
                default: throw new UnsupportedException($"{present[0]}: string tensors are not supported");
            }
        }

        public override void InferShapes(Node node)
        {
            var t = Read(node);
            node.Outputs[0].Type = t.Type;
            node.Outputs[0].Shape = t.Shape;
        }

        public override bool TryFold(Node node)
        {
            node.Outputs[0].Constant = Read(node);
            return true;
        }

        public override void Lower(LoweringContext ctx) => throw new InvalidOperationException("Constant always folds at build time");
    }
}
