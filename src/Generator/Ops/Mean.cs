using System.Linq;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>Mean: elementwise mean of 1..N floating inputs with multidirectional broadcasting (opset 8+): their sum, then ÷ N.</summary>
    public sealed class MeanOp : BinaryFloatOp
    {
        public override string OpType => "Mean";
        protected override string Kernel => "Add";
        protected override string Operator => "AddOperator";
        protected override int MinInputs => 1;
        protected override int MaxInputs => int.MaxValue;
        protected override int BroadcastSince => 8;
        protected override bool AllowsType(DataType type, int index, int opset) => DataTypes.IsFloating(type);
        protected override double Reference(double a, double b) => a + b;

        public override bool TryFold(Node node)
        {
            base.TryFold(node);
            var output = node.Outputs[0];
            var sum = output.Constant!;
            double n = node.Inputs.Length;
            output.Constant = Tensor.FromDoubles(output.Type, sum.Shape, Enumerable.Range(0, sum.Length).Select(i => sum.GetDouble(i) / n).ToArray());
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            base.Lower(ctx);
            var node = ctx.Node;
            if (node.Inputs.Length == 1) return;
            var output = node.Outputs[0];
            var count = new Value(output.Name + "_count") { Type = output.Type, Shape = new int[0] };
            count.Constant = Tensor.FromDoubles(output.Type, count.Shape, new double[] { node.Inputs.Length });
            LowerStep(ctx, ctx.Output(0), output, ctx.Weight(count.Constant, count.Name), count, "Divide", "DivideOperator");
        }
    }
}
