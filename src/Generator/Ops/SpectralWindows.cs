using System;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// The window functions of opset 17 (HannWindow, HammingWindow, BlackmanWindow): a cosine sum of length `size`,
    /// periodic (denominator size) or symmetric (size − 1), of type output_datatype. The size decides the output shape,
    /// so it is known at build time and the window is a constant.
    /// </summary>
    public abstract class CosineWindowOp : OpDefinition
    {
        /// <summary>The coefficients a0, a1, a2 of a0 − a1·cos(2πn/N) + a2·cos(4πn/N).</summary>
        protected abstract (double A0, double A1, double A2) Coefficients { get; }

        public override void InferShapes(Node node)
        {
            var size = node.Inputs[0]!;
            RequireSupported(size.Constant is not null, $"input '{size.Name}' must be known at build time: it decides the output shape");
            Require(size.Constant!.Length == 1 && Tensor.Family(size.Type) == 'l', "size must be one integer");
            long n = size.Constant.GetLong(0);
            Require(n >= 0, $"size {n} is negative");
            var type = (DataType)node.Attributes.Int("output_datatype", (long)DataType.Float);
            RequireSupported(DataTypes.IsSupported(type) && type != DataType.Bool, $"output_datatype {DataTypes.OnnxName(type)} is not supported");
            long periodic = node.Attributes.Int("periodic", 1);
            Require(periodic is 0 or 1, $"periodic must be 0 or 1, not {periodic}");
            node.Outputs[0].Type = type;
            node.Outputs[0].Shape = new[] { checked((int)n) };
        }

        public override bool TryFold(Node node)
        {
            int n = node.Outputs[0].Shape![0];
            double denominator = node.Attributes.Int("periodic", 1) == 1 ? n : n - 1;
            var (a0, a1, a2) = Coefficients;
            var values = Enumerable.Range(0, n).Select(i =>
            {
                double phase = denominator == 0 ? 0 : 2 * Math.PI * i / denominator;
                return a0 - a1 * Math.Cos(phase) + a2 * Math.Cos(2 * phase);
            }).ToArray();
            node.Outputs[0].Constant = Tensor.FromDoubles(node.Outputs[0].Type, node.Outputs[0].Shape!, values);
            return true;
        }

        /// <summary>Not reached: InferShapes requires the size at build time and TryFold always folds.</summary>
        public override void Lower(LoweringContext ctx) =>
            throw new UnsupportedException($"{OpType} needs its size at build time");
    }

    public sealed class HannWindowOp : CosineWindowOp
    {
        public override string OpType => "HannWindow";
        protected override (double, double, double) Coefficients => (0.5, 0.5, 0);
    }

    public sealed class HammingWindowOp : CosineWindowOp
    {
        public override string OpType => "HammingWindow";
        protected override (double, double, double) Coefficients => (25.0 / 46, 21.0 / 46, 0);
    }

    public sealed class BlackmanWindowOp : CosineWindowOp
    {
        public override string OpType => "BlackmanWindow";
        protected override (double, double, double) Coefficients => (0.42, 0.5, 0.08);
    }
}
