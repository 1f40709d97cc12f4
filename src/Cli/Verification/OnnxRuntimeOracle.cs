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
    /// <param name="dynamic">Per output: true when its shape is known only after the run (a capacity in ours): ONNX
    /// Runtime allocates it, and each run copies it into <see cref="Bound.Outputs"/> (valid data only).</param>
    public Bound Bind(IReadOnlyList<(string OnnxName, Array Data, int[] Shape)> inputs, IReadOnlyList<(string OnnxName, Type ElementType, int[] Shape)> outputs, bool[]? dynamic = null) =>
        new(_session, inputs, outputs, dynamic);

    public sealed class Bound : IDisposable
    {
        private readonly InferenceSession _session;
        private readonly OrtIoBinding _binding;
        private readonly RunOptions _runOptions = new();
        private readonly List<OrtValue> _values = new();

        public Array[] Outputs { get; }

        /// <summary>The shape of each output after the last run (differs from the bound one only for dynamic outputs).</summary>
        public int[][] OutputShapes { get; }

        private readonly bool[] _dynamic;
        private readonly Type[] _types;

        internal Bound(InferenceSession session, IReadOnlyList<(string OnnxName, Array Data, int[] Shape)> inputs, IReadOnlyList<(string OnnxName, Type ElementType, int[] Shape)> outputs, bool[]? dynamic = null)
        {
            _dynamic = dynamic ?? new bool[outputs.Count];
            _types = outputs.Select(o => o.ElementType).ToArray();
            OutputShapes = outputs.Select(o => o.Shape).ToArray();
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
                if (_dynamic[i])
                {
                    Outputs[i] = Array.CreateInstance(type, 0);
                    _binding.BindOutputToDevice(name, OrtMemoryInfo.DefaultInstance);
                    continue;
                }
                Outputs[i] = Array.CreateInstance(type, shape.Aggregate(1, (a, b) => a * b));
                var value = Create(Outputs[i], shape);
                _values.Add(value);
                _binding.BindOutput(name, value);
            }
        }

        public void Run()
        {
            _session.RunWithBinding(_runOptions, _binding);
            if (!_dynamic.Any(d => d)) return;
            using var values = _binding.GetOutputValues();
            for (int i = 0; i < _dynamic.Length; i++)
            {
                if (!_dynamic[i]) continue;
                var value = values[i];
                OutputShapes[i] = value.GetTensorTypeAndShape().Shape.Select(d => (int)d).ToArray();
                Outputs[i] = Read(value, _types[i]);
            }
        }

        private static Array Read(OrtValue value, Type type)
        {
            if (type == typeof(float)) return value.GetTensorDataAsSpan<float>().ToArray();
            if (type == typeof(double)) return value.GetTensorDataAsSpan<double>().ToArray();
            if (type == typeof(long)) return value.GetTensorDataAsSpan<long>().ToArray();
            if (type == typeof(ulong)) return value.GetTensorDataAsSpan<ulong>().ToArray();
            if (type == typeof(int)) return value.GetTensorDataAsSpan<int>().ToArray();
            if (type == typeof(uint)) return value.GetTensorDataAsSpan<uint>().ToArray();
            if (type == typeof(short)) return value.GetTensorDataAsSpan<short>().ToArray();
            if (type == typeof(ushort)) return value.GetTensorDataAsSpan<ushort>().ToArray();
            if (type == typeof(byte)) return value.GetTensorDataAsSpan<byte>().ToArray();
            if (type == typeof(sbyte)) return value.GetTensorDataAsSpan<sbyte>().ToArray();
            if (type == typeof(bool)) return value.GetTensorDataAsSpan<bool>().ToArray();
            if (type == typeof(Half)) return value.GetTensorDataAsSpan<Float16>().ToArray().Select(h => (Half)(float)h).ToArray();
            throw new NotSupportedException($"element type {type}");
        }

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
