using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>ReduceLogSum: ln Σx over the axes = Log(ReduceSum(x)) (an empty sum gives -∞).</summary>
    public sealed class ReduceLogSumOp : ReduceFunctionOp
    {
        public override string OpType => "ReduceLogSum";

        protected override void Body(Node node, FunctionBody body, Value x, long keepDims) =>
            Apply(node, body, "Log", new Value?[] { Reduce(node, body, "ReduceSum", x, keepDims) }, last: true);
    }
}
