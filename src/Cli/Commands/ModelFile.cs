using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using ModelGen.Configuration;
using ModelGen.Compiler;
using ModelGen.Diagnostics;
using ModelGen.Emit;
using ModelGen.Ir;
using ModelGen.Onnx;
using ModelGen.Onnx.Proto;

namespace ModelGen.Cli;

/// <summary>A model file read from disk, with what can be known from its protobuf alone (before compiling).</summary>
public sealed class ModelFile
{
    private ModelFile(string path, byte[] bytes, ModelProto? proto, List<ModelDiagnostic> parseDiagnostics)
    {
        Path = path;
        Bytes = bytes;
        Proto = proto;
        ParseDiagnostics = parseDiagnostics;
    }

    public string Path { get; }
    public string Name => System.IO.Path.GetFileName(Path);
    public byte[] Bytes { get; }
    /// <summary>Null when the file is not ONNX (see <see cref="ParseDiagnostics"/>).</summary>
    public ModelProto? Proto { get; }
    public List<ModelDiagnostic> ParseDiagnostics { get; }

    /// <summary>Reads the file; a missing or unreadable file is a <see cref="CliException"/> (exit 1), never a stack trace.</summary>
    public static ModelFile Read(string path)
    {
        if (Directory.Exists(path)) throw new CliException($"'{path}' is a folder, not a model file");
        if (!File.Exists(path)) throw new CliException($"model file not found: {path}");
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new CliException($"cannot read '{path}': {e.Message}");
        }
        var diagnostics = new List<ModelDiagnostic>();
        var proto = OnnxImporter.Parse(bytes, path, diagnostics);
        return new ModelFile(path, bytes, proto, diagnostics);
    }

    /// <summary>The class name the generator would pick for this file.</summary>
    public string DefaultClassName => ClassNameFor(Path);

    public static string ClassNameFor(string path) => IdentifierScope.Sanitize(System.IO.Path.GetFileNameWithoutExtension(path), pascal: true, "Model");

    /// <summary>Graph inputs that are not initializers, in graph order (what the importer makes model inputs).</summary>
    public IReadOnlyList<ValueInfoProto> Inputs
    {
        get
        {
            if (Proto is null) return Array.Empty<ValueInfoProto>();
            var initializers = new HashSet<string>(Proto.Graph.Initializer.Select(i => i.Name).Concat(Proto.Graph.SparseInitializer.Select(s => s.Values.Name)), StringComparer.Ordinal);
            return Proto.Graph.Input.Where(i => !initializers.Contains(i.Name)).ToList();
        }
    }

    public IReadOnlyList<ValueInfoProto> Outputs => Proto is null ? Array.Empty<ValueInfoProto>() : Proto.Graph.Output.ToList();

    /// <summary>True when some initializer keeps its data in another file (ONNX Runtime must then load the model by path).</summary>
    public bool HasExternalData => Proto is not null && AllInitializers(Proto).Any(t => t.HasDataLocation && t.DataLocation == TensorProto.Types.DataLocation.External);

    /// <summary>Elements in all initializers (dense and sparse, counted dense).</summary>
    public long ParameterCount => Proto is null ? 0 : AllInitializers(Proto).Sum(t => Elements(t.Dims));

    /// <summary>Bytes of all initializers at their element types (sub-byte types rounded up per tensor).</summary>
    public long InitializerBytes => Proto is null ? 0 : AllInitializers(Proto).Sum(t => (Elements(t.Dims) * BitsOf((DataType)t.DataType) + 7) / 8);

    private static IEnumerable<TensorProto> AllInitializers(ModelProto proto) =>
        proto.Graph.Initializer.Concat(proto.Graph.SparseInitializer.Select(s => new TensorProto { DataType = s.Values.DataType, Dims = { s.Dims } }));

    private static long Elements(IEnumerable<long> dims)
    {
        long n = 1;
        foreach (var d in dims) n *= Math.Max(d, 0);
        return n;
    }

    private static long BitsOf(DataType t) => t switch
    {
        DataType.Int4 or DataType.UInt4 or DataType.Float4E2M1 => 4,
        DataType.Float8E4M3FN or DataType.Float8E4M3FNUZ or DataType.Float8E5M2 or DataType.Float8E5M2FNUZ or DataType.Float8E8M0 => 8,
        DataType.Complex64 => 64,
        DataType.Complex128 => 128,
        DataType.Bool or DataType.Int8 or DataType.UInt8 => 8,
        DataType.Int16 or DataType.UInt16 or DataType.Float16 or DataType.BFloat16 => 16,
        DataType.Float or DataType.Int32 or DataType.UInt32 => 32,
        DataType.Double or DataType.Int64 or DataType.UInt64 => 64,
        _ => 0, // strings and unknown types: no fixed size
    };

    /// <summary>"float", "int64", ... or the kind of a non-tensor type.</summary>
    public static string TypeName(ValueInfoProto info)
    {
        var type = info.Type;
        if (type is null) return "?";
        if (type.ValueCase == TypeProto.ValueOneofCase.TensorType) return type.TensorType.ElemType == 0 ? "?" : DataTypes.OnnxName((DataType)type.TensorType.ElemType);
        return type.ValueCase.ToString();
    }

    /// <summary>The declared shape with symbolic dimensions, e.g. [batch x 3 x 224 x 224]; null when undeclared.</summary>
    public static string[]? DeclaredShape(ValueInfoProto info)
    {
        var shape = info.Type?.TensorType?.Shape;
        if (shape is null) return null;
        return shape.Dim.Select(d => d.ValueCase switch
        {
            TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue => d.DimValue.ToString(CultureInfo.InvariantCulture),
            TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam => d.DimParam,
            _ => "?",
        }).ToArray();
    }

    public static string FormatDeclared(string[]? dims) => dims is null ? "?" : "[" + string.Join("x", dims) + "]";

    /// <summary>
    /// The names the generated class gives each input and output: the Predict parameter and the prefix of the
    /// XxxShape/XxxLength members. Mirrors ModelEmitter.Emit (inputs first, then outputs, two scopes).
    /// </summary>
    public static IReadOnlyList<(string Param, string Member)> PortNames(IEnumerable<string> inputs, IEnumerable<string> outputs, string className)
    {
        var locals = new IdentifierScope("scratch", "global", "i", "j");
        var members = new IdentifierScope(className, "Predict", "ArenaBytes", "Inputs", "Outputs", "Run", "Weights", "Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone", "Finalize", "WeightsResourceName", "WeightBlob");
        var result = new List<(string, string)>();
        foreach (var name in inputs) result.Add((locals.Claim(name, pascal: false, "input"), members.Claim(name, pascal: true, "Input")));
        foreach (var name in outputs) result.Add((locals.Claim(name, pascal: false, "output"), members.Claim(name, pascal: true, "Output")));
        return result;
    }
}

