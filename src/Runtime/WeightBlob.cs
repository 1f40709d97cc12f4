using System;
using System.Buffers.Binary;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace ModelGen.Runtime;

/// <summary>
/// Weights embedded as a manifest resource, read in place: the resource stream of a loaded assembly points into the
/// mapped image, so spans over it cost no copy and no allocation. The resource is the blob that the ModelGen build
/// task wrote: a 64-byte header ("MGWB", format version, payload length, SHA-256 of the payload), then the payload
/// (every tensor, already packed for the kernels, at 64-byte-aligned offsets).
/// </summary>
public sealed unsafe class WeightBlob
{
    /// <summary>The blob format this runtime reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>Bytes of the header before the payload.</summary>
    public const int HeaderBytes = 64;

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

    /// <summary>Bytes of payload.</summary>
    public long Length => _length;

    /// <summary>
    /// Opens the resource <paramref name="name"/> of <paramref name="assembly"/> and checks its header against what the
    /// generated code was compiled for: format version, payload length and the payload's SHA-256 (lower-case hex).
    /// The payload itself is not hashed again (that would read every weight at start-up).
    /// </summary>
    /// <exception cref="InvalidOperationException">The resource is missing, or its header does not match.</exception>
    public static WeightBlob FromResource(Assembly assembly, string name, long expectedLength, string expectedSha256)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(expectedSha256);
        string owner = assembly.GetName().Name ?? "the assembly";
        var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The weights resource '{name}' is missing from {owner}. The ModelGen package's build task embeds it for <OnnxModel> items (WeightStorage Auto or Resource); rebuild the project. Outside that build, write it with `modelgen emit MODEL.onnx --weights resource -o DIR` and embed it with <EmbeddedResource Include=\"DIR/....weights\" LogicalName=\"{name}\" />, or use WeightStorage=\"Literals\".");
        byte* data;
        long length;
        byte[]? copy = null;
        if (stream is UnmanagedMemoryStream ums)
        {
            data = ums.PositionPointer;
            length = ums.Length - ums.Position;
        }
        else
        {
            // Assemblies loaded from bytes expose a managed stream: copy once into pinned memory.
            using (stream)
            {
                copy = GC.AllocateUninitializedArray<byte>(checked((int)stream.Length), pinned: true);
                stream.ReadExactly(copy);
            }
            data = (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(copy));
            length = copy.Length;
        }
        string? problem = CheckHeader(new ReadOnlySpan<byte>(data, (int)Math.Min(length, HeaderBytes)), length, expectedLength, expectedSha256);
        if (problem is not null)
            throw new InvalidOperationException($"The weights resource '{name}' in {owner} does not match the generated code: {problem}. The model, the resource or the ModelGen version changed without a rebuild; rebuild the project.");
        return new WeightBlob(data + HeaderBytes, expectedLength, copy);
    }

    /// <summary>Null when the header describes the expected payload; otherwise what differs.</summary>
    internal static string? CheckHeader(ReadOnlySpan<byte> header, long resourceLength, long expectedLength, string expectedSha256)
    {
        if (header.Length < HeaderBytes || header[0] != (byte)'M' || header[1] != (byte)'G' || header[2] != (byte)'W' || header[3] != (byte)'B')
            return "it is not a ModelGen weights blob (no MGWB header)";
        int version = BinaryPrimitives.ReadInt32LittleEndian(header.Slice(4));
        if (version != FormatVersion)
            return $"blob format version {version}, this runtime reads version {FormatVersion}";
        long length = BinaryPrimitives.ReadInt64LittleEndian(header.Slice(8));
        if (length != expectedLength || resourceLength != HeaderBytes + expectedLength)
            return $"the payload has {length} bytes ({resourceLength - HeaderBytes} present), the code expects {expectedLength}";
        string hash = Convert.ToHexStringLower(header.Slice(16, 32));
        if (!string.Equals(hash, expectedSha256, StringComparison.OrdinalIgnoreCase))
            return $"payload hash {hash[..16]}…, the code expects {(expectedSha256.Length > 16 ? expectedSha256[..16] : expectedSha256)}…";
        return null;
    }

    /// <summary><paramref name="count"/> elements at byte <paramref name="offset"/> of the payload.</summary>
    public ReadOnlySpan<T> Get<T>(long offset, int count) where T : unmanaged
    {
        if (offset < 0 || count < 0 || offset + (long)count * sizeof(T) > _length) throw new ArgumentOutOfRangeException(nameof(offset));
        return new ReadOnlySpan<T>(_data + offset, count);
    }
}
