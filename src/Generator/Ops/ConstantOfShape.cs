using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;
using ModelGen.Onnx;

namespace ModelGen.Ops
{
    /// <summary>
    /// ConstantOfShape: a tensor of the (build-time) shape filled with the one-element value attribute (float 0 by
    /// default). Small results fold into constants; large ones are filled at run time instead of being embedded.
    /// </summary>
    public sealed class ConstantOfShapeOp : OpDefinition
    {
        public override string OpType => "ConstantOfShape";

        /// <summary>Largest result embedded as a constant; shape arithmetic stays far below it.</summary>
        public const int MaxFoldedElements = 4096;

        private static Tensor Value(Node node)
        {
            var proto = node.Attributes.Tensor("value");
            if (proto is null) return Tensor.FromFloats(new int[0], new[] { 0f });
            var t = TensorReader.Read(proto);
            Require(t.Length == 1, $"value must have one element, not {t.Length}");
            return t;
        }

        public override void InferShapes(Node node)
        {
            var dims = OpInputs.ConstantLongs(node, 0, "shape");
            Require(dims is not null, "needs a shape input");
            Require(dims!.All(d => d >= 0), $"shape {OpInputs.Format(dims!)} has a negative dimension");
            node.Outputs[0].Type = Value(node).Type;
            node.Outputs[0].Shape = dims.Select(d => checked((int)d)).ToArray();
        }

        public override bool TryFold(Node node)
        {
            var o = node.Outputs[0];
            if (o.Length > MaxFoldedElements) return false;
            double v = Value(node).GetDouble(0);
            var value = Value(node);
            o.Constant = Tensor.Family(o.Type) == 'l'
                ? Tensor.FromLongs(o.Type, o.Shape!, Enumerable.Repeat(value.GetLong(0), o.Length).ToArray())
                : Tensor.FromDoubles(o.Type, o.Shape!, Enumerable.Repeat(v, o.Length).ToArray());
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            var o = ctx.Node.Outputs[0];
            ctx.Fill(ctx.Output(0), ScalarArg.From(Value(ctx.Node), 0, o.Type));
        }
    }
}
