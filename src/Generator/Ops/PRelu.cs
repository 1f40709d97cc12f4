using System.Linq;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// PRelu: x where x ≥ 0, slope·x where x &lt; 0. The slope broadcasts to X in one direction (opset 7+), typically
    /// per channel ([C,1,1] against [N,C,H,W]), so the kernel runs rows of H·W with one slope each.
    /// </summary>
    public sealed class PReluOp : BinaryFloatOp
    {
        public override string OpType => "PRelu";
        protected override string Kernel => "PRelu";
        protected override string Operator => "PReluOperator";
        protected override (string A, string B, string AStrides, string BStrides) ParameterNames => ("x", "slope", "xStrides", "slopeStrides");
        protected override bool AllowsType(DataType type, int index, int opset) =>
            DataTypes.IsFloating(type) || (opset >= 9 && type is DataType.Int32 or DataType.Int64 or DataType.UInt32 or DataType.UInt64);
        protected override double Reference(double a, double b) => a < 0 ? a * b : a;
        protected override long IntegerReference(long a, long b) => a < 0 ? unchecked(a * b) : a;

        public override void InferShapes(Node node)
        {
            base.InferShapes(node);
            var x = node.Inputs[0]!; var slope = node.Inputs[1]!;
            Require(node.Outputs[0].Shape!.SequenceEqual(x.Shape!), $"slope {Shapes.Format(slope.Shape!)} does not broadcast to X {Shapes.Format(x.Shape!)}");
        }
    }
}
