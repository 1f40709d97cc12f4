// The Digits sample: classify the held-out 8x8 digit images with the model ModelGen generated from digits.onnx.
using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Numerics.Tensors;
using Digits.Models;

// Usage: Digits [heldout.csv] [--logits FILE]   (--logits writes every image's logits, one line each, for cross-checks)
string? logitsPath = null;
string path = Path.Combine(AppContext.BaseDirectory, "data", "heldout.csv");
for (int a = 0; a < args.Length; a++)
{
    if (args[a] == "--logits" && a + 1 < args.Length) logitsPath = args[++a];
    else path = args[a];
}
if (!File.Exists(path))
{
    Console.Error.WriteLine($"held-out file not found: {path}");
    return 2;
}

// Read every image up front into one flat array: label i's pixels are pixels[i*64 .. i*64+63].
var (labels, pixels) = HeldOut.Read(path, DigitsModel.InputLength);
int count = labels.Length;

var model = new DigitsModel();                           // one arena of DigitsModel.ArenaBytes, allocated here
Span<float> logits = stackalloc float[DigitsModel.OutputLength];
Span<int> perClassCount = stackalloc int[DigitsModel.OutputLength];
Span<int> perClassCorrect = stackalloc int[DigitsModel.OutputLength];

long firstStart = Stopwatch.GetTimestamp();
model.Predict(pixels.AsSpan(0, DigitsModel.InputLength), logits); // the first call compiles the code (JIT)
TimeSpan firstCall = Stopwatch.GetElapsedTime(firstStart);
TensorPrimitives.IndexOfMax<float>(logits);              // and so does the first IndexOfMax, also outside the loop
long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
long start = Stopwatch.GetTimestamp();
int correct = 0;
for (int i = 0; i < count; i++)
{
    model.Predict(pixels.AsSpan(i * DigitsModel.InputLength, DigitsModel.InputLength), logits);
    int predicted = TensorPrimitives.IndexOfMax<float>(logits);
    int label = labels[i];
    perClassCount[label]++;
    if (predicted == label)
    {
        perClassCorrect[label]++;
        correct++;
    }
}
TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

// The binarized network (models/digits_bnn.onnx): same images, its binary layers on XNOR + popcount kernels.
var binary = new DigitsBinaryModel();
int binaryCorrect = 0;
for (int i = 0; i < count; i++)
{
    binary.Predict(pixels.AsSpan(i * DigitsBinaryModel.InputLength, DigitsBinaryModel.InputLength), logits);
    if (TensorPrimitives.IndexOfMax<float>(logits) == labels[i]) binaryCorrect++;
}

if (logitsPath is not null)
{
    // Outside the measured loop: round-trip formatting, one line of logits per image, the CNN's then the binarized
    // network's (the arm64 check compares both with x64).
    using var writer = new StreamWriter(logitsPath);
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < count; i++)
        {
            if (pass == 0) model.Predict(pixels.AsSpan(i * DigitsModel.InputLength, DigitsModel.InputLength), logits);
            else binary.Predict(pixels.AsSpan(i * DigitsBinaryModel.InputLength, DigitsBinaryModel.InputLength), logits);
            for (int c = 0; c < logits.Length; c++)
                writer.Write((c == 0 ? "" : " ") + logits[c].ToString("R", CultureInfo.InvariantCulture));
            writer.WriteLine();
        }
}

// Steady state: predict every image again, pass after pass, until a pass compiles no method (the JIT has settled: no
// code is still being tiered up) and at least 0.3 s have gone by, at most 2 s; then time five passes.
int warmupPasses = 0;
bool settled = false;
long warmupStart = Stopwatch.GetTimestamp();
while (Stopwatch.GetElapsedTime(warmupStart).TotalSeconds < 2)
{
    long compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
    PredictAll(model, pixels, count, logits);
    warmupPasses++;
    settled = System.Runtime.JitInfo.GetCompiledMethodCount() == compiled;
    if (settled && Stopwatch.GetElapsedTime(warmupStart).TotalSeconds >= 0.3) break;
}
TimeSpan warmup = Stopwatch.GetElapsedTime(warmupStart);
Span<double> passMicros = stackalloc double[5];
for (int p = 0; p < passMicros.Length; p++)
{
    long passStart = Stopwatch.GetTimestamp();
    PredictAll(model, pixels, count, logits);
    passMicros[p] = Stopwatch.GetElapsedTime(passStart).TotalMicroseconds;
}
passMicros.Sort();
double steadyMicros = count == 0 ? 0 : passMicros[passMicros.Length / 2] / count;

