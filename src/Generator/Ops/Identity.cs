using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>Identity: a view of its input (no copy unless the output is a graph output).</summary>
    public sealed class IdentityOp : OpDefinition
    {
        public override string OpType => "Identity";
        public override bool IsView => true;

        public override void InferShapes(Node node)
        {
            var x = node.Inputs[0]!;
            node.Outputs[0].Type = x.Type;
            node.Outputs[0].Shape = x.Shape;
        }

        public override bool TryFold(Node node)
        {
            node.Outputs[0].Constant = node.Inputs[0]!.Constant;
            return true;
        }

        public override void Lower(LoweringContext ctx) => ViewOps.LowerCopy(ctx);
    }

    internal static class ViewOps
    {
        /// <summary>A view needs no code when the planner aliased it; otherwise it copies its input.</summary>
        public static void LowerCopy(LoweringContext ctx)
        {
            if (ctx.OutputIsAliasOfInput) ctx.Add(new NoOp(ctx.Origin, "shares its input's buffer"));
            else ctx.Copy(ctx.Input(0), ctx.Output(0));
        }
    }
}
