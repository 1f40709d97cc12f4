using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.OnnxRuntime;

namespace ModelGen.Cli.Verification;

/// <summary>Runs a model with ONNX Runtime (one intra-op thread) on the same arrays ModelGen gets.</summary>
public sealed class OnnxRuntimeOracle : IDisposable
{
    private readonly InferenceSession _session;

    /// <param name="profilePrefix">When set, ONNX Runtime writes its per-node profile to a JSON file with this prefix (see <see cref="EndProfiling"/>).</param>
    public OnnxRuntimeOracle(byte[] model, string? modelPath = null, string? profilePrefix = null)
    {
        var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        if (profilePrefix is not null)
        {
            options.EnableProfiling = true;
            options.ProfileOutputPathPrefix = profilePrefix;
        }
        // External data needs the model's folder, so load from the path when there is one.
        _session = modelPath is not null ? new InferenceSession(modelPath, options) : new InferenceSession(model, options);
    }

    public IReadOnlyList<string> InputNames => _session.InputNames;

    /// <summary>Stops profiling and returns the path of the profile JSON.</summary>
    public string EndProfiling() => _session.EndProfiling();

    /// <summary>Runs once; inputs in graph-input order, outputs returned in graph-output order.</summary>
    public Array[] Run(IReadOnlyList<(string OnnxName, Array Data, int[] Shape)> inputs, IReadOnlyList<(string OnnxName, Type ElementType, int[] Shape)> outputs)
    {
        using var bound = Bind(inputs, outputs);
        bound.Run();
        return bound.Outputs;
    }

    /// <summary>Inputs and outputs bound once, for timing like with like.</summary>
    public Bound Bind(IReadOnlyList<(string OnnxName, Array Data, int[] Shape)> inputs, IReadOnlyList<(string OnnxName, Type ElementType, int[] Shape)> outputs) =>
        new(_session, inputs, outputs);

    public sealed class Bound : IDisposable
    {
        private readonly InferenceSession _session;
        private readonly OrtIoBinding _binding;
        private readonly RunOptions _runOptions = new();
        private readonly List<OrtValue> _values = new();

        public Array[] Outputs { get; }

        internal Bound(InferenceSession session, IReadOnlyList<(string OnnxName, Array Data, int[] Shape)> inputs, IReadOnlyList<(string OnnxName, Type ElementType, int[] Shape)> outputs)
        {
            _session = session;
            _binding = session.CreateIoBinding();
            foreach (var (name, data, shape) in inputs)
            {
                var value = Create(data, shape);
                _values.Add(value);
                _binding.BindInput(name, value);
            }
            Outputs = new Array[outputs.Count];
            for (int i = 0; i < outputs.Count; i++)
            {
                var (name, type, shape) = outputs[i];
                Outputs[i] = Array.CreateInstance(type, shape.Aggregate(1, (a, b) => a * b));
                var value = Create(Outputs[i], shape);
                _values.Add(value);
                _binding.BindOutput(name, value);
            }
        }

        public void Run() => _session.RunWithBinding(_runOptions, _binding);

        private static OrtValue Create(Array data, int[] shape)
        {
            long[] dims = shape.Select(d => (long)d).ToArray();
            // The CLR lets same-sized integer arrays pass as each other in type tests (sbyte[] is byte[], uint[] is
            // int[], ...): dispatch on the exact array type so int8 data is never bound as uint8.
            var t = data.GetType();
            if (t == typeof(float[])) return OrtValue.CreateTensorValueFromMemory((float[])data, dims);
            if (t == typeof(double[])) return OrtValue.CreateTensorValueFromMemory((double[])data, dims);
            if (t == typeof(long[])) return OrtValue.CreateTensorValueFromMemory((long[])data, dims);
            if (t == typeof(ulong[])) return OrtValue.CreateTensorValueFromMemory((ulong[])data, dims);
            if (t == typeof(int[])) return OrtValue.CreateTensorValueFromMemory((int[])data, dims);
            if (t == typeof(uint[])) return OrtValue.CreateTensorValueFromMemory((uint[])data, dims);
            if (t == typeof(short[])) return OrtValue.CreateTensorValueFromMemory((short[])data, dims);
            if (t == typeof(ushort[])) return OrtValue.CreateTensorValueFromMemory((ushort[])data, dims);
            if (t == typeof(byte[])) return OrtValue.CreateTensorValueFromMemory((byte[])data, dims);
            if (t == typeof(sbyte[])) return OrtValue.CreateTensorValueFromMemory((sbyte[])data, dims);
            if (t == typeof(bool[])) return OrtValue.CreateTensorValueFromMemory((bool[])data, dims);
            // Half and ORT's Float16 are both one IEEE binary16: view the array as the other type, no copy.
            if (t == typeof(Half[])) { var h = (Half[])data; return OrtValue.CreateTensorValueFromMemory(System.Runtime.CompilerServices.Unsafe.As<Half[], Float16[]>(ref h), dims); }
            throw new NotSupportedException($"element type {t.GetElementType()}");
        }

        public void Dispose()
        {
            foreach (var v in _values) v.Dispose();
            _binding.Dispose();
            _runOptions.Dispose();
        }
    }

    public void Dispose() => _session.Dispose();
}