var inv = CultureInfo.InvariantCulture;
Console.WriteLine($"DigitsModel: input {DigitsModel.InputLength} floats, output {DigitsModel.OutputLength} logits, scratch {DigitsModel.ArenaBytes} bytes");
Console.WriteLine("class  correct/images  accuracy");
for (int c = 0; c < perClassCount.Length; c++)
{
    double accuracy = perClassCount[c] == 0 ? 0 : (double)perClassCorrect[c] / perClassCount[c];
    Console.WriteLine(string.Format(inv, "{0,5}  {1,7}/{2,-6}  {3,8:P2}", c, perClassCorrect[c], perClassCount[c], accuracy));
}
Console.WriteLine(string.Format(inv, "images: {0}, correct: {1}, accuracy: {2:P2}", count, correct, count == 0 ? 0 : (double)correct / count));
Console.WriteLine(string.Format(inv, "binarized network (models/digits_bnn.onnx, XNOR + popcount layers): correct: {0}, accuracy: {1:P2}",
    binaryCorrect, count == 0 ? 0 : (double)binaryCorrect / count));
// The first pass right after start-up: ModelGen's code is compiled optimized from its first call, so under the JIT this
// is already close to the steady state. benchmarks/ measures with BenchmarkDotNet.
Console.WriteLine(string.Format(inv, "{0} predictions in {1:F2} ms ({2:F2} µs each, {3}; first call {4:F1} ms), {5} bytes allocated",
    count, elapsed.TotalMilliseconds, count == 0 ? 0 : elapsed.TotalMilliseconds * 1000 / count,
    System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeCompiled ? "JIT" : "NativeAOT", firstCall.TotalMilliseconds, allocated));
Console.WriteLine(string.Format(inv, "steady state: {0:F2} µs per image (median of {1} passes after {2} warm-up passes in {3:F2} s, {4})",
    steadyMicros, passMicros.Length, warmupPasses, warmup.TotalSeconds, settled ? "JIT settled" : "JIT not settled within 2 s"));
return 0;

static void PredictAll(DigitsModel model, float[] pixels, int count, Span<float> logits)
{
    for (int i = 0; i < count; i++)
        model.Predict(pixels.AsSpan(i * DigitsModel.InputLength, DigitsModel.InputLength), logits);
}

/// <summary>Reads tools/train_digits.py's held-out file: per line a label and the image's scaled pixels.</summary>
internal static class HeldOut
{
    public static (int[] Labels, float[] Pixels) Read(string path, int pixelsPerImage)
    {
        var lines = File.ReadAllLines(path);
        int n = 0;
        foreach (var line in lines)
            if (IsData(line)) n++;
        var labels = new int[n];
        var pixels = new float[n * pixelsPerImage];
        int row = 0;
        foreach (var line in lines)
        {
            if (!IsData(line)) continue;
            var fields = line.Split(',');
            if (fields.Length != pixelsPerImage + 1)
                throw new FormatException($"{path}: line {row + 1} has {fields.Length} fields, expected {pixelsPerImage + 1}");
            labels[row] = int.Parse(fields[0], NumberStyles.Integer, CultureInfo.InvariantCulture);
            for (int j = 0; j < pixelsPerImage; j++)
                pixels[row * pixelsPerImage + j] = float.Parse(fields[j + 1], NumberStyles.Float, CultureInfo.InvariantCulture);
            row++;
        }
        return (labels, pixels);
    }

    private static bool IsData(string line) => line.Length > 0 && line[0] != '#';
}
