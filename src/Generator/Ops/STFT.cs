using System;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// STFT (17) of signal [batch, length, 1 or 2]: frames of frame_length samples every frame_step, each multiplied by
    /// the window (when given) and transformed; output [batch, frames, bins, 2] with frames = 1 + (length −
    /// frame_length) / frame_step and bins = frame_length / 2 + 1 when onesided (the default), else frame_length.
    /// frame_length defaults to the window's length, else the signal's. A window longer than the frame is cut to it;
    /// a shorter one zero-pads each frame, as ONNX's reference does (ONNX's shape inference, so ONNX Runtime, refuses
    /// the mismatch). frame_step and frame_length decide the output shape, so they must be known at build time; the
    /// window may arrive at run time. Kernels.Stft shares the DFT's tables.
    /// </summary>
    public sealed class StftOp : OpDefinition
    {
        public override string OpType => "STFT";

        private readonly record struct StftGeometry(int Batch, int SignalLength, int Channels, int Frames, int Step, int WindowLength, int Length, int Bins);

        public override void InferShapes(Node node)
        {
            Require(node.Input(0) is not null && node.Input(1) is not null && node.Outputs.Length == 1, "expects signal, frame_step and one output");
            var signal = node.Inputs[0]!;
            SpectralPlan.RequireType(signal);
            var window = node.Input(2);
            if (window is not null)
                Require(window.Type == signal.Type, $"window '{window.Name}' must have the signal's element type");
            var g = Geometry(node);
            node.Outputs[0].Type = signal.Type;
            node.Outputs[0].Shape = new[] { g.Batch, g.Frames, g.Bins, 2 };
        }

        private static long Scalar(Node node, int index, string what, string why)
        {
            var v = node.Inputs[index]!;
            RequireSupported(v.Constant is not null, $"input '{v.Name}' must be known at build time: {why}");
            Require(v.Constant!.Length == 1 && Tensor.Family(v.Type) == 'l', $"{what} must be one integer");
            return v.Constant.GetLong(0);
        }

        private static StftGeometry Geometry(Node node)
        {
            var shape = node.Inputs[0]!.Shape!;
            Require(shape.Length == 3 && shape[2] is 1 or 2, $"signal {Shapes.Format(shape)} must be [batch, length, 1 or 2]");
            long step = Scalar(node, 1, "frame_step", "it decides the number of frames");
            Require(step >= 1, $"frame_step {step} must be positive");
            var window = node.Input(2);
            int windowLength = -1;
            if (window is not null)
            {
                Require(window.Rank == 1, $"window {Shapes.Format(window.Shape!)} must be 1-D");
                windowLength = window.Shape![0];
            }
            long length = node.Input(3) is not null
                ? Scalar(node, 3, "frame_length", "it decides the output shape")
                : windowLength >= 0 ? windowLength : shape[1];
            Require(length >= 1, $"frame_length {length} must be positive");
            Require(length <= shape[1], $"frame_length {length} exceeds the signal length {shape[1]}");
            RequireSupported(length <= 1 << 20, $"frame_length {length} is over 2^20 (its baked tables would be too large)");
            long onesided = node.Attributes.Int("onesided", 1);
            Require(onesided is 0 or 1, $"onesided must be 0 or 1, not {onesided}");
            int n = (int)length;
            int frames = checked((int)(1 + (shape[1] - length) / step));
            return new StftGeometry(shape[0], shape[1], shape[2], frames, (int)step, windowLength >= 0 ? windowLength : n, n, onesided == 1 ? n / 2 + 1 : n);
        }

        public override long ScratchBytes(Node node)
        {
            var g = Geometry(node);
            return SpectralPlan.ScratchBytes(g.Length, g.Bins);
        }

        public override long Macs(Node node)
        {
            var g = Geometry(node);
            return (long)g.Batch * g.Frames * SpectralPlan.Macs(g.Length, g.Bins);
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            if (node.Outputs[0].Length == 0) return;
            var g = Geometry(node);
            var plan = SpectralPlan.Build(g.Length, g.Bins);
            ctx.Call("Stft", new TypeArg[] { node.Inputs[0]!.Type }, ("signal", ctx.Input(0)), ("window", ctx.HasInput(2) ? ctx.Input(2) : Arg.None),
                ("y", ctx.Output(0)), ("tables", ctx.Weight(plan.Tables, "stft_tables")), ("scratch", ctx.Scratch(DataType.Double)),
                ("batch", g.Batch), ("signalLength", g.SignalLength), ("channels", g.Channels), ("frames", g.Frames), ("frameStep", g.Step),
                ("windowLength", g.WindowLength), ("length", g.Length), ("bins", g.Bins), ("method", plan.Method), ("fftLength", plan.FftLength));
        }
    }
}
