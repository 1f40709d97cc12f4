using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.OnnxRuntime;

namespace ModelGen.Cli.Verification;

/// <summary>Runs a model with ONNX Runtime (one intra-op thread) on the same arrays ModelGen gets.</summary>
public sealed class OnnxRuntimeOracle : IDisposable
{
    private readonly InferenceSession _session;

    public OnnxRuntimeOracle(byte[] model, string? modelPath = null)
    {
        var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        // External data needs the model's folder, so load from the path when there is one.
        _session = modelPath is not null ? new InferenceSession(modelPath, options) : new InferenceSession(model, options);
    }

    public IReadOnlyList<string> InputNames => _session.InputNames;

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
            return data switch
            {
                float[] a => OrtValue.CreateTensorValueFromMemory(a, dims),
                double[] a => OrtValue.CreateTensorValueFromMemory(a, dims),
                long[] a => OrtValue.CreateTensorValueFromMemory(a, dims),
                int[] a => OrtValue.CreateTensorValueFromMemory(a, dims),
                short[] a => OrtValue.CreateTensorValueFromMemory(a, dims),
                ushort[] a => OrtValue.CreateTensorValueFromMemory(a, dims),
                uint[] a => OrtValue.CreateTensorValueFromMemory(a, dims),
                ulong[] a => OrtValue.CreateTensorValueFromMemory(a, dims),
                // The CLR lets byte[] and sbyte[] pass as each other in type tests: compare the exact types.
                _ when data.GetType() == typeof(sbyte[]) => OrtValue.CreateTensorValueFromMemory((sbyte[])data, dims),
                _ when data.GetType() == typeof(byte[]) => OrtValue.CreateTensorValueFromMemory((byte[])data, dims),
                bool[] a => OrtValue.CreateTensorValueFromMemory(a, dims),
                // Half and ORT's Float16 are both one IEEE binary16: view the array as the other type, no copy.
                Half[] a => OrtValue.CreateTensorValueFromMemory(System.Runtime.CompilerServices.Unsafe.As<Half[], Float16[]>(ref a), dims),
                _ => throw new NotSupportedException($"element type {data.GetType().GetElementType()}"),
            };
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
