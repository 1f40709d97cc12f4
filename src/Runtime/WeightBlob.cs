using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace ModelGen.Runtime;

/// <summary>
/// Weights embedded as a manifest resource, read in place: the resource stream of a loaded assembly points into the
/// mapped image, so spans over it cost no copy and no allocation.
/// </summary>
public sealed unsafe class WeightBlob
{
    private readonly byte* _data;
    private readonly long _length;
    // Keeps a pinned copy alive when the resource could not be mapped.
    private readonly byte[]? _copy;

    private WeightBlob(byte* data, long length, byte[]? copy)
    {
        _data = data;
        _length = length;
        _copy = copy;
    }

    public static WeightBlob FromResource(Assembly assembly, string name)
    {
        var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The weights resource '{name}' is missing from {assembly.GetName().Name}. Write it with `modelgen emit MODEL.onnx --weights resource -o DIR` and embed it with <EmbeddedResource Include=\"DIR/....weights\" LogicalName=\"{name}\" />, or use WeightStorage=\"Literals\".");
        if (stream is UnmanagedMemoryStream ums)
            return new WeightBlob(ums.PositionPointer, ums.Length, null);
        // Assemblies loaded from bytes expose a managed stream: copy once into pinned memory.
        var copy = GC.AllocateUninitializedArray<byte>((int)stream.Length, pinned: true);
        stream.ReadExactly(copy);
        return new WeightBlob((byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(copy)), copy.Length, copy);
    }

    public ReadOnlySpan<T> Get<T>(long offset, int count) where T : unmanaged
    {
        if (offset < 0 || offset + (long)count * sizeof(T) > _length) throw new ArgumentOutOfRangeException(nameof(offset));
        return new ReadOnlySpan<T>(_data + offset, count);
    }
}

