using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// ReduceLogSumExp: ln Σe^x over the axes, computed stably as m + ln Σe^(x - m) with m the maximum over the same axes
    /// (so large inputs do not overflow): ReduceMax (kept dims), Sub, Exp, ReduceSum, Log, plus ReduceMax in the output's
    /// shape. An empty set gives -∞.
    /// </summary>
    public sealed class ReduceLogSumExpOp : ReduceFunctionOp
    {
        public override string OpType => "ReduceLogSumExp";

        protected override void Body(Node node, FunctionBody body, Value x, long keepDims)
        {
            var max = Reduce(node, body, "ReduceMax", x, keepDims: 1);
            var exp = Apply(node, body, "Exp", new Value?[] { Apply(node, body, "Sub", new Value?[] { x, max }) });
            var log = Apply(node, body, "Log", new Value?[] { Reduce(node, body, "ReduceSum", exp, keepDims) });
            var shift = keepDims == 1 ? max : Reduce(node, body, "ReduceMax", x, keepDims: 0);
            Apply(node, body, "Add", new Value?[] { log, shift }, last: true);
        }
    }
}
