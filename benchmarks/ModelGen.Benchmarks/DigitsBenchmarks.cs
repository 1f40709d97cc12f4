using System;
using System.Globalization;
using System.IO;
using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using ModelGen.Benchmarks.Models;

namespace ModelGen.Benchmarks;

/// <summary>
/// The Digits CNN (samples/Digits/digits.onnx) on the 360 held-out images, one image per operation, in both engines.
/// ModelGen: the generated class's instance Predict (its own arena), reading each image in place.
/// ONNX Runtime: one intra-op thread, input and output bound once with OrtIoBinding; each image is copied into the
/// bound input buffer (256 bytes) and run with RunWithBinding, the cheapest way to call it repeatedly.
/// </summary>
[MemoryDiagnoser]
public class DigitsBenchmarks
{
    private const int Images = 360;

    private float[] _pixels = null!;
    private readonly DigitsModel _model = new();
    private readonly float[] _logits = new float[DigitsModel.OutputLength];

    private InferenceSession _session = null!;
    private RunOptions _runOptions = null!;
    private OrtIoBinding _binding = null!;
    private OrtValue _ortInput = null!, _ortOutput = null!;
    private readonly float[] _ortPixels = new float[DigitsModel.InputLength];
    private readonly float[] _ortLogits = new float[DigitsModel.OutputLength];

    [GlobalSetup]
    public void Setup()
    {
        _pixels = ReadHeldOut();
        var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        _session = new InferenceSession(Resource("digits.onnx"), options);
        _runOptions = new RunOptions();
        _binding = _session.CreateIoBinding();
        _ortInput = OrtValue.CreateTensorValueFromMemory(_ortPixels, ToLongs(DigitsModel.PixelsShape));
        _ortOutput = OrtValue.CreateTensorValueFromMemory(_ortLogits, ToLongs(DigitsModel.LogitsShape));
        _binding.BindInput(_session.InputNames[0], _ortInput);
        _binding.BindOutput(_session.OutputNames[0], _ortOutput);

        // Both engines must agree before their speeds mean anything.
        for (int i = 0; i < Images; i++)
        {
            var image = _pixels.AsSpan(i * DigitsModel.InputLength, DigitsModel.InputLength);
            _model.Predict(image, _logits);
            image.CopyTo(_ortPixels);
            _session.RunWithBinding(_runOptions, _binding);
            for (int c = 0; c < _logits.Length; c++)
                if (Math.Abs(_logits[c] - _ortLogits[c]) > 1e-4 + 1e-3 * Math.Abs(_ortLogits[c]))
                    throw new InvalidOperationException($"image {i}, class {c}: ModelGen {_logits[c]}, ONNX Runtime {_ortLogits[c]}");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Images)]
    public float ModelGenPredict()
    {
        ReadOnlySpan<float> pixels = _pixels;
        for (int i = 0; i < Images; i++)
            _model.Predict(pixels.Slice(i * DigitsModel.InputLength, DigitsModel.InputLength), _logits);
        return _logits[0];
    }

    [Benchmark(OperationsPerInvoke = Images)]
    public float OnnxRuntimeRunWithBinding()
    {
        ReadOnlySpan<float> pixels = _pixels;
        for (int i = 0; i < Images; i++)
        {
            pixels.Slice(i * DigitsModel.InputLength, DigitsModel.InputLength).CopyTo(_ortPixels);
            _session.RunWithBinding(_runOptions, _binding);
        }
        return _ortLogits[0];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ortInput.Dispose();
        _ortOutput.Dispose();
        _binding.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }

    private static long[] ToLongs(ReadOnlySpan<int> shape)
    {
        var result = new long[shape.Length];
        for (int i = 0; i < shape.Length; i++) result[i] = shape[i];
        return result;
    }

    private static byte[] Resource(string name)
    {
        using var stream = typeof(DigitsBenchmarks).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"resource {name} is not embedded");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>samples/Digits/data/heldout.csv: per line a label and 64 scaled pixels; returns the pixels of all images.</summary>
    private static float[] ReadHeldOut()
    {
        var pixels = new float[Images * DigitsModel.InputLength];
        using var reader = new StreamReader(new MemoryStream(Resource("heldout.csv")));
        int row = 0;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            if (line.Length == 0 || line[0] == '#') continue;
            if (row == Images) throw new InvalidDataException($"heldout.csv has more than {Images} images");
            var fields = line.Split(',');
            if (fields.Length != DigitsModel.InputLength + 1) throw new InvalidDataException($"heldout.csv image {row}: {fields.Length} fields");
            for (int j = 0; j < DigitsModel.InputLength; j++)
                pixels[row * DigitsModel.InputLength + j] = float.Parse(fields[j + 1], NumberStyles.Float, CultureInfo.InvariantCulture);
            row++;
        }
        if (row != Images) throw new InvalidDataException($"heldout.csv has {row} images, expected {Images}");
        return pixels;
    }
}