/// <summary>Options shared by the commands and the model options they build.</summary>
public static class CommonOptions
{
    public static readonly OptionSpec Dims = new("--dims", null, "name=N,...", "binds symbolic dimensions, e.g. batch=1,seq=128");
    public static readonly OptionSpec Shape = new("--shape", null, "input=AxB,...", "fixes whole input shapes, e.g. input=1x3x224x224");
    public static readonly OptionSpec Bind = new("--bind", null, "input=V,...", "fixes inputs at build time as constants (the Values metadata), e.g. sr=16000; an If or Reshape on them folds");
    public static readonly OptionSpec Json = new("--json", null, null, "prints one JSON object instead of text");
    public static readonly OptionSpec Help = new("--help", "-h", null, "shows this help");

    /// <summary>Model options from the command line; call before reading the file, so usage errors come first.</summary>
    public static ModelOptions Build(Arguments args, string path, string className, string ns, WeightStorage storage)
    {
        var diagnostics = new List<ModelDiagnostic>();
        var dims = ModelOptions.ParseDimensions(args.Value(Dims.Name), System.IO.Path.GetFileName(path), diagnostics, path);
        var shapes = ModelOptions.ParseShapes(args.Value(Shape.Name), System.IO.Path.GetFileName(path), diagnostics, path);
        var values = ModelOptions.ParseValues(args.Value(Bind.Name), System.IO.Path.GetFileName(path), diagnostics, path);
        if (diagnostics.Count > 0)
            throw new UsageException(string.Join("; ", diagnostics.Select(d => d.Message)));
        return new ModelOptions(className, ns, dims, shapes, storage) { Values = values };
    }

    public static WeightStorage? ParseStorage(string? text, bool allowAuto)
    {
        switch (text?.ToLowerInvariant())
        {
            case null: return allowAuto ? null : WeightStorage.Literals;
            case "auto" when allowAuto: return null;
            case "literals": return WeightStorage.Literals;
            case "resource": return WeightStorage.Resource;
            default: throw new UsageException($"--weights must be {(allowAuto ? "auto, " : "")}literals or resource, not '{text}'");
        }
    }

    public static bool IsIdentifier(string s) =>
        Microsoft.CodeAnalysis.CSharp.SyntaxFacts.IsValidIdentifier(s) && Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetKeywordKind(s) == Microsoft.CodeAnalysis.CSharp.SyntaxKind.None;

    public static string Severity(ModelDiagnostic d) => d.Severity.ToString().ToLowerInvariant();

    /// <summary>1234567 → "1,234,567" (invariant).</summary>
    public static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Bytes with a readable unit, e.g. "4,816,896 (4.6 MiB)".</summary>
    public static string Bytes(long n)
    {
        string exact = Count(n) + " bytes";
        if (n < 1024) return exact;
        if (n < 1024 * 1024) return exact + " (" + (n / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB)";
        return exact + " (" + (n / (1024.0 * 1024)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB)";
    }
}

/// <summary>JSON output: System.Text.Json's writer (invariant numbers), indented, non-finite numbers as null.</summary>
public static class JsonOut
{
    public static string Write(Action<System.Text.Json.Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var writer = new System.Text.Json.Utf8JsonWriter(stream, new System.Text.Json.JsonWriterOptions
        {
            Indented = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            body(writer);
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>JSON has no NaN or infinity: those become null.</summary>
    public static void Number(System.Text.Json.Utf8JsonWriter w, string name, double? value)
    {
        if (value is double v && double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    public static void Number(System.Text.Json.Utf8JsonWriter w, string name, long? value)
    {
        if (value is long v) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    public static void Diagnostics(System.Text.Json.Utf8JsonWriter w, IEnumerable<ModelDiagnostic> diagnostics)
    {
        w.WriteStartArray("diagnostics");
        foreach (var d in diagnostics)
        {
            w.WriteStartObject();
            w.WriteString("id", d.Id);
            w.WriteString("severity", CommonOptions.Severity(d));
            w.WriteString("message", d.Message);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
