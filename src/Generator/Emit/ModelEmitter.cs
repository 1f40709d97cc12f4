using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using ModelGen.Compiler;
using ModelGen.Diagnostics;
using ModelGen.Ir;
using ModelGen.Ops;
using ModelGen.Passes;

namespace ModelGen.Emit
{
    /// <summary>Writes the partial class for one compiled model: API, memory plan, node code and weights.</summary>
    public sealed class ModelEmitter
    {
        public const string Version = "0.1.0";

        /// <summary>
        /// On Predict and generated helper methods (and the runtime's kernels): compiled fully optimized at the first
        /// call instead of starting as unoptimized tier-0 code (docs/verification.md, "First calls").
        /// </summary>
        internal const string OptimizeAttribute = "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]";

        private readonly Graph _graph;
        private readonly OpRegistry _registry;
        private readonly ModelOptions _options;
        private readonly string _modelFile;
        private readonly Dictionary<Value, string> _names = new();
        private readonly Dictionary<Tensor, string> _weightNames = new(ReferenceEqualityComparer.Instance);
        private readonly List<(string Name, Tensor Tensor)> _weights = new();
        private readonly List<string> _methods = new();
        private readonly IdentifierScope _members;
        private readonly IdentifierScope _locals = new("scratch", "global", "i", "j");
        private readonly IdentifierScope _weightScope = new();

        public ModelEmitter(Graph graph, MemoryPlan plan, OpRegistry registry, ModelOptions options, string modelFile)
        {
            _graph = graph;
            Plan = plan;
            _registry = registry;
            _options = options;
            _modelFile = modelFile;
            _members = new IdentifierScope(options.ClassName, "Predict", "ArenaBytes", "Inputs", "Outputs", "Run", "Weights", "Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone", "Finalize", "WeightsResourceName", "WeightBlob");
        }

        public MemoryPlan Plan { get; }

        /// <summary>Problems found while choosing code for nodes; the source is unusable when any is an error.</summary>
        public List<ModelDiagnostic> Diagnostics { get; } = new();

        /// <summary>Bytes of the weights blob (Resource storage only), to embed as WeightsResourceName.</summary>
        public byte[]? WeightBlob { get; private set; }

        public long WeightBytes => _weights.Sum(w => (long)WeightEncoder.ToBytes(w.Tensor).Length);

        public static string ResourceName(ModelOptions options) => $"{options.Namespace}.{options.ClassName}.weights";

        private sealed class Port
        {
            public Value Value = null!;
            public string Param = "";
            public string Member = "";
            public bool IsOutput;
        }

        public string Emit(CancellationToken cancellationToken = default)
        {
            // Names first, in graph order, so identifiers are deterministic.
            var ports = new List<Port>();
            foreach (var v in _graph.Inputs)
                ports.Add(new Port { Value = v, Param = _locals.Claim(v.Name, pascal: false, "input"), Member = _members.Claim(v.Name, pascal: true, "Input") });
            var outputParams = new List<Port>();
            foreach (var v in _graph.Outputs)
            {
                var p = new Port { Value = v, Param = _locals.Claim(v.Name, pascal: false, "output"), Member = _members.Claim(v.Name, pascal: true, "Output"), IsOutput = true };
                ports.Add(p);
                outputParams.Add(p);
            }
            foreach (var p in ports)
                if (!_names.ContainsKey(p.Value) && (p.IsOutput ? Plan.Values[p.Value].Kind == StorageKind.Output : true))
                    _names[p.Value] = p.Param;

            var body = new SourceWriter();
            foreach (var kv in Plan.Values.Where(kv => kv.Value.Kind == StorageKind.Arena).OrderBy(kv => kv.Value.Offset).ThenBy(kv => kv.Key.Name, StringComparer.Ordinal))
            {
                var v = kv.Key;
                string local = _locals.Claim(v.Name, pascal: false, "t");
                _names[v] = local;
                string type = DataTypes.CSharpName(v.Type)!;
                long bytes = (long)v.Length * DataTypes.Size(v.Type);
                body.Line($"var {local} = global::System.Runtime.InteropServices.MemoryMarshal.Cast<byte, {type}>(scratch.Slice({kv.Value.Offset}, {bytes}));");
            }
            if (Plan.Values.Any(kv => kv.Value.Kind == StorageKind.Arena)) body.Line();

            foreach (var node in _graph.Nodes)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var def = _registry.Find(node)!;
                string ins = string.Join(", ", node.Inputs.Where(i => i is not null).Select(i => Shapes.Format(i!.Shape!)));
                string outs = string.Join(", ", node.Outputs.Select(o => Shapes.Format(o.Shape!)));
                string fused = node.FusedActivation is null ? "" : $" + {node.FusedActivation.Kind}";
                body.Line($"// {node.OpType}{fused} '{Sanitize(node.Name)}': {ins} -> {outs}");
                try
                {
                    def.Emit(new EmitContext(this, node, body));
                }
                catch (UnsupportedException e)
                {
                    // Some limits only show when code is chosen (e.g. an integer Add that could not be folded).
                    Diagnostics.Add(ModelDiagnostic.Create(DiagnosticDescriptors.UnsupportedAttribute, _modelFile, node.Name, node.OpType, e.Message));
                }
                catch (IrException e)
                {
                    Diagnostics.Add(ModelDiagnostic.Create(DiagnosticDescriptors.InvalidGraph, _modelFile, node.Name, node.OpType, e.Message));
                }
            }

