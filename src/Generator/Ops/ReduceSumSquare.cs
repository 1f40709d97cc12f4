using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>ReduceSumSquare: Σx² over the axes = ReduceSum(x·x).</summary>
    public sealed class ReduceSumSquareOp : ReduceFunctionOp
    {
        public override string OpType => "ReduceSumSquare";

        protected override void Body(Node node, FunctionBody body, Value x, long keepDims) =>
            Reduce(node, body, "ReduceSum", Apply(node, body, "Mul", new Value?[] { x, x }), keepDims, last: true);
    }
}
