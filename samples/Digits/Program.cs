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

model.Predict(pixels.AsSpan(0, DigitsModel.InputLength), logits); // warm up (JIT) outside the measured loop
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

if (logitsPath is not null)
{
    // Outside the measured loop: round-trip formatting, one line of logits per image.
    using var writer = new StreamWriter(logitsPath);
    for (int i = 0; i < count; i++)
    {
        model.Predict(pixels.AsSpan(i * DigitsModel.InputLength, DigitsModel.InputLength), logits);
        for (int c = 0; c < logits.Length; c++)
            writer.Write((c == 0 ? "" : " ") + logits[c].ToString("R", CultureInfo.InvariantCulture));
        writer.WriteLine();
    }
}

var inv = CultureInfo.InvariantCulture;
Console.WriteLine($"DigitsModel: input {DigitsModel.InputLength} floats, output {DigitsModel.OutputLength} logits, scratch {DigitsModel.ArenaBytes} bytes");
Console.WriteLine("class  correct/images  accuracy");
for (int c = 0; c < perClassCount.Length; c++)
{
    double accuracy = perClassCount[c] == 0 ? 0 : (double)perClassCorrect[c] / perClassCount[c];
    Console.WriteLine(string.Format(inv, "{0,5}  {1,7}/{2,-6}  {3,8:P2}", c, perClassCorrect[c], perClassCount[c], accuracy));
}
Console.WriteLine(string.Format(inv, "images: {0}, correct: {1}, accuracy: {2:P2}", count, correct, count == 0 ? 0 : (double)correct / count));
// One pass, so under the JIT this includes tier-0 code; NativeAOT numbers are steady. benchmarks/ measures properly.
Console.WriteLine(string.Format(inv, "{0} predictions in {1:F2} ms ({2:F2} µs each, {3}), {4} bytes allocated",
    count, elapsed.TotalMilliseconds, count == 0 ? 0 : elapsed.TotalMilliseconds * 1000 / count,
    System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeCompiled ? "JIT" : "NativeAOT", allocated));
return 0;

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