            // Outputs that no node writes: graph inputs, constants, or the same value listed twice.
            var written = new HashSet<Value>();
            foreach (var p in outputParams)
            {
                if (Plan.Values[p.Value].Kind == StorageKind.Output && written.Add(p.Value) && _names[p.Value] == p.Param) continue;
                body.Line($"{Expression(p.Value)}.CopyTo({p.Param});");
            }

            return WriteClass(ports, body.ToString());
        }

        private static string Sanitize(string text) => text.Replace("\r", " ").Replace("\n", " ");

        internal string Expression(Value v)
        {
            if (_names.TryGetValue(v, out var name)) return name;
            if (v.Constant is not null) return AddWeight(v.Constant, v.Name);
            throw new InvalidOperationException($"value '{v.Name}' has no storage");
        }

        internal string AddWeight(Tensor tensor, string nameHint)
        {
            if (_weightNames.TryGetValue(tensor, out var existing)) return existing;
            string name = "Weights." + _weightScope.Claim(nameHint, pascal: true, "W");
            _weightNames[tensor] = name;
            _weights.Add((name.Substring("Weights.".Length), tensor));
            return name;
        }

        internal string AddMethod(string nameHint, Action<SourceWriter, string> write)
        {
            string name = _members.Claim(nameHint, pascal: true, "Kernel");
            var w = new SourceWriter();
            write(w, name);
            _methods.Add(w.ToString());
            return name;
        }

