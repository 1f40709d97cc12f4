using ModelGen.Ir;

namespace ModelGen.Plan
{
    /// <summary>
    /// A depthwise QLinearConv emitted as its own method around the float depthwise kernel <see cref="Conv"/> (no bias,
    /// no activation; its X is the 8-bit input, its Y the 8-bit output, its scratch the whole step's): per channel, x − x_zero_point
    /// as floats into scratch, the float kernel's exact integer sums (taps ≤ 256 keep them below 2²⁴), then int32 bias and
    /// the QLinear requantization into Y. <see cref="Multiplier"/> holds one float per channel.
    /// </summary>
    public sealed record DepthwiseQLinearConvCall(
        StepOrigin Origin, DepthwiseConvCall Conv, DataType XType, DataType YType,
        BufferArg XZeroPoint, BufferArg? Bias, BufferArg Multiplier, BufferArg YZeroPoint) : Step(Origin)
    {
        /// <summary>Floats of scratch before the float kernel's own: one channel's centered input, then its sums.</summary>
        public static long ChannelFloats(DepthwiseGeometry g) => (long)g.Height * g.Width + (long)g.OutHeight * g.OutWidth;
    }
}
