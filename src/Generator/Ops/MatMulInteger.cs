using System;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// MatMulInteger (opset 10): A (uint8/int8) [.., M, K] × B (uint8/int8) [.., K, N] → int32, with numpy batch
    /// broadcasting and 1-D operands as MatMul. a_zero_point: scalar or one per row of A (M); b_zero_point: scalar or one
    /// per column of B (N); both may be run-time values (DynamicQuantizeLinear computes a's). A constant B with a constant
    /// zero point is packed at build time; the product is exact (Kernels.MatMulInteger).
    /// </summary>
    public sealed class MatMulIntegerOp : OpDefinition
    {
        public override string OpType => "MatMulInteger";

        private static QuantizedMatrix.MatMulDims Analyze(Node node)
        {
            Require(node.Inputs.Length >= 2 && node.Inputs[0] is not null && node.Inputs[1] is not null, "expects A and B");
            var ta = QuantizedMatrix.RequireInt8(node, 0, "A");
            var tb = QuantizedMatrix.RequireInt8(node, 1, "B");
            var d = QuantizedMatrix.MatMulDims.Of(node.Inputs[0]!.Shape!, node.Inputs[1]!.Shape!);
            QuantizedMatrix.ZeroPoint(node, 2, ta, d.M, "a_zero_point", "per row of A");
            QuantizedMatrix.ZeroPoint(node, 3, tb, d.N, "b_zero_point", "per column of B");
            return d;
        }

        private static bool PacksB(Node node) =>
            node.Inputs[1]!.Constant is not null && (node.Input(3) is null || node.Input(3)!.Constant is not null);

        public override void InferShapes(Node node)
        {
            var d = Analyze(node);
            node.Outputs[0].Type = DataType.Int32;
            node.Outputs[0].Shape = d.Output;
        }

        public override long Macs(Node node)
        {
            var d = Analyze(node);
            return (long)d.Count * d.M * d.N * d.K;
        }

        public override long ScratchBytes(Node node)
        {
            var d = Analyze(node);
            if (QuantizedMatrix.UsesQuads(node, 2, 1, 3)) return 2 * QuantizedMatrix.QuadScratchShorts(d.M * d.Count, d.N, d.K, requantize: false);
            return 2 * QuantizedMatrix.MatMulScratchShorts(d.M * d.Count, d.N, d.K, PacksB(node), requantize: false);
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            var d = Analyze(node);
            bool packB = PacksB(node);
            if (QuantizedMatrix.UsesQuads(node, 2, 1, 3))
            {
                // The kernel's a is input 0 and its B input 1 here.
                QuantizedMatrix.LowerQuads(ctx, d, 1, "MatMulIntegerU8S8", new TypeArg[] { node.Inputs[0]!.Type },
                    ("aZeroPoint", QuantizedMatrix.OptionalInput(ctx, 2)), ("y", ctx.Output(0)));
                return;
            }
            var types = new TypeArg[] { node.Inputs[0]!.Type, node.Inputs[1]!.Type };
            Arg za = QuantizedMatrix.OptionalInput(ctx, 2);
            Arg zb = packB ? Arg.None : QuantizedMatrix.OptionalInput(ctx, 3);
            QuantizedMatrix.LowerMatMul(ctx, d, 0, 2, 1, 3, packB, (m, a, b, y, scratch) => ctx.MakeCall("MatMulInteger", types,
                ("a", a), ("aZeroPoint", za), ("b", packB ? Arg.None : b), ("bZeroPoint", zb), ("packedB", packB ? b : Arg.None),
                ("y", y), ("m", m), ("n", d.N), ("k", d.K), ("scratch", scratch)), "b");
        }
    }
}