        private string WriteClass(List<Port> ports, string body)
        {
            var w = new SourceWriter();
            w.Line("// <auto-generated/>");
            w.Line($"// Generated by ModelGen {Version} from {Path.GetFileName(_modelFile)}. Do not edit: change the model and rebuild.");
            w.Line("#nullable enable");
            w.Line("#pragma warning disable CS1591, CS0162, CS0219, IDE0059");
            w.Line();
            w.Open($"namespace {_options.Namespace}");
            w.Line($"/// <summary>ONNX model <c>{CSharpLiterals.Xml(Path.GetFileName(_modelFile))}</c> compiled to C# by ModelGen.</summary>");
            w.Line("/// <remarks>");
            foreach (var p in ports)
                w.Line($"/// {(p.IsOutput ? "Output" : "Input")} <c>{p.Param}</c> (ONNX '{CSharpLiterals.Xml(p.Value.Name)}'): {DataTypes.OnnxName(p.Value.Type)} {Shapes.Format(p.Value.Shape!)}.<br/>");
            w.Line($"/// Scratch memory: {Plan.ArenaBytes} bytes, planned at build time ({Plan.UnplannedBytes} without buffer reuse).");
            w.Line("/// </remarks>");
            w.Line($"[global::System.CodeDom.Compiler.GeneratedCode(\"ModelGen\", \"{Version}\")]");
            w.Open($"public partial class {_options.ClassName} : global::ModelGen.Runtime.IOnnxModel");

            // Shapes and lengths.
            foreach (var p in ports)
            {
                string kind = p.IsOutput ? "output" : "input";
                w.Line($"/// <summary>Shape of {kind} <c>{p.Param}</c> (ONNX '{CSharpLiterals.Xml(p.Value.Name)}'): {Shapes.Format(p.Value.Shape!)}.</summary>");
                w.Line($"public static global::System.ReadOnlySpan<int> {p.Member}Shape => new int[] {{ {string.Join(", ", p.Value.Shape!.Select(d => d.ToString(CultureInfo.InvariantCulture)))} }};");
                w.Line($"/// <summary>Element count of {kind} <c>{p.Param}</c> (ONNX '{CSharpLiterals.Xml(p.Value.Name)}').</summary>");
                w.Line($"public const int {p.Member}Length = {p.Value.Length};");
            }
            var inputs = ports.Where(p => !p.IsOutput).ToList();
            var outputs = ports.Where(p => p.IsOutput).ToList();
            foreach (var (list, word) in new[] { (inputs, "Input"), (outputs, "Output") })
            {
                if (list.Count == 1 && list[0].Member != word)
                {
                    w.Line($"/// <summary>Element count of the only {word.ToLowerInvariant()} (same as {list[0].Member}Length).</summary>");
                    w.Line($"public const int {word}Length = {list[0].Member}Length;");
                }
            }
            w.Line("/// <summary>Bytes of scratch memory one Predict call needs.</summary>");
            w.Line($"public const int ArenaBytes = {Plan.ArenaBytes};");
            w.Line();
            w.Line("private readonly byte[] _arena = new byte[ArenaBytes];");
            w.Line();

            string Param(Port p) => $"{(p.IsOutput ? "global::System.Span" : "global::System.ReadOnlySpan")}<{DataTypes.CSharpName(p.Value.Type)}> {p.Param}";
            string paramList = string.Join(", ", ports.Select(Param));
            string argList = string.Join(", ", ports.Select(p => p.Param));
            string docs = string.Join("\n", ports.Select(p => $"/// <param name=\"{p.Param}\">{(p.IsOutput ? "Output" : "Input")} '{CSharpLiterals.Xml(p.Value.Name)}', {p.Member}Length elements, shape {Shapes.Format(p.Value.Shape!)}.</param>"));

            w.Line("/// <summary>Runs the model using this instance's scratch memory. Allocates nothing; not thread-safe per instance.</summary>");
            w.Lines(docs);
            w.Line(OptimizeAttribute);
            w.Line($"public void Predict({paramList}) => Predict({argList}, _arena);");
            w.Line();
            w.Line("/// <summary>Runs the model in caller-supplied scratch memory of at least ArenaBytes bytes. Allocates nothing; thread-safe.</summary>");
            w.Lines(docs);
            w.Line("/// <param name=\"scratch\">At least ArenaBytes bytes; its contents are overwritten.</param>");
            w.Line("/// <exception cref=\"global::System.ArgumentException\">A span has the wrong length.</exception>");
            w.Line(OptimizeAttribute);
            w.Open($"public static void Predict({paramList}, global::System.Span<byte> scratch)");
            foreach (var p in ports)
                w.Line($"global::ModelGen.Runtime.Guard.Length({p.Param}.Length, {p.Member}Length, nameof({p.Param}));");
            w.Line("global::ModelGen.Runtime.Guard.Scratch(scratch.Length, ArenaBytes, nameof(scratch));");
            w.Line();
            w.Lines(body.TrimEnd('\n'));
            w.Close();

            if (inputs.Count == 1 && outputs.Count == 1)
            {
                var i = inputs[0]; var o = outputs[0];
                string ti = DataTypes.CSharpName(i.Value.Type)!, to = DataTypes.CSharpName(o.Value.Type)!;
                w.Line();
                w.Line("/// <summary>Convenience overload that allocates and returns the output array.</summary>");
                w.Open($"public {to}[] Predict({ti}[] {i.Param})");
                w.Line($"var {o.Param} = new {to}[{o.Member}Length];");
                w.Line($"Predict({i.Param}, {o.Param});");
                w.Line($"return {o.Param};");
                w.Close();
            }

            // Untyped entry point for tools (CLI verify, tests): boxes nothing per element, allocates nothing per call.
            w.Line();
            w.Line("private static readonly global::ModelGen.Runtime.TensorInfo[] s_inputs =");
            w.Line("{");
            foreach (var p in inputs) w.Line($"    new(\"{p.Param}\", {CSharpLiterals.String(p.Value.Name)}, typeof({DataTypes.CSharpName(p.Value.Type)}), new int[] {{ {string.Join(", ", p.Value.Shape!)} }}),");
            w.Line("};");
            w.Line("private static readonly global::ModelGen.Runtime.TensorInfo[] s_outputs =");
            w.Line("{");
            foreach (var p in outputs) w.Line($"    new(\"{p.Param}\", {CSharpLiterals.String(p.Value.Name)}, typeof({DataTypes.CSharpName(p.Value.Type)}), new int[] {{ {string.Join(", ", p.Value.Shape!)} }}),");
            w.Line("};");
            w.Line("global::System.Collections.Generic.IReadOnlyList<global::ModelGen.Runtime.TensorInfo> global::ModelGen.Runtime.IOnnxModel.Inputs => s_inputs;");
            w.Line("global::System.Collections.Generic.IReadOnlyList<global::ModelGen.Runtime.TensorInfo> global::ModelGen.Runtime.IOnnxModel.Outputs => s_outputs;");
            w.Line("int global::ModelGen.Runtime.IOnnxModel.ArenaBytes => ArenaBytes;");
            w.Line(OptimizeAttribute);
            w.Open("void global::ModelGen.Runtime.IOnnxModel.Run(global::System.Collections.Generic.IReadOnlyList<global::System.Array> inputs, global::System.Collections.Generic.IReadOnlyList<global::System.Array> outputs)");
            w.Line($"global::ModelGen.Runtime.Guard.Count(inputs.Count, {inputs.Count}, nameof(inputs));");
            w.Line($"global::ModelGen.Runtime.Guard.Count(outputs.Count, {outputs.Count}, nameof(outputs));");
            var runArgs = ports.Select(p => $"({DataTypes.CSharpName(p.Value.Type)}[])({(p.IsOutput ? "outputs" : "inputs")}[{(p.IsOutput ? outputs.IndexOf(p) : inputs.IndexOf(p))}])");
            w.Line($"Predict({string.Join(", ", runArgs)});");
            w.Close();

            foreach (var m in _methods)
            {
                w.Line();
                w.Lines(m.TrimEnd('\n'));
            }

            WriteWeights(w);
            w.Close();
            w.Close();
            return w.ToString();
        }

