using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Runtime;

public static partial class Kernels
{
    /// <summary>How a spectral kernel transforms one line (the kernels' <c>method</c> argument; the tables differ).</summary>
    public const int SpectralRadix2 = 0, SpectralDirect = 1, SpectralBluestein = 2, SpectralMixedRadix = 3;

    /// <summary>What a DFT computes (the <c>direction</c> argument): forward, inverse, or inverse of a one-sided spectrum to a real signal.</summary>
    public const int DftForward = 0, DftInverse = 1, DftInverseReal = 2;

    /// <summary>
    /// DFT along one axis of x viewed as [outer, inputLength, inner, inputChannels] (channels 1: real, 2: complex) into
    /// y [outer, bins, inner, 1 or 2]. The transform length <paramref name="length"/> truncates or zero-pads the input.
    /// Forward writes the first <paramref name="bins"/> coefficients (all of them, or the one-sided half); inverse
    /// conjugates before and after the forward transform and divides by the length; inverse-real rebuilds the full
    /// spectrum from the one-sided half by conjugate symmetry and writes the real part. Each line is gathered into
    /// double scratch: ONNX compares at atol 1e-7 element-wise, and bins whose true value is 0 come out of a float
    /// transform with errors around 1e-6 · |x|. Real lines go two per complex transform (one as the real part, one as
    /// the imaginary), split afterwards by conjugate symmetry; inverse-real lines likewise, as their results are real.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Dft<T>(ReadOnlySpan<T> x, Span<T> y, ReadOnlySpan<double> tables, Span<double> scratch, int outer, int inner,
        int inputLength, int inputChannels, int length, int bins, int direction, int method, int fftLength)
        where T : unmanaged, INumberBase<T>
    {
        if (outer < 0 || inner < 0 || inputLength < 0 || length < 1 || bins < 0) throw new ArgumentException("Invalid DFT dimensions.");
        if (inputChannels is not (1 or 2) || direction is < DftForward or > DftInverseReal) throw new ArgumentException("Invalid DFT layout.");
        int outputChannels = direction == DftInverseReal ? 1 : 2;
        int work = Math.Max(length, fftLength);
        if (x.Length < (long)outer * inputLength * inner * inputChannels || y.Length < (long)outer * bins * inner * outputChannels)
            throw new ArgumentException("A span is shorter than its DFT shape.");
        if (scratch.Length < 4L * work) throw new ArgumentException("DFT scratch is too short.");
        var re = scratch.Slice(0, work);
        var im = scratch.Slice(work, work);
        var aux = scratch.Slice(2 * work, 2 * work);
        // Inverse-real reads the bins up to the Nyquist one and mirrors the rest; the others read the first `length` samples.
        int used = Math.Min(inputLength, direction == DftInverseReal ? length / 2 + 1 : length);
        double scale = direction == DftForward ? 1.0 : 1.0 / length;
        // Splitting a pair needs every output of the transform; the direct method computes only the rows read.
        bool pairs = direction == DftInverseReal || (inputChannels == 1 && method != SpectralDirect);
        int lines = outer * inner;
        for (int line = 0; line < lines; line++)
        {
            re.Clear();
            im.Clear();
            bool pair = pairs && line + 1 < lines;
            if (direction == DftInverseReal)
            {
                GatherSpectrum(x, re, im, line, inner, inputLength, inputChannels, used, length);
                if (pair)
                {
                    // y = ifft(X1 + i·X2) = x1 + i·x2, both real: the second spectrum rides on i.
                    var re2 = aux.Slice(0, length);
                    var im2 = aux.Slice(work, length);
                    re2.Clear();
                    im2.Clear();
                    GatherSpectrum(x, re2, im2, line + 1, inner, inputLength, inputChannels, used, length);
                    for (int k = 0; k < length; k++)
                    {
                        re[k] -= im2[k];
                        im[k] += re2[k];
                    }
                }
                // The inverse is conj(DFT(conj(X))) / n: one set of twiddles serves both directions.
                SpectralNegate(im.Slice(0, length));
                SpectralTransform(re, im, aux, tables, length, method, fftLength);
                for (int k = 0; k < bins; k++)
                {
                    y[LineOffset(line, k, inner, bins, 1)] = T.CreateTruncating(re[k] * scale);
                    if (pair) y[LineOffset(line + 1, k, inner, bins, 1)] = T.CreateTruncating(-im[k] * scale);
                }
            }
            else
            {
                for (int t = 0; t < used; t++)
                {
                    int at = LineOffset(line, t, inner, inputLength, inputChannels);
                    re[t] = double.CreateTruncating(x[at]);
                    if (inputChannels == 2) im[t] = double.CreateTruncating(x[at + 1]);
                    else if (pair) im[t] = double.CreateTruncating(x[LineOffset(line + 1, t, inner, inputLength, 1)]);
                }
                // A complex inverse conjugates its input; a real input is its own conjugate.
                if (direction == DftInverse && inputChannels == 2) SpectralNegate(im.Slice(0, length));
                SpectralTransform(re, im, aux, tables, length, method, fftLength);
                double sign = direction == DftForward ? 1.0 : -1.0;
                for (int k = 0; k < bins; k++)
                {
                    double r = re[k], i = im[k];
                    if (pair)
                    {
                        // Z = DFT(a + i·b): A[k] = (Z[k] + conj Z[n−k]) / 2, B[k] = (Z[k] − conj Z[n−k]) / 2i.
                        int mirror = k == 0 ? 0 : length - k;
                        double mr = re[mirror], mi = im[mirror];
                        r = (re[k] + mr) * 0.5;
                        i = (im[k] - mi) * 0.5;
                        int second = LineOffset(line + 1, k, inner, bins, 2);
                        y[second] = T.CreateTruncating((im[k] + mi) * 0.5 * scale);
                        y[second + 1] = T.CreateTruncating((mr - re[k]) * 0.5 * sign * scale);
                    }
                    int first = LineOffset(line, k, inner, bins, 2);
                    y[first] = T.CreateTruncating(r * scale);
                    y[first + 1] = T.CreateTruncating(i * sign * scale);
                }
            }
            if (pair) line++;
        }
    }

    /// <summary>Element (t, channel 0) of a line of [outer, axisLength, inner, channels], the line being o · inner + i.</summary>
    private static int LineOffset(int line, int t, int inner, int axisLength, int channels) =>
        (((line / inner) * axisLength + t) * inner + line % inner) * channels;

    /// <summary>A one-sided spectrum's first `used` bins, made conjugate-symmetric over the full length.</summary>
    private static void GatherSpectrum<T>(ReadOnlySpan<T> x, Span<double> re, Span<double> im, int line, int inner, int inputLength,
        int inputChannels, int used, int length) where T : unmanaged, INumberBase<T>
    {
        for (int t = 0; t < used; t++)
        {
            int at = LineOffset(line, t, inner, inputLength, inputChannels);
            re[t] = double.CreateTruncating(x[at]);
            if (inputChannels == 2) im[t] = double.CreateTruncating(x[at + 1]);
        }
        // A real signal's DC and Nyquist bins are real: their imaginary parts would only add an imaginary part to the
        // result (which irfft drops, and which would spill into the paired line), so they are ignored.
        im[0] = 0;
        if (length % 2 == 0) im[length / 2] = 0;
        for (int k = length / 2 + 1; k < length; k++)
        {
            re[k] = re[length - k];
            im[k] = -im[length - k];
        }
    }

    /// <summary>
    /// STFT of signal [batch, signalLength, channels]: frame f starts at f · frameStep, is multiplied by the window's
    /// first min(windowLength, length) values (an empty window is all ones), zero-padded to the transform length, and
    /// transformed; y [batch, frames, bins, 2] keeps the first <paramref name="bins"/> coefficients. Real frames go
    /// two per complex transform, as in <see cref="Dft{T}"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Stft<T>(ReadOnlySpan<T> signal, ReadOnlySpan<T> window, Span<T> y, ReadOnlySpan<double> tables, Span<double> scratch,
        int batch, int signalLength, int channels, int frames, int frameStep, int windowLength, int length, int bins, int method, int fftLength)
        where T : unmanaged, INumberBase<T>
    {
        if (batch < 0 || signalLength < 0 || frames < 0 || frameStep < 1 || windowLength < 0 || length < 1 || bins < 0) throw new ArgumentException("Invalid STFT dimensions.");
        if (channels is not (1 or 2)) throw new ArgumentException("An STFT signal ends in 1 (real) or 2 (complex) channels.");
        if (!window.IsEmpty && window.Length < windowLength) throw new ArgumentException("The STFT window is shorter than its length.");
        int work = Math.Max(length, fftLength);
        if (signal.Length < (long)batch * signalLength * channels || y.Length < (long)batch * frames * bins * 2) throw new ArgumentException("A span is shorter than its STFT shape.");
        if (scratch.Length < 4L * work) throw new ArgumentException("STFT scratch is too short.");
        var re = scratch.Slice(0, work);
        var im = scratch.Slice(work, work);
        var aux = scratch.Slice(2 * work, 2 * work);
        int taps = Math.Min(windowLength, length);
        bool pairs = channels == 1 && method != SpectralDirect;
        int lines = batch * frames;
        for (int line = 0; line < lines; line++)
        {
            re.Clear();
            im.Clear();
            bool pair = pairs && line + 1 < lines;
            for (int half = 0; half < (pair ? 2 : 1); half++)
            {
                int b = (line + half) / frames, start = (line + half) % frames * frameStep;
                int count = Math.Min(taps, signalLength - start);
                var target = half == 0 ? re : im;
                for (int t = 0; t < count; t++)
                {
                    int at = (b * signalLength + start + t) * channels;
                    double w = window.IsEmpty ? 1.0 : double.CreateTruncating(window[t]);
                    target[t] = double.CreateTruncating(signal[at]) * w;
                    if (channels == 2) im[t] = double.CreateTruncating(signal[at + 1]) * w;
                }
            }
            SpectralTransform(re, im, aux, tables, length, method, fftLength);
            var row = y.Slice(line * bins * 2, bins * 2);
            if (!pair)
                for (int k = 0; k < bins; k++)
                {
                    row[2 * k] = T.CreateTruncating(re[k]);
                    row[2 * k + 1] = T.CreateTruncating(im[k]);
                }
            else
            {
                var next = y.Slice((line + 1) * bins * 2, bins * 2);
                for (int k = 0; k < bins; k++)
                {
                    int mirror = k == 0 ? 0 : length - k;
                    double mr = re[mirror], mi = im[mirror];
                    row[2 * k] = T.CreateTruncating((re[k] + mr) * 0.5);
                    row[2 * k + 1] = T.CreateTruncating((im[k] - mi) * 0.5);
                    next[2 * k] = T.CreateTruncating((im[k] + mi) * 0.5);
                    next[2 * k + 1] = T.CreateTruncating((mr - re[k]) * 0.5);
                }
                line++;
            }
        }
    }

    /// <summary>
    /// Forward DFT of length n in place on (re, im), whose entries past n are zero. Radix-2: tables hold the twiddles
    /// of every stage (re [n], im [n]; stage h at [h, 2h)). Direct: the rows × n matrix e^(−2πi·jk/n) (cos, then
    /// −sin) and only the first `rows` outputs are computed. Bluestein: the radix-2 twiddles of fftLength, the chirp
    /// e^(−πi·j²/n) [2n] and the transformed conjugate chirp [2·fftLength].
    /// </summary>
    private static void SpectralTransform(Span<double> re, Span<double> im, Span<double> aux, ReadOnlySpan<double> tables, int n, int method, int fftLength)
    {
        switch (method)
        {
            case SpectralRadix2:
                if (tables.Length < 2 * n) throw new ArgumentException("Radix-2 twiddles are too short.");
                Radix2(re.Slice(0, n), im.Slice(0, n), tables.Slice(0, n), tables.Slice(n, n));
                break;
            case SpectralDirect:
            {
                int rows = tables.Length / (2 * n);
                if (rows < 1 || rows > n) throw new ArgumentException("The DFT matrix does not fit the length.");
                var cos = tables.Slice(0, rows * n);
                var sin = tables.Slice(rows * n, rows * n);
                var outRe = aux.Slice(0, rows);
                var outIm = aux.Slice(n, rows);
                for (int k = 0; k < rows; k++)
                    (outRe[k], outIm[k]) = ComplexDot(re.Slice(0, n), im.Slice(0, n), cos.Slice(k * n, n), sin.Slice(k * n, n));
                outRe.CopyTo(re);
                outIm.CopyTo(im);
                break;
            }
            case SpectralBluestein:
            {
                int m = fftLength;
                if (m < 2 * n - 1 || (m & (m - 1)) != 0 || tables.Length < 4 * m + 2 * n) throw new ArgumentException("Bluestein tables do not fit the length.");
                var twRe = tables.Slice(0, m);
                var twIm = tables.Slice(m, m);
                var chirpRe = tables.Slice(2 * m, n);
                var chirpIm = tables.Slice(2 * m + n, n);
                var filterRe = tables.Slice(2 * m + 2 * n, m);
                var filterIm = tables.Slice(3 * m + 2 * n, m);
                var r = re.Slice(0, m);
                var i = im.Slice(0, m);
                // X[k] = chirp[k] · (u ⊛ conj chirp)[k] with u = x · chirp: a circular convolution of length m ≥ 2n − 1.
                ComplexMultiply(r.Slice(0, n), i.Slice(0, n), chirpRe, chirpIm);
                Radix2(r, i, twRe, twIm);
                ComplexMultiply(r, i, filterRe, filterIm);
                SpectralNegate(i);
                Radix2(r, i, twRe, twIm);
                // The inverse transform's conj and 1/m, folded into the last chirp product.
                SpectralNegate(i.Slice(0, n));
                ComplexMultiply(r.Slice(0, n), i.Slice(0, n), chirpRe, chirpIm);
                SpectralScale(r.Slice(0, n), 1.0 / m);
                SpectralScale(i.Slice(0, n), 1.0 / m);
                break;
            }
            case SpectralMixedRadix:
                MixedRadix(re.Slice(0, n), im.Slice(0, n), aux.Slice(0, n), aux.Slice(aux.Length / 2, n), tables);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(method), "Unknown spectral method.");
        }
    }

    /// <summary>
    /// Stockham mixed-radix FFT (no permutation; ping-pong between (re, im) and (re2, im2), the result back in (re, im)).
    /// Tables: the stage count, the radices, then per stage of radix p after l points already combined: the twiddles
    /// e^(−2πi·q·k/(l·p)) for q in [1, p), k in [0, l) (re, then im) and the p-point DFT matrix (re, then im).
    /// Stage invariant: buf[k·s + r] holds bin k of the length-l DFT of x[r], x[r + s], x[r + 2s], … (s = n / l).
    /// </summary>
    private static void MixedRadix(Span<double> re, Span<double> im, Span<double> re2, Span<double> im2, ReadOnlySpan<double> tables)
    {
        int n = re.Length;
        int stages = (int)tables[0];
        int offset = 1 + stages;
        int l = 1, s = n;
        bool swapped = false;
        Span<double> cr = stackalloc double[8];
        Span<double> ci = stackalloc double[8];
        for (int stage = 0; stage < stages; stage++)
        {
            int p = (int)tables[1 + stage];
            if (p is < 2 or > 8 || s % p != 0) throw new ArgumentException("Mixed-radix tables do not fit the length.");
            int next = s / p;
            var twRe = tables.Slice(offset, (p - 1) * l);
            var twIm = tables.Slice(offset + (p - 1) * l, (p - 1) * l);
            offset += 2 * (p - 1) * l;
            var rootRe = tables.Slice(offset, p * p);
            var rootIm = tables.Slice(offset + p * p, p * p);
            offset += 2 * p * p;
            var srcRe = swapped ? re2 : re; var srcIm = swapped ? im2 : im;
            var dstRe = swapped ? re : re2; var dstIm = swapped ? im : im2;
            for (int k = 0; k < l; k++)
                for (int r = 0; r < next; r++)
                {
                    for (int q = 0; q < p; q++)
                    {
                        int at = k * s + r + next * q;
                        double ar = srcRe[at], ai = srcIm[at];
                        if (q > 0)
                        {
                            double wr = twRe[(q - 1) * l + k], wi = twIm[(q - 1) * l + k];
                            (ar, ai) = (ar * wr - ai * wi, ar * wi + ai * wr);
                        }
                        cr[q] = ar;
                        ci[q] = ai;
                    }
                    for (int t = 0; t < p; t++)
                    {
                        double sr = cr[0], si = ci[0];
                        for (int q = 1; q < p; q++)
                        {
                            double wr = rootRe[t * p + q], wi = rootIm[t * p + q];
                            sr += cr[q] * wr - ci[q] * wi;
                            si += cr[q] * wi + ci[q] * wr;
                        }
                        int to = (k + l * t) * next + r;
                        dstRe[to] = sr;
                        dstIm[to] = si;
                    }
                }
            swapped = !swapped;
            l *= p;
            s = next;
        }
        if (swapped)
        {
            re2.CopyTo(re);
            im2.CopyTo(im);
        }
    }

    /// <summary>In-place radix-2 decimation-in-time FFT: bit-reversal permutation, then log2 n butterfly stages.</summary>
    private static void Radix2(Span<double> re, Span<double> im, ReadOnlySpan<double> twRe, ReadOnlySpan<double> twIm)
    {
        int n = re.Length;
        for (int i = 1, j = 0; i < n; i++)
        {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) j ^= bit;
            j ^= bit;
            if (i < j)
            {
                (re[i], re[j]) = (re[j], re[i]);
                (im[i], im[j]) = (im[j], im[i]);
            }
        }
        // Stage h = 1: every twiddle is 1.
        for (int s = 0; s + 1 < n; s += 2)
        {
            double ar = re[s], ai = im[s], br = re[s + 1], bi = im[s + 1];
            re[s] = ar + br; im[s] = ai + bi;
            re[s + 1] = ar - br; im[s + 1] = ai - bi;
        }
        ref double r0 = ref MemoryMarshal.GetReference(re);
        ref double i0 = ref MemoryMarshal.GetReference(im);
        ref double wr0 = ref MemoryMarshal.GetReference(twRe);
        ref double wi0 = ref MemoryMarshal.GetReference(twIm);
        for (int h = 2; h < n; h *= 2)
            for (int s = 0; s < n; s += 2 * h)
                Butterflies(ref Unsafe.Add(ref r0, s), ref Unsafe.Add(ref i0, s), ref Unsafe.Add(ref wr0, h), ref Unsafe.Add(ref wi0, h), h);
    }

    /// <summary>h butterflies (a, b) → (a + w·b, a − w·b) with a at [0, h), b at [h, 2h) and w the stage's twiddles.</summary>
    private static void Butterflies(ref double re, ref double im, ref double wr, ref double wi, int h)
    {
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; j + Vector512<double>.Count <= h; j += Vector512<double>.Count)
            {
                var cr = Vector512.LoadUnsafe(ref wr, (nuint)j); var ci = Vector512.LoadUnsafe(ref wi, (nuint)j);
                var br = Vector512.LoadUnsafe(ref re, (nuint)(j + h)); var bi = Vector512.LoadUnsafe(ref im, (nuint)(j + h));
                var ar = Vector512.LoadUnsafe(ref re, (nuint)j); var ai = Vector512.LoadUnsafe(ref im, (nuint)j);
                var tr = br * cr - bi * ci; var ti = br * ci + bi * cr;
                (ar + tr).StoreUnsafe(ref re, (nuint)j); (ai + ti).StoreUnsafe(ref im, (nuint)j);
                (ar - tr).StoreUnsafe(ref re, (nuint)(j + h)); (ai - ti).StoreUnsafe(ref im, (nuint)(j + h));
            }
        if (Vector256.IsHardwareAccelerated)
            for (; j + Vector256<double>.Count <= h; j += Vector256<double>.Count)
            {
                var cr = Vector256.LoadUnsafe(ref wr, (nuint)j); var ci = Vector256.LoadUnsafe(ref wi, (nuint)j);
                var br = Vector256.LoadUnsafe(ref re, (nuint)(j + h)); var bi = Vector256.LoadUnsafe(ref im, (nuint)(j + h));
                var ar = Vector256.LoadUnsafe(ref re, (nuint)j); var ai = Vector256.LoadUnsafe(ref im, (nuint)j);
                var tr = br * cr - bi * ci; var ti = br * ci + bi * cr;
                (ar + tr).StoreUnsafe(ref re, (nuint)j); (ai + ti).StoreUnsafe(ref im, (nuint)j);
                (ar - tr).StoreUnsafe(ref re, (nuint)(j + h)); (ai - ti).StoreUnsafe(ref im, (nuint)(j + h));
            }
        if (Vector128.IsHardwareAccelerated)
            for (; j + Vector128<double>.Count <= h; j += Vector128<double>.Count)
            {
                var cr = Vector128.LoadUnsafe(ref wr, (nuint)j); var ci = Vector128.LoadUnsafe(ref wi, (nuint)j);
                var br = Vector128.LoadUnsafe(ref re, (nuint)(j + h)); var bi = Vector128.LoadUnsafe(ref im, (nuint)(j + h));
                var ar = Vector128.LoadUnsafe(ref re, (nuint)j); var ai = Vector128.LoadUnsafe(ref im, (nuint)j);
                var tr = br * cr - bi * ci; var ti = br * ci + bi * cr;
                (ar + tr).StoreUnsafe(ref re, (nuint)j); (ai + ti).StoreUnsafe(ref im, (nuint)j);
                (ar - tr).StoreUnsafe(ref re, (nuint)(j + h)); (ai - ti).StoreUnsafe(ref im, (nuint)(j + h));
            }
        for (; j < h; j++)
        {
            double cr = Unsafe.Add(ref wr, j), ci = Unsafe.Add(ref wi, j);
            double br = Unsafe.Add(ref re, j + h), bi = Unsafe.Add(ref im, j + h);
            double tr = br * cr - bi * ci, ti = br * ci + bi * cr;
            double ar = Unsafe.Add(ref re, j), ai = Unsafe.Add(ref im, j);
            Unsafe.Add(ref re, j) = ar + tr; Unsafe.Add(ref im, j) = ai + ti;
            Unsafe.Add(ref re, j + h) = ar - tr; Unsafe.Add(ref im, j + h) = ai - ti;
        }
    }

    /// <summary>(re, im) ·= (br, bi) element-wise.</summary>
    private static void ComplexMultiply(Span<double> re, Span<double> im, ReadOnlySpan<double> br, ReadOnlySpan<double> bi)
    {
        int n = re.Length, j = 0;
        ref double r = ref MemoryMarshal.GetReference(re);
        ref double i = ref MemoryMarshal.GetReference(im);
        ref double cr = ref MemoryMarshal.GetReference(br);
        ref double ci = ref MemoryMarshal.GetReference(bi);
        if (Vector512.IsHardwareAccelerated)
            for (; j + Vector512<double>.Count <= n; j += Vector512<double>.Count)
            {
                var ar = Vector512.LoadUnsafe(ref r, (nuint)j); var ai = Vector512.LoadUnsafe(ref i, (nuint)j);
                var wr = Vector512.LoadUnsafe(ref cr, (nuint)j); var wi = Vector512.LoadUnsafe(ref ci, (nuint)j);
                (ar * wr - ai * wi).StoreUnsafe(ref r, (nuint)j); (ar * wi + ai * wr).StoreUnsafe(ref i, (nuint)j);
            }
        if (Vector256.IsHardwareAccelerated)
            for (; j + Vector256<double>.Count <= n; j += Vector256<double>.Count)
            {
                var ar = Vector256.LoadUnsafe(ref r, (nuint)j); var ai = Vector256.LoadUnsafe(ref i, (nuint)j);
                var wr = Vector256.LoadUnsafe(ref cr, (nuint)j); var wi = Vector256.LoadUnsafe(ref ci, (nuint)j);
                (ar * wr - ai * wi).StoreUnsafe(ref r, (nuint)j); (ar * wi + ai * wr).StoreUnsafe(ref i, (nuint)j);
            }
        if (Vector128.IsHardwareAccelerated)
            for (; j + Vector128<double>.Count <= n; j += Vector128<double>.Count)
            {
                var ar = Vector128.LoadUnsafe(ref r, (nuint)j); var ai = Vector128.LoadUnsafe(ref i, (nuint)j);
                var wr = Vector128.LoadUnsafe(ref cr, (nuint)j); var wi = Vector128.LoadUnsafe(ref ci, (nuint)j);
                (ar * wr - ai * wi).StoreUnsafe(ref r, (nuint)j); (ar * wi + ai * wr).StoreUnsafe(ref i, (nuint)j);
            }
        for (; j < n; j++)
        {
            double ar = Unsafe.Add(ref r, j), ai = Unsafe.Add(ref i, j), wr = Unsafe.Add(ref cr, j), wi = Unsafe.Add(ref ci, j);
            Unsafe.Add(ref r, j) = ar * wr - ai * wi;
            Unsafe.Add(ref i, j) = ar * wi + ai * wr;
        }
    }

    /// <summary>Σ (re + i·im)(c + i·s) over one row of the direct DFT matrix.</summary>
    private static (double Re, double Im) ComplexDot(ReadOnlySpan<double> re, ReadOnlySpan<double> im, ReadOnlySpan<double> c, ReadOnlySpan<double> s)
    {
        int n = re.Length, j = 0;
        ref double r = ref MemoryMarshal.GetReference(re);
        ref double i = ref MemoryMarshal.GetReference(im);
        ref double cr = ref MemoryMarshal.GetReference(c);
        ref double ci = ref MemoryMarshal.GetReference(s);
        double sumRe = 0, sumIm = 0;
        if (Vector256.IsHardwareAccelerated && n >= Vector256<double>.Count)
        {
            // One width suffices: direct rows are shorter than 64.
            Vector256<double> accRe = Vector256<double>.Zero, accIm = Vector256<double>.Zero;
            for (; j + Vector256<double>.Count <= n; j += Vector256<double>.Count)
            {
                var ar = Vector256.LoadUnsafe(ref r, (nuint)j); var ai = Vector256.LoadUnsafe(ref i, (nuint)j);
                var wr = Vector256.LoadUnsafe(ref cr, (nuint)j); var wi = Vector256.LoadUnsafe(ref ci, (nuint)j);
                accRe += ar * wr - ai * wi;
                accIm += ar * wi + ai * wr;
            }
            sumRe = Vector256.Sum(accRe);
            sumIm = Vector256.Sum(accIm);
        }
        else if (Vector128.IsHardwareAccelerated && n >= Vector128<double>.Count)
        {
            Vector128<double> accRe = Vector128<double>.Zero, accIm = Vector128<double>.Zero;
            for (; j + Vector128<double>.Count <= n; j += Vector128<double>.Count)
            {
                var ar = Vector128.LoadUnsafe(ref r, (nuint)j); var ai = Vector128.LoadUnsafe(ref i, (nuint)j);
                var wr = Vector128.LoadUnsafe(ref cr, (nuint)j); var wi = Vector128.LoadUnsafe(ref ci, (nuint)j);
                accRe += ar * wr - ai * wi;
                accIm += ar * wi + ai * wr;
            }
            sumRe = Vector128.Sum(accRe);
            sumIm = Vector128.Sum(accIm);
        }
        for (; j < n; j++)
        {
            double ar = Unsafe.Add(ref r, j), ai = Unsafe.Add(ref i, j), wr = Unsafe.Add(ref cr, j), wi = Unsafe.Add(ref ci, j);
            sumRe += ar * wr - ai * wi;
            sumIm += ar * wi + ai * wr;
        }
        return (sumRe, sumIm);
    }

    private static void SpectralNegate(Span<double> values)
    {
        for (int j = 0; j < values.Length; j++) values[j] = -values[j];
    }

    private static void SpectralScale(Span<double> values, double factor)
    {
        for (int j = 0; j < values.Length; j++) values[j] *= factor;
    }
}
