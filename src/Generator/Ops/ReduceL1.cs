using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>ReduceL1: Σ|x| over the axes = ReduceSum(Abs(x)).</summary>
    public sealed class ReduceL1Op : ReduceFunctionOp
    {
        public override string OpType => "ReduceL1";

        protected override void Body(Node node, FunctionBody body, Value x, long keepDims) =>
            Reduce(node, body, "ReduceSum", Apply(node, body, "Abs", new Value?[] { x }), keepDims, last: true);
    }
}
