using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using ModelGen.Runtime;

namespace ModelGen.Tests.Generator;

/// <summary>
/// An .onnx AdditionalFile as the compiler hands it to the generator: a path. GetText throws, so a test fails if the
/// generator ever decodes the binary model as text (which is what produces CS2015 in a real build).
/// </summary>
public sealed class BinaryAdditionalText : AdditionalText
{
    public BinaryAdditionalText(string path) => Path = path;

    public override string Path { get; }

    public override SourceText? GetText(CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException($"the generator must not read '{Path}' as text");
}

/// <summary>Options as MSBuild would write them to the generated .editorconfig: per-file metadata and global properties.</summary>
public sealed class TestOptionsProvider : AnalyzerConfigOptionsProvider
{
    private static readonly DictionaryOptions Empty = new(new Dictionary<string, string>());
    private readonly Dictionary<string, DictionaryOptions> _perFile = new(StringComparer.Ordinal);
    private readonly DictionaryOptions _global;

    public TestOptionsProvider(IReadOnlyDictionary<string, string>? global = null) =>
        _global = new DictionaryOptions((global ?? new Dictionary<string, string>()).ToDictionary(kv => "build_property." + kv.Key, kv => kv.Value));

    /// <summary>Sets item metadata (e.g. ClassName) on one AdditionalFile, as `build_metadata.AdditionalFiles.ClassName`.</summary>
    public TestOptionsProvider With(string path, IReadOnlyDictionary<string, string> metadata)
    {
        _perFile[path] = new DictionaryOptions(metadata.ToDictionary(kv => "build_metadata.AdditionalFiles." + kv.Key, kv => kv.Value));
        return this;
    }

    public override AnalyzerConfigOptions GlobalOptions => _global;
    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Empty;
    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => _perFile.TryGetValue(textFile.Path, out var o) ? o : Empty;

    private sealed class DictionaryOptions : AnalyzerConfigOptions
    {
        private readonly Dictionary<string, string> _values;
        public DictionaryOptions(Dictionary<string, string> values) => _values = values;
        public override bool TryGetValue(string key, out string value) => _values.TryGetValue(key, out value!);
    }
}

/// <summary>A fresh folder under the temp directory, deleted on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder(string prefix = "modelgen-tests")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), prefix, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name, byte[] bytes)
    {
        string full = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        System.IO.File.WriteAllBytes(full, bytes);
        return full;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>Drives <see cref="ModelGenGenerator"/> with CSharpGeneratorDriver, compiles the result and loads it.</summary>
public static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        var tpa = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(System.IO.Path.PathSeparator);
        var refs = tpa.Where(p => System.IO.Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || System.IO.Path.GetFileName(p) is "netstandard.dll" or "mscorlib.dll")
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
        refs.Add(MetadataReference.CreateFromFile(typeof(IOnnxModel).Assembly.Location));
        return refs.ToArray();
    });

    public static IReadOnlyList<MetadataReference> RuntimeReferences => References.Value;

    public static CSharpCompilation Compilation(params string[] sources) =>
        CSharpCompilation.Create("ModelGen.Tests.Consumer",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"User{i}.cs")),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release,
                allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable, deterministic: true));

    public static GeneratorDriver Driver(IEnumerable<AdditionalText> files, AnalyzerConfigOptionsProvider? options = null, bool track = true) =>
        CSharpGeneratorDriver.Create(
            new[] { new ModelGenGenerator().AsSourceGenerator() },
            files,
            ParseOptions,
            options ?? new TestOptionsProvider(),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: track));

    /// <summary>Runs the generator once; the result holds generated sources, generator diagnostics and the updated compilation.</summary>
    public static Generated Run(IEnumerable<AdditionalText> files, AnalyzerConfigOptionsProvider? options = null, params string[] userSources)
    {
        var compilation = Compilation(userSources);
        var driver = Driver(files, options).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var driverDiagnostics);
        return new Generated(driver, driver.GetRunResult(), output, driverDiagnostics);
    }

    public sealed record Generated(GeneratorDriver Driver, GeneratorDriverRunResult RunResult, Compilation Output, ImmutableArray<Diagnostic> DriverDiagnostics)
    {
        public GeneratorRunResult Result => RunResult.Results.Single();

        /// <summary>Diagnostics the generator reported (MGnnnn), including any exception the driver caught (CS8784/CS8785).</summary>
        public IReadOnlyList<Diagnostic> Diagnostics => DriverDiagnostics;

        public IReadOnlyDictionary<string, string> Sources =>
            Result.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString(), StringComparer.Ordinal);

        /// <summary>Errors and warnings of the final compilation (user code + generated code).</summary>
        public IReadOnlyList<Diagnostic> CompilationProblems =>
            Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();

        /// <summary>Emits the compilation and loads it in a collectible context.</summary>
        public Assembly Load()
        {
            using var pe = new MemoryStream();
            var emit = Output.Emit(pe);
            if (!emit.Success)
                throw new InvalidOperationException("the output does not compile:\n" + string.Join("\n", emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(10)));
            pe.Position = 0;
            return new AssemblyLoadContext("modelgen-test-" + Guid.NewGuid().ToString("N"), isCollectible: true).LoadFromStream(pe);
        }
    }
}