        private void WriteWeights(SourceWriter w)
        {
            w.Line();
            w.Open("private static class Weights");
            if (_options.Weights == WeightStorage.Resource)
            {
                var blob = new MemoryStream();
                w.Line($"private static readonly global::ModelGen.Runtime.WeightBlob Blob = global::ModelGen.Runtime.WeightBlob.FromResource(typeof({_options.ClassName}).Assembly, \"{ResourceName(_options)}\");");
                foreach (var (name, tensor) in _weights)
                {
                    var bytes = WeightEncoder.ToBytes(tensor);
                    long offset = blob.Length;
                    blob.Write(bytes, 0, bytes.Length);
                    blob.Write(new byte[MemoryPlanner.Align(bytes.Length) - bytes.Length], 0, (int)(MemoryPlanner.Align(bytes.Length) - bytes.Length));
                    w.Line($"/// <summary>{DataTypes.OnnxName(tensor.Type)} {Shapes.Format(tensor.Shape)}</summary>");
                    w.Line($"public static global::System.ReadOnlySpan<{DataTypes.CSharpName(tensor.Type)}> {name} => Blob.Get<{DataTypes.CSharpName(tensor.Type)}>({offset}, {tensor.Length});");
                }
                WeightBlob = blob.ToArray();
            }
            else
            {
                foreach (var (name, tensor) in _weights)
                {
                    string type = DataTypes.CSharpName(tensor.Type)!;
                    w.Line($"/// <summary>{DataTypes.OnnxName(tensor.Type)} {Shapes.Format(tensor.Shape)}</summary>");
                    w.Line($"public static global::System.ReadOnlySpan<{type}> {name} => global::System.Runtime.InteropServices.MemoryMarshal.Cast<ulong, {type}>({name}Data).Slice(0, {tensor.Length});");
                    var words = WeightEncoder.ToULongs(WeightEncoder.ToBytes(tensor));
                    if (words.Length == 0)
                    {
                        w.Line($"private static global::System.ReadOnlySpan<ulong> {name}Data => default;");
                        continue;
                    }
                    w.Line($"private static global::System.ReadOnlySpan<ulong> {name}Data => new ulong[]");
                    w.Line("{");
                    for (int i = 0; i < words.Length; i += 8)
                        w.Line("    " + string.Join(", ", words.Skip(i).Take(8).Select(u => "0x" + u.ToString("X16", CultureInfo.InvariantCulture) + "UL")) + ",");
                    w.Line("};");
                }
            }
            w.Close();
        }
    }

    internal sealed class ReferenceEqualityComparer : IEqualityComparer<Tensor>
    {
        public static readonly ReferenceEqualityComparer Instance = new();
        public bool Equals(Tensor? x, Tensor? y) => ReferenceEquals(x, y);
        public int GetHashCode(Tensor obj) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj);
    }
}
