using System.Linq;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// Where: condition ? X : Y elementwise, the three inputs broadcast together (opset 9+). X and Y share any supported
    /// element type; the kernel only moves bits, so every type runs on the vectorized select of its size.
    /// </summary>
    public sealed class WhereOp : OpDefinition
    {
        public override string OpType => "Where";

        public override void InferShapes(Node node)
        {
            var shape = Broadcasting.InferShape(node, 3, Broadcasting.IsNumericOrBool, "numeric types and bool", sameTypes: false);
            var condition = node.Inputs[0]!; var x = node.Inputs[1]!; var y = node.Inputs[2]!;
            if (condition.Type != DataType.Bool) throw new IrException($"condition '{condition.Name}' must be bool, not {DataTypes.OnnxName(condition.Type)}");
            if (x.Type != y.Type) throw new IrException($"X and Y have different element types {DataTypes.OnnxName(x.Type)} and {DataTypes.OnnxName(y.Type)}");
            node.Outputs[0].Type = x.Type;
            node.Outputs[0].Shape = shape;
        }

        public override bool TryFold(Node node)
        {
            var c = node.Inputs[0]!.Constant!; var x = node.Inputs[1]!.Constant!; var y = node.Inputs[2]!.Constant!;
            var shape = node.Outputs[0].Shape!;
            var ic = BinaryFloatOp.BroadcastIndex(c.Shape, shape);
            var ix = BinaryFloatOp.BroadcastIndex(x.Shape, shape);
            var iy = BinaryFloatOp.BroadcastIndex(y.Shape, shape);
            bool Pick(int k) => c.GetLong(ic[k]) != 0;
            var type = node.Outputs[0].Type;
            var range = Enumerable.Range(0, ic.Length);
            node.Outputs[0].Constant = Tensor.Family(type) switch
            {
                'f' => new Tensor(type, shape, floats: range.Select(k => Pick(k) ? x.AsFloats()[ix[k]] : y.AsFloats()[iy[k]]).ToArray()),
                'd' => new Tensor(type, shape, doubles: range.Select(k => Pick(k) ? x.GetDouble(ix[k]) : y.GetDouble(iy[k])).ToArray()),
                _ => new Tensor(type, shape, longs: range.Select(k => Pick(k) ? x.GetLong(ix[k]) : y.GetLong(iy[k])).ToArray()),
            };
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            var (shape, strides) = Broadcasting.Describe(node);
            ctx.Call("Where", new TypeArg[] { node.Outputs[0].Type }, ("condition", ctx.Input(0)), ("x", ctx.Input(1)), ("y", ctx.Input(2)),
                ("destination", ctx.Output(0)), ("shape", shape), ("conditionStrides", strides[0]), ("xStrides", strides[1]), ("yStrides", strides[2]));
        }
    }
}
