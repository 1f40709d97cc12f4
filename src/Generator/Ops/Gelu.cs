using System;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// Gelu (opset 20): x·Φ(x) = x·(1 + erf(x/√2))/2, or with approximate = "tanh" x·(1 + tanh(√(2/π)·(x + 0.044715x³)))/2.
    /// </summary>
    public sealed class GeluOp : UnaryFloatOp
    {
        public override string OpType => "Gelu";
        protected override string Kernel => "Gelu";

        private static bool UsesTanh(Node node)
        {
            var a = node.Attributes.Raw("approximate");
            if (a is null) return false;
            Require(a.Type == ModelGen.Onnx.Proto.AttributeProto.Types.AttributeType.String, "attribute 'approximate' must be a string");
            string mode = a.S.ToStringUtf8();
            Require(mode is "none" or "tanh", $"attribute 'approximate' is '{mode}'; it must be 'none' or 'tanh'");
            return mode == "tanh";
        }

        protected override void ValidateAttributes(Node node) => UsesTanh(node);

        protected override float Reference(float x, Node node) => UsesTanh(node)
            ? (float)(0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))))
            : (float)(0.5 * x * (1 + MathReference.Erf(x / Math.Sqrt(2))));

        public override void Lower(ModelGen.Plan.LoweringContext ctx) =>
            ctx.Call(UsesTanh(ctx.Node) ? "GeluTanh" : "Gelu", ("x", ctx.Input(0)), ("destination", ctx.Output(0)));
    }
}
