using System;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// DFT (17, 20) of input [..., signal axes ..., 1 or 2] (real or complex) along one signal axis: the axis attribute
    /// (default 1) before opset 20, the axis input (default −2) since. dft_length (and the axis input) decide the output
    /// shape, so they must be known at build time. inverse divides by the length; onesided keeps bins 0 … n/2 of a
    /// forward transform, and with inverse reads such a half spectrum and returns the real signal (numpy's irfft; its
    /// length is dft_length, else 2·(bins − 1)). Kernels.Dft runs on transform tables baked at build time (<see cref="SpectralPlan"/>).
    /// </summary>
    public sealed class DftOp : OpDefinition
    {
        public override string OpType => "DFT";

        /// <summary>The kernel's view: x [Outer, InputLength, Inner, InputChannels] → y [Outer, Bins, Inner, 1 or 2].</summary>
        internal readonly record struct DftGeometry(int Outer, int InputLength, int Inner, int InputChannels, int Axis, int Length, int Bins, int Direction);

        private const int Forward = 0, Inverse = 1, InverseReal = 2;

        public override void InferShapes(Node node)
        {
            Require(node.Input(0) is not null && node.Outputs.Length == 1, "expects an input and one output");
            SpectralPlan.RequireType(node.Inputs[0]!);
            var g = Geometry(node);
            var shape = node.Inputs[0]!.Shape!.ToArray();
            shape[g.Axis] = g.Bins;
            shape[shape.Length - 1] = g.Direction == InverseReal ? 1 : 2;
            node.Outputs[0].Type = node.Inputs[0]!.Type;
            node.Outputs[0].Shape = shape;
        }

        internal static DftGeometry Geometry(Node node)
        {
            var shape = node.Inputs[0]!.Shape!;
            int rank = shape.Length;
            Require(rank >= 2, $"input {Shapes.Format(shape)} needs a signal axis and a last axis of 1 (real) or 2 (complex)");
            int channels = shape[rank - 1];
            Require(channels is 1 or 2, $"input {Shapes.Format(shape)} must end in 1 (real) or 2 (complex)");
            long axis;
            if (node.Opset >= 20)
            {
                var axisInput = node.Input(2);
                RequireSupported(axisInput is null || axisInput.Constant is not null, $"input '{axisInput?.Name}' must be known at build time: it picks the transformed axis");
                Require(axisInput is null || axisInput.Constant!.Length == 1, "axis must be a scalar");
                axis = axisInput is null ? -2 : axisInput.Constant!.GetLong(0);
            }
            else axis = node.Attributes.Int("axis", 1);
            Require(axis >= -rank && axis <= rank - 2 && axis != -1, $"axis {axis} is outside [{-rank}, -2] ∪ [0, {rank - 2}] (the last axis holds the complex parts)");
            int a = (int)(axis < 0 ? axis + rank : axis);
            bool inverse = Flag(node, "inverse"), onesided = Flag(node, "onesided");
            long? dftLength = null;
            var lengthInput = node.Input(1);
            if (lengthInput is not null)
            {
                RequireSupported(lengthInput.Constant is not null, $"input '{lengthInput.Name}' must be known at build time: it decides the output shape");
                Require(lengthInput.Constant!.Length == 1 && Tensor.Family(lengthInput.Type) == 'l', "dft_length must be one integer");
                dftLength = lengthInput.Constant.GetLong(0);
                Require(dftLength >= 1, $"dft_length {dftLength} must be positive");
            }
            int inputLength = shape[a];
            int direction = !inverse ? Forward : onesided ? InverseReal : Inverse;
            long length = dftLength ?? (direction == InverseReal ? 2L * (inputLength - 1) : inputLength);
            Require(length >= 1, $"the transform length {length} must be positive");
            RequireSupported(length <= 1 << 20, $"transform length {length} is over 2^20 (its baked tables would be too large)");
            int n = (int)length;
            int bins = direction == Forward && onesided ? n / 2 + 1 : n;
            int outer = Indexing.Product(shape, 0, a), inner = Indexing.Product(shape, a + 1, rank - 1);
            return new DftGeometry(outer, inputLength, inner, channels, a, n, bins, direction);
        }

        private static bool Flag(Node node, string name)
        {
            long value = node.Attributes.Int(name, 0);
            Require(value is 0 or 1, $"{name} must be 0 or 1, not {value}");
            return value == 1;
        }

        private static int Rows(DftGeometry g) => g.Direction == Forward ? g.Bins : g.Length;

        public override long ScratchBytes(Node node)
        {
            var g = Geometry(node);
            return SpectralPlan.ScratchBytes(g.Length, Rows(g));
        }

        public override long Macs(Node node)
        {
            var g = Geometry(node);
            return (long)g.Outer * g.Inner * SpectralPlan.Macs(g.Length, Rows(g));
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            if (node.Outputs[0].Length == 0) return;
            var g = Geometry(node);
            var plan = SpectralPlan.Build(g.Length, Rows(g));
            if (node.Inputs[0]!.Length == 0)
            {
                // An empty signal axis transforms zeros.
                ctx.Fill(ctx.Output(0), new ScalarArg(node.Outputs[0].Type, 0, 0));
                return;
            }
            ctx.Call("Dft", new TypeArg[] { node.Inputs[0]!.Type }, ("x", ctx.Input(0)), ("y", ctx.Output(0)),
                ("tables", ctx.Weight(plan.Tables, "dft_tables")), ("scratch", ctx.Scratch(DataType.Double)),
                ("outer", g.Outer), ("inner", g.Inner), ("inputLength", g.InputLength), ("inputChannels", g.InputChannels),
                ("length", g.Length), ("bins", g.Bins), ("direction", g.Direction), ("method", plan.Method), ("fftLength", plan.FftLength));
        }
    }

    /// <summary>
    /// The build-time half of the spectral kernels (Kernels.Dft, Kernels.Stft): how a length-n transform is computed and
    /// its tables, in double (the kernels transform in double). Powers of two run a radix-2 FFT on precomputed twiddles
    /// (vectorized butterflies). Other lengths below 64 multiply by the baked DFT matrix: its n² work is vectorized dot
    /// products, cheaper than the stages or padded FFTs of the other methods at that size. Longer lengths made of 2s,
    /// 3s and 5s (400-sample audio frames, 25 ms at 16 kHz) run a Stockham mixed-radix FFT (radices 4, 2, 3, 5), about
    /// twice as fast as Bluestein there; other lengths use Bluestein: a chirp, and a circular convolution by two
    /// radix-2 FFTs of the next power of two ≥ 2n − 1, O(m log m) instead of n².
    /// </summary>
    internal static class SpectralPlan
    {
        public const int Radix2 = 0, Direct = 1, Bluestein = 2, MixedRadix = 3;

        /// <summary>Below this length a non-power-of-two transform multiplies by its matrix.</summary>
        public const int DirectBelow = 64;

        public readonly record struct Plan(int Method, int FftLength, Tensor Tables);

        public static void RequireType(Value v) =>
            RequireSupported(v.Type is DataType.Float or DataType.Double or DataType.Float16,
                $"input '{v.Name}' has element type {DataTypes.OnnxName(v.Type)}; spectral ops support float, double and float16");

        private static void RequireSupported(bool condition, string message)
        {
            if (!condition) throw new UnsupportedException(message);
        }

        private static bool IsPowerOfTwo(int n) => (n & (n - 1)) == 0;

        private static int Method(int n) => IsPowerOfTwo(n) ? Radix2 : n < DirectBelow ? Direct : Radices(n) is not null ? MixedRadix : Bluestein;

        /// <summary>n as a product of 4s, 2s, 3s and 5s (the mixed-radix stages), or null when it has another prime factor.</summary>
        private static int[]? Radices(int n)
        {
            var radices = new System.Collections.Generic.List<int>();
            foreach (int p in new[] { 4, 2, 3, 5 })
                while (n % p == 0)
                {
                    radices.Add(p);
                    n /= p;
                }
            return n == 1 ? radices.ToArray() : null;
        }

        private static int FftLength(int n)
        {
            if (Method(n) != Bluestein) return n;
            int m = 1;
            while (m < 2 * n - 1) m *= 2;
            return m;
        }

        /// <summary>The kernels' scratch: four lines of doubles (real and imaginary parts, and as many again for the direct product).</summary>
        public static long ScratchBytes(int n, int rows) => 4L * Math.Max(n, FftLength(n)) * sizeof(double);

        public static long Macs(int n, int rows)
        {
            int m = FftLength(n);
            int log = 0;
            while ((1 << log) < m) log++;
            return Method(n) switch
            {
                Radix2 => 2L * n * log,
                Direct => 4L * rows * n,
                MixedRadix => 4L * n * Radices(n)!.Sum(),
                _ => 4L * m * log + 8L * m,
            };
        }

        /// <summary>The method, padded FFT length and tables of a length-n transform whose first `rows` outputs are read.</summary>
        public static Plan Build(int n, int rows)
        {
            int method = Method(n), m = FftLength(n);
            double[] tables;
            switch (method)
            {
                case Radix2:
                    tables = Twiddles(n);
                    break;
                case Direct:
                    tables = new double[2 * rows * n];
                    for (int k = 0; k < rows; k++)
                        for (int j = 0; j < n; j++)
                        {
                            // k·j mod n keeps the angle exact, so symmetric entries come out exactly equal (or 0).
                            var (cos, sin) = UnitRoot((long)k * j % n, n);
                            tables[k * n + j] = cos;
                            tables[rows * n + k * n + j] = -sin;
                        }
                    break;
                case MixedRadix:
                {
                    var radices = Radices(n)!;
                    var list = new System.Collections.Generic.List<double> { radices.Length };
                    list.AddRange(radices.Select(p => (double)p));
                    int l = 1;
                    foreach (int p in radices)
                    {
                        // e^(−2πi·q·k/(l·p)) for q in [1, p), k in [0, l): real parts, then imaginary.
                        var roots = Enumerable.Range(1, p - 1).SelectMany(q => Enumerable.Range(0, l).Select(k => UnitRoot((long)q * k, (long)l * p))).ToList();
                        list.AddRange(roots.Select(w => w.Cos));
                        list.AddRange(roots.Select(w => -w.Sin));
                        var matrix = Enumerable.Range(0, p * p).Select(e => UnitRoot((long)(e / p) * (e % p), p)).ToList();
                        list.AddRange(matrix.Select(w => w.Cos));
                        list.AddRange(matrix.Select(w => -w.Sin));
                        l *= p;
                    }
                    tables = list.ToArray();
                    break;
                }
                default:
                    tables = new double[4 * m + 2 * n];
                    Twiddles(m).CopyTo(tables, 0);
                    var filterRe = new double[m];
                    var filterIm = new double[m];
                    for (int j = 0; j < n; j++)
                    {
                        // e^(−πi·j²/n) = e^(−2πi·(j² mod 2n)/(2n)).
                        var (cos, sin) = UnitRoot((long)j * j % (2 * n), 2 * n);
                        tables[2 * m + j] = cos;
                        tables[2 * m + n + j] = -sin;
                        filterRe[j] = cos;
                        filterIm[j] = sin;
                        if (j > 0)
                        {
                            filterRe[m - j] = cos;
                            filterIm[m - j] = sin;
                        }
                    }
                    NaiveFft(filterRe, filterIm);
                    filterRe.CopyTo(tables, 2 * m + 2 * n);
                    filterIm.CopyTo(tables, 3 * m + 2 * n);
                    break;
            }
            return new Plan(method, m, Tensor.FromDoubles(DataType.Double, new[] { tables.Length }, tables));
        }

        /// <summary>cos and sin of 2π·k/n, reduced to the first octant so quarter turns are exact.</summary>
        private static (double Cos, double Sin) UnitRoot(long k, long n)
        {
            k %= n;
            if (k * 4 == n) return (0, 1);
            if (k * 2 == n) return (-1, 0);
            if (k * 4 == 3 * n) return (0, -1);
            if (k == 0) return (1, 0);
            double angle = 2 * Math.PI * k / n;
            return (Math.Cos(angle), Math.Sin(angle));
        }

        /// <summary>The radix-2 twiddles of every stage: stage h's e^(−2πi·j/(2h)) at [h, 2h), real parts then imaginary.</summary>
        private static double[] Twiddles(int n)
        {
            var t = new double[2 * n];
            for (int h = 1; h < n; h *= 2)
                for (int j = 0; j < h; j++)
                {
                    var (cos, sin) = UnitRoot(j, 2 * h);
                    t[h + j] = cos;
                    t[n + h + j] = -sin;
                }
            return t;
        }

        /// <summary>A build-time forward FFT (power-of-two length) for Bluestein's filter: recursive, in double.</summary>
        private static void NaiveFft(double[] re, double[] im)
        {
            int n = re.Length;
            if (n == 1) return;
            var er = new double[n / 2]; var ei = new double[n / 2];
            var odr = new double[n / 2]; var odi = new double[n / 2];
            for (int j = 0; j < n / 2; j++)
            {
                er[j] = re[2 * j]; ei[j] = im[2 * j];
                odr[j] = re[2 * j + 1]; odi[j] = im[2 * j + 1];
            }
            NaiveFft(er, ei);
            NaiveFft(odr, odi);
            for (int k = 0; k < n / 2; k++)
            {
                var (cos, sin) = UnitRoot(k, n);
                double tr = odr[k] * cos + odi[k] * sin, ti = odi[k] * cos - odr[k] * sin;
                re[k] = er[k] + tr; im[k] = ei[k] + ti;
                re[k + n / 2] = er[k] - tr; im[k + n / 2] = ei[k] - ti;
            }
        }
    }
}
