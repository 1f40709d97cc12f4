using System;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>Size: the input's element count as an int64 scalar; always folds, since shapes are known at build time.</summary>
    public sealed class SizeOp : OpDefinition
    {
        public override string OpType => "Size";
        public override bool FoldsWithoutConstantInputs => true;

        public override void InferShapes(Node node)
        {
            node.Outputs[0].Type = DataType.Int64;
            node.Outputs[0].Shape = new int[0];
        }

        public override bool TryFold(Node node)
        {
            node.Outputs[0].Constant = Tensor.FromLongs(DataType.Int64, new int[0], new long[] { node.Inputs[0]!.Length });
            return true;
        }

        public override void Lower(LoweringContext ctx) => throw new InvalidOperationException("Size always folds at build time");
    }
}
