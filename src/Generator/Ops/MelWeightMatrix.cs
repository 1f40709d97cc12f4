using System;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// MelWeightMatrix (17): the [dft_length / 2 + 1, num_mel_bins] matrix of triangular mel filters that maps a one-sided
    /// spectrum to mel bins. Every input decides the output's shape or values and is normally a constant, so the op
    /// requires them at build time and always folds. As ONNX's definition: num_mel_bins + 2 edges evenly spaced on the
    /// mel scale (2595 · log10(1 + f / 700)) between the edge frequencies, each mapped to the spectrogram bin
    /// floor((dft_length + 1) · f / sample_rate); filter i rises from edge i to edge i + 1 and falls to edge i + 2.
    /// </summary>
    public sealed class MelWeightMatrixOp : OpDefinition
    {
        public override string OpType => "MelWeightMatrix";

        private static readonly string[] Names = { "num_mel_bins", "dft_length", "sample_rate", "lower_edge_hertz", "upper_edge_hertz" };

        public override void InferShapes(Node node)
        {
            Require(node.Inputs.Length == 5 && node.Outputs.Length == 1, "expects num_mel_bins, dft_length, sample_rate, lower_edge_hertz and upper_edge_hertz");
            for (int i = 0; i < 5; i++)
            {
                var v = node.Input(i);
                Require(v is not null, $"needs {Names[i]}");
                RequireSupported(v!.Constant is not null, $"input '{v.Name}' must be known at build time: {(i < 2 ? "it decides the output shape" : "it decides the filter edges")}");
                Require(v.Constant!.Length == 1, $"{Names[i]} must be a scalar");
                Require((Tensor.Family(v.Type) == 'l') == (i < 3), $"{Names[i]} must be {(i < 3 ? "an integer" : "a floating-point number")}");
            }
            var type = (DataType)node.Attributes.Int("output_datatype", (long)DataType.Float);
            RequireSupported(DataTypes.IsSupported(type) && type != DataType.Bool, $"output_datatype {DataTypes.OnnxName(type)} is not supported");
            var (mels, dftLength, sampleRate, _, _) = Values(node);
            Require(mels >= 1, $"num_mel_bins {mels} must be positive");
            Require(dftLength >= 1, $"dft_length {dftLength} must be positive");
            Require(sampleRate >= 1, $"sample_rate {sampleRate} must be positive");
            node.Outputs[0].Type = type;
            node.Outputs[0].Shape = new[] { checked((int)(dftLength / 2 + 1)), checked((int)mels) };
        }

        private static (long Mels, long DftLength, long SampleRate, double Lower, double Upper) Values(Node node) =>
            (node.Inputs[0]!.Constant!.GetLong(0), node.Inputs[1]!.Constant!.GetLong(0), node.Inputs[2]!.Constant!.GetLong(0),
             node.Inputs[3]!.Constant!.GetDouble(0), node.Inputs[4]!.Constant!.GetDouble(0));

        private static double HertzToMel(double hertz) => 2595 * Math.Log10(1 + hertz / 700);

        private static double MelToHertz(double mel) => 700 * (Math.Pow(10, mel / 2595) - 1);

        public override bool TryFold(Node node)
        {
            var (mels, dftLength, sampleRate, lower, upper) = Values(node);
            int bins = node.Outputs[0].Shape![0], count = (int)mels;
            double lowMel = HertzToMel(lower), highMel = HertzToMel(upper);
            // ONNX divides the mel range by the number of edges (num_mel_bins + 2), not by the gaps between them.
            double step = (highMel - lowMel) / (count + 2);
            var edges = new long[count + 2];
            for (int i = 0; i < edges.Length; i++)
                edges[i] = (long)Math.Floor((dftLength + 1) * MelToHertz(lowMel + i * step) / sampleRate);
            foreach (long e in edges)
                Require(e >= 0 && e < bins, $"a mel edge falls on spectrogram bin {e}, outside [0, {bins}): check sample_rate and the edge frequencies");
            var w = new double[bins * count];
            for (int i = 0; i < count; i++)
            {
                long left = edges[i], center = edges[i + 1], right = edges[i + 2];
                if (center == left) w[center * count + i] = 1;
                else
                    for (long j = left; j <= center; j++) w[j * count + i] = (double)(j - left) / (center - left);
                for (long j = center; j < right; j++) w[j * count + i] = (double)(right - j) / (right - center);
            }
            node.Outputs[0].Constant = Tensor.FromDoubles(node.Outputs[0].Type, node.Outputs[0].Shape!, w);
            return true;
        }

        /// <summary>Not reached: InferShapes requires every input at build time and TryFold always folds.</summary>
        public override void Lower(LoweringContext ctx) =>
            throw new UnsupportedException("MelWeightMatrix needs its inputs at build time");
    }
}
