using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;
using ModelGen.Configuration;
using ModelGen.Compiler;
using ModelGen.Runtime;

namespace ModelGen.Cli.Verification;

/// <summary>Compiles generated model source with Roslyn in memory and loads it in a collectible context.</summary>
public static class InMemoryModel
{
    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        var tpa = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var refs = tpa.Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll" or "mscorlib.dll")
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
        refs.Add(MetadataReference.CreateFromFile(typeof(IOnnxModel).Assembly.Location));
        return refs.ToArray();
    });

    /// <summary>Compiles the result's source (and weight resource, if any) and returns a model instance.</summary>
    /// <param name="collectible">False loads it as an application's assembly is loaded (benchmarks); tools unload theirs.</param>
    public static IOnnxModel Load(CompileResult result, ModelOptions options, bool collectible = true)
    {
        if (result.Source is null) throw new InvalidOperationException("the model did not compile: " + string.Join("; ", result.Diagnostics));
        var tree = CSharpSyntaxTree.ParseText(result.Source, new CSharpParseOptions(LanguageVersion.Latest), path: options.ClassName + ".g.cs");
        var compilation = CSharpCompilation.Create("ModelGen.Generated." + options.ClassName + "." + Guid.NewGuid().ToString("N"),
            new[] { tree }, References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release, allowUnsafe: true,
                nullableContextOptions: NullableContextOptions.Enable));
        var resources = result.WeightBlob is null ? null : new[]
        {
            new ResourceDescription(Emit.ModelEmitter.ResourceName(options), () => new MemoryStream(result.WeightBlob), isPublic: true),
        };
        using var pe = new MemoryStream();
        var emit = compilation.Emit(pe, manifestResources: resources);
        if (!emit.Success)
        {
            var errors = emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(10).Select(d => d.ToString());
            throw new InvalidOperationException("generated code does not compile:\n" + string.Join("\n", errors));
        }
        pe.Position = 0;
        var context = new AssemblyLoadContext(compilation.AssemblyName, isCollectible: collectible);
        var assembly = context.LoadFromStream(pe);
        var type = assembly.GetType(options.Namespace + "." + options.ClassName, throwOnError: true)!;
        return (IOnnxModel)Activator.CreateInstance(type)!;
    }
}
