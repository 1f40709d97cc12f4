using System;
using System.Linq;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// LpPool: (Σ|x|ᵖ)^(1/p) over each window, padding counting as zero. Expanded into |x|ᵖ (Abs/Mul/Pow), an AveragePool
    /// that counts the pads (so its divisor is the kernel size), a Mul by that size and the p-th root (Sqrt/Pow).
    /// ceil_mode is not supported: windows hanging past the trailing pad would get a smaller AveragePool divisor.
    /// </summary>
    public sealed class LpPoolOp : FunctionOp
    {
        public override string OpType => "LpPool";

        private static readonly string[] PassedThrough = { "auto_pad", "dilations", "kernel_shape", "pads", "strides" };

        public override void Expand(Node node, FunctionBody body)
        {
            var x = Required(node, 0, "X");
            Require(node.Outputs.Length == 1, "has one output");
            long p = node.Attributes.Int("p", 2);
            Require(p >= 1, $"p {p} must be a positive integer");
            var kernel = node.Attributes.Ints("kernel_shape");
            Require(kernel is not null && kernel.Length > 0 && kernel.All(k => k >= 1), "kernel_shape must list positive window sizes");
            if (node.Attributes.Ints("dilations") is { } dilations)
                Require(dilations.All(d => d >= 1), $"dilations {OpInputs.Format(dilations)} must be positive");
            long ceil = node.Attributes.Int("ceil_mode", 0);
            Require(ceil is 0 or 1, $"ceil_mode {ceil} must be 0 or 1");
            RequireSupported(ceil == 0, "ceil_mode 1 (windows past the trailing pad)");
            string autoPad = node.Attributes.String("auto_pad", "NOTSET");
            Require(autoPad is "NOTSET" or "VALID" or "SAME_UPPER" or "SAME_LOWER", $"auto_pad '{autoPad}' must be NOTSET, VALID, SAME_UPPER or SAME_LOWER");

            float windowSize = kernel!.Aggregate(1f, (a, k) => a * k);
            Value Scalar(float value, string label) => body.Constant(Tensor.FromFloats(Array.Empty<int>(), new[] { value }), label);

            var powered = p switch
            {
                1 => body.Add("Abs", new[] { x })[0],
                2 => body.Add("Mul", new[] { x, x })[0],
                _ => body.Add("Pow", new[] { body.Add("Abs", new[] { x })[0], Scalar(p, "p") })[0],
            };
            var attributes = PassedThrough.Select(n => node.Attributes.Raw(n)).Where(a => a is not null).Select(a => a!)
                .Append(FunctionBody.Int("count_include_pad", 1));
            var mean = body.Add("AveragePool", new[] { powered }, attributes, opset: 19)[0];
            if (p == 1)
            {
                body.Add("Mul", new[] { mean, Scalar(windowSize, "window") }, outputs: node.Outputs);
                return;
            }
            var sum = body.Add("Mul", new[] { mean, Scalar(windowSize, "window") })[0];
            if (p == 2) body.Add("Sqrt", new[] { sum }, outputs: node.Outputs);
            else body.Add("Pow", new[] { sum, Scalar(1f / p, "inverse_p") }, outputs: node.Outputs);
        }
    }
}
