using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace ModelGen.Analyzers
{
    /// <summary>
    /// MG1001: a Predict call on a ModelGen-generated model whose argument is created with a constant element count
    /// (<c>stackalloc float[9]</c>, <c>new float[9]</c>, <c>new[] { ... }</c>, <c>[a, b, c]</c>) that differs from
    /// the model's <c>&lt;Member&gt;Length</c> constant for that parameter.
    /// </summary>
    /// <remarks>
    /// A generated model is a class implementing <c>ModelGen.Runtime.IOnnxModel</c> and marked
    /// <c>[GeneratedCode("ModelGen", ...)]</c>. Its ports are the <c>const int XLength</c> fields that have a matching
    /// <c>static XShape</c> property, in declaration order: inputs, then outputs, the same order as Predict's
    /// parameters. (Aliases such as <c>InputLength</c> have no Shape property and are not ports.)
    /// </remarks>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class PredictLengthAnalyzer : DiagnosticAnalyzer
    {
        private const string LengthSuffix = "Length";

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.PredictLength);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var modelInterface = start.Compilation.GetTypeByMetadataName("ModelGen.Runtime.IOnnxModel");
                var generatedCode = start.Compilation.GetTypeByMetadataName("System.CodeDom.Compiler.GeneratedCodeAttribute");
                if (modelInterface is null || generatedCode is null) return;
                var ports = new ConcurrentDictionary<INamedTypeSymbol, Port[]?>(SymbolEqualityComparer.Default);
                start.RegisterOperationAction(
                    op => Analyze(op, (IInvocationOperation)op.Operation, t => ports.GetOrAdd(t, type => FindPorts(type, modelInterface, generatedCode))),
                    OperationKind.Invocation);
            });
        }

        private readonly struct Port
        {
            public Port(string constant, int length)
            {
                Constant = constant;
                Length = length;
            }

            public string Constant { get; }
            public int Length { get; }
        }

        private static Port[]? FindPorts(INamedTypeSymbol type, INamedTypeSymbol modelInterface, INamedTypeSymbol generatedCode)
        {
            if (!type.AllInterfaces.Contains(modelInterface, SymbolEqualityComparer.Default)) return null;
            bool byModelGen = type.GetAttributes().Any(a =>
                SymbolEqualityComparer.Default.Equals(a.AttributeClass, generatedCode)
                && a.ConstructorArguments.Length > 0 && a.ConstructorArguments[0].Value is string tool && tool == "ModelGen");
            if (!byModelGen) return null;

            var members = type.GetMembers();
            var shapes = new HashSet<string>(members.OfType<IPropertySymbol>().Where(p => p.IsStatic && p.Name.EndsWith("Shape", System.StringComparison.Ordinal)).Select(p => p.Name), System.StringComparer.Ordinal);
            var result = new List<Port>();
            foreach (var field in members.OfType<IFieldSymbol>())
            {
                if (!field.IsConst || field.Type.SpecialType != SpecialType.System_Int32 || !field.HasConstantValue || field.ConstantValue is not int length) continue;
                if (!field.Name.EndsWith(LengthSuffix, System.StringComparison.Ordinal)) continue;
                string member = field.Name.Substring(0, field.Name.Length - LengthSuffix.Length);
                if (shapes.Contains(member + "Shape")) result.Add(new Port(field.Name, length));
            }
            return result.ToArray();
        }

        private static void Analyze(OperationAnalysisContext context, IInvocationOperation invocation, System.Func<INamedTypeSymbol, Port[]?> portsOf)
        {
            var method = invocation.TargetMethod;
            if (method.Name != "Predict" || method.ContainingType is not { } type) return;
            var ports = portsOf(type.OriginalDefinition);
            if (ports is null || ports.Length == 0) return;

            foreach (var argument in invocation.Arguments)
            {
                var parameter = argument.Parameter;
                if (parameter is null || !IsBuffer(parameter.Type)) continue;
                // The port is the buffer parameter's position among buffers: outputs with a run-time length add an out int after their span.
                int index = method.Parameters.Count(p => p.Ordinal < parameter.Ordinal && IsBuffer(p.Type));
                if (index >= ports.Length) continue;
                if (argument.Syntax is not ArgumentSyntax syntax) continue;
                int? count = ConstantElementCount(syntax.Expression, invocation.SemanticModel!, context.CancellationToken);
                var port = ports[index];
                if (count is null || count.Value == port.Length) continue;
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.PredictLength, syntax.GetLocation(),
                    parameter.Name, type.Name, count.Value, port.Length, port.Constant));
            }
        }

        /// <summary>Span&lt;T&gt;, ReadOnlySpan&lt;T&gt; or T[]: the parameter kinds generated Predict methods take.</summary>
        private static bool IsBuffer(ITypeSymbol type) =>
            type is IArrayTypeSymbol { Rank: 1 }
            || type is INamedTypeSymbol { IsGenericType: true, Name: "Span" or "ReadOnlySpan", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } };

        /// <summary>The element count of a buffer created right in the argument, when it is a compile-time constant.</summary>
        private static int? ConstantElementCount(ExpressionSyntax expression, SemanticModel model, System.Threading.CancellationToken ct)
        {
            while (true)
            {
                if (expression is ParenthesizedExpressionSyntax p) expression = p.Expression;
                else if (expression is CastExpressionSyntax c) expression = c.Expression;
                else if (expression is CheckedExpressionSyntax k) expression = k.Expression;
                else break;
            }
            switch (expression)
            {
                case StackAllocArrayCreationExpressionSyntax s when s.Type is ArrayTypeSyntax array:
                    return Count(array, s.Initializer, model, ct);
                case ArrayCreationExpressionSyntax a:
                    return Count(a.Type, a.Initializer, model, ct);
                case ImplicitStackAllocArrayCreationExpressionSyntax i:
                    return i.Initializer.Expressions.Count;
                case ImplicitArrayCreationExpressionSyntax i when i.Commas.Count == 0:
                    return i.Initializer.Expressions.Count;
                case CollectionExpressionSyntax collection when collection.Elements.All(e => e is ExpressionElementSyntax):
                    return collection.Elements.Count;
                default:
                    return null;
            }
        }

        private static int? Count(ArrayTypeSyntax type, InitializerExpressionSyntax? initializer, SemanticModel model, System.Threading.CancellationToken ct)
        {
            if (type.RankSpecifiers.Count != 1 || type.RankSpecifiers[0].Sizes.Count != 1) return null;
            var size = type.RankSpecifiers[0].Sizes[0];
            if (size is OmittedArraySizeExpressionSyntax) return initializer?.Expressions.Count;
            var constant = model.GetConstantValue(size, ct);
            return constant.HasValue && constant.Value is int n ? n : null;
        }
    }
}
