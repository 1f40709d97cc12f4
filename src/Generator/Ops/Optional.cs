using System;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// OptionalGetElement on a tensor (opset 18+ accepts one): the tensor itself. Optional and sequence values are not
    /// part of ModelGen's IR, so an optional-typed input never reaches this op.
    /// </summary>
    public sealed class OptionalGetElementOp : OpDefinition
    {
        public override string OpType => "OptionalGetElement";

        public override bool IsView => true;

        public override void InferShapes(Node node)
        {
            Require(node.Input(0) is not null, "needs an input");
            node.Outputs[0].Type = node.Inputs[0]!.Type;
            node.Outputs[0].Shape = node.Inputs[0]!.Shape;
        }

        public override bool TryFold(Node node)
        {
            node.Outputs[0].Constant = node.Inputs[0]!.Constant;
            return true;
        }

        public override void Lower(LoweringContext ctx) => ViewOps.LowerCopy(ctx);
    }

    /// <summary>OptionalHasElement: true for a tensor input, false when the input is left out; a constant either way.</summary>
    public sealed class OptionalHasElementOp : OpDefinition
    {
        public override string OpType => "OptionalHasElement";

        public override bool FoldsWithoutConstantInputs => true;

        public override void InferShapes(Node node)
        {
            node.Outputs[0].Type = DataType.Bool;
            node.Outputs[0].Shape = Array.Empty<int>();
        }

        public override bool TryFold(Node node)
        {
            node.Outputs[0].Constant = Tensor.FromLongs(DataType.Bool, Array.Empty<int>(), new long[] { node.Input(0) is null ? 0 : 1 });
            return true;
        }

        public override void Lower(LoweringContext ctx) => throw new InvalidOperationException("OptionalHasElement always folds");
    }
}
