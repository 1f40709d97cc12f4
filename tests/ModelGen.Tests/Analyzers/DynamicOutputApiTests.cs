using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using ModelGen.Analyzers;
using ModelGen.Compiler;
using ModelGen.Configuration;
using ModelGen.Tests.Diagnostics;
using ModelGen.Tests.Generator;
using ModelGen.Tests.Infrastructure;
using Xunit;
using DT = ModelGen.Onnx.Proto.TensorProto.Types.DataType;

namespace ModelGen.Tests.Analyzers;

/// <summary>
/// The typed API of outputs with a run-time length (an out int count after each such span), called from user code,
/// and MG1001 still matching each span argument to its own port across the out parameters.
/// </summary>
[Trait("Category", "Analyzers")]
public class DynamicOutputApiTests
{
    private static string Generate()
    {
        var builder = new ModelBuilder(opset: 11).Input("x", DT.Int64, 8)
            .Node("Unique", new[] { "x" }, new[] { "y", "indices", "inverse", "counts" })
            .Output("y", DT.Int64).Output("indices", DT.Int64).Output("inverse", DT.Int64).Output("counts", DT.Int64);
        var result = ModelCompiler.Compile(builder.ToBytes(), "unique.onnx", ModelOptions.Default("UniqueModel", "App.Models"));
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        return result.Source!;
    }

    [Fact]
    public async Task User_code_gets_the_counts_and_the_analyzer_checks_the_right_ports()
    {
        const string user = """
            using System;
            using App.Models;
            namespace App
            {
                public static class Use
                {
                    public static int Run(UniqueModel m)
                    {
                        m.Predict(new long[8], new long[8], out int distinct, new long[8], out int firsts, new long[7], new long[8], out int counted);
                        UniqueModel.Predict(stackalloc long[8], stackalloc long[8], out int a, stackalloc long[8], out int b, stackalloc long[8], stackalloc long[8], out int c, stackalloc byte[UniqueModel.ArenaBytes]);
                        return distinct + firsts + counted + a + b + c;
                    }
                }
            }
            """;
        var trees = new[]
        {
            CSharpSyntaxTree.ParseText(user, GeneratorHarness.ParseOptions, path: "User.cs"),
            CSharpSyntaxTree.ParseText(Generate(), GeneratorHarness.ParseOptions, path: "UniqueModel.g.cs"),
        };
        var compilation = CSharpCompilation.Create("User", trees, GeneratorHarness.RuntimeReferences,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var diagnostics = await compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new PredictLengthAnalyzer())).GetAnalyzerDiagnosticsAsync();
        DiagnosticAssert.Reports(diagnostics, "MG1001", "Argument 'inverse' of UniqueModel.Predict has 7 elements; the model expects 8 (InverseLength)");
        Assert.Single(diagnostics);
    }
}
