using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>ReduceL2: √(Σx²) over the axes = Sqrt(ReduceSum(x·x)).</summary>
    public sealed class ReduceL2Op : ReduceFunctionOp
    {
        public override string OpType => "ReduceL2";

        protected override void Body(Node node, FunctionBody body, Value x, long keepDims)
        {
            var sum = Reduce(node, body, "ReduceSum", Apply(node, body, "Mul", new Value?[] { x, x }), keepDims);
            Apply(node, body, "Sqrt", new Value?[] { sum }, last: true);
        }
    }
}
