namespace ModelGen.Ops
{
    /// <summary>Scatter (opsets 9–10, later renamed ScatterElements): the same op without reductions.</summary>
    public sealed class ScatterOp : ScatterElementsOp
    {
        public override string OpType => "Scatter";
    }
}
