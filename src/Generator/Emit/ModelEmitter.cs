using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using ModelGen.Configuration;
using ModelGen.Emit.Kernels;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Emit
{
    /// <summary>
    /// Writes the partial class for one execution plan: the typed API, the arena locals, one statement (or a generated
    /// method) per plan step, and the weights. The only place that writes C#.
    /// </summary>
    public sealed class ModelEmitter
    {
        public const string Version = "0.1.0";
        private const string Runtime = "global::ModelGen.Runtime";
        private const string MemoryMarshal = "global::System.Runtime.InteropServices.MemoryMarshal";

        /// <summary>
        /// On Predict and generated helper methods (and the runtime's kernels): compiled fully optimized at the first
        /// call instead of starting as unoptimized tier-0 code (docs/verification.md, "First calls").
        /// </summary>
        internal const string OptimizeAttribute = "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]";

        private readonly ExecutionPlan _plan;
        private readonly ModelOptions _options;
        private readonly string _modelFile;
        private readonly Dictionary<int, string> _names = new();
        private readonly List<(string Name, Tensor Tensor)> _weights = new();
        private readonly List<string> _methods = new();
        private readonly IdentifierScope _members;
        private readonly IdentifierScope _locals = new("scratch", "global", "i", "j");
        private readonly IdentifierScope _weightScope = new();

        private readonly bool _profile;

        /// <param name="profile">Accumulate each step group's Stopwatch ticks in a static ProfileTicks array (for `modelgen profile`).</param>
        public ModelEmitter(ExecutionPlan plan, ModelOptions options, string modelFile, bool profile = false)
        {
            _plan = plan;
            _profile = profile;
            _options = options;
            _modelFile = modelFile;
            _members = new IdentifierScope(options.ClassName, "Predict", "ArenaBytes", "Inputs", "Outputs", "Run", "Weights", "Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone", "Finalize", "WeightsResourceName", "WeightBlob", "ProfileTicks");
        }

        /// <summary>Bytes of the weights blob (Resource storage only), to embed as WeightsResourceName.</summary>
        public byte[]? WeightBlob { get; private set; }

        /// <summary>SHA-256 (hex) of the blob's payload, compiled into the generated code and checked against the resource.</summary>
        public string? WeightBlobHash { get; private set; }

        /// <summary>The storage the weights writer chose (Auto resolved).</summary>
        public WeightStorage Storage { get; private set; }

        public long WeightBytes => WeightsWriter.DataBytes(_weights);

        public static string ResourceName(ModelOptions options) => $"{options.Namespace}.{options.ClassName}.weights";

        private sealed class ApiPort
        {
            public PlanBuffer Buffer = null!;
            public string OnnxName = "";
            public string Param = "";
            public string Member = "";
            public bool IsOutput;
            /// <summary>For an output with a run-time row count: the <c>out int</c> parameter, the axis, and the count's buffer.</summary>
            public string? CountParam;
            public int CountAxis;
            public int CountBuffer = -1;
        }

        public string Emit(CancellationToken cancellationToken = default)
        {
            // Names first, in graph order, so identifiers are deterministic.
            var ports = new List<ApiPort>();
            foreach (var p in _plan.Inputs)
                ports.Add(new ApiPort { Buffer = _plan.Buffer(p.Buffer), OnnxName = p.OnnxName, Param = _locals.Claim(p.OnnxName, pascal: false, "input"), Member = _members.Claim(p.OnnxName, pascal: true, "Input") });
            foreach (var p in _plan.Outputs)
                ports.Add(new ApiPort { Buffer = _plan.Buffer(p.Buffer), OnnxName = p.OnnxName, Param = _locals.Claim(p.OnnxName, pascal: false, "output"), Member = _members.Claim(p.OnnxName, pascal: true, "Output"), IsOutput = true, CountBuffer = p.Count, CountAxis = p.CountAxis });
            foreach (var p in ports) _names[p.Buffer.Id] = p.Param;
            foreach (var p in ports.Where(p => p.CountBuffer >= 0)) p.CountParam = _locals.Claim(p.Param + " count", pascal: false, "count");
            foreach (var w in _plan.Weights)
            {
                string name = _weightScope.Claim(w.Name, pascal: true, "W");
                _weights.Add((name, w.Tensor));
            }
            foreach (var b in _plan.Buffers.Where(b => b.Kind == BufferKind.Weight && b.AliasOf < 0))
                _names[b.Id] = "Weights." + _weights[b.Weight].Name;

            var body = new SourceWriter();
            var used = new HashSet<int>(_plan.Steps.SelectMany(PlanWalker.Buffers).Select(b => _plan.Root(b).Root.Id));
            var arena = _plan.Buffers.Where(b => b.Kind == BufferKind.Arena && b.AliasOf < 0 && used.Contains(b.Id))
                .OrderBy(b => b.Offset).ThenBy(b => b.Name, StringComparer.Ordinal).ToList();
            foreach (var b in arena)
            {
                string local = _locals.Claim(b.Name, pascal: false, "t");
                _names[b.Id] = local;
                body.Line($"var {local} = {MemoryMarshal}.Cast<byte, {DataTypes.StorageName(b.Type)}>(scratch.Slice({b.Offset}, {b.Bytes}));");
            }
            // Run-time row counts live on the stack for the whole call: the typed API reads them after the last step.
            var locals = _plan.Buffers.Where(b => b.Kind == BufferKind.Local && b.AliasOf < 0).ToList();
            foreach (var b in locals)
            {
                string local = _locals.Claim(b.Name + " slot", pascal: false, "count");
                _names[b.Id] = local;
                body.Line($"global::System.Span<{DataTypes.StorageName(b.Type)}> {local} = stackalloc {DataTypes.StorageName(b.Type)}[{b.Length}];");
            }
            if (arena.Count + locals.Count > 0) body.Line();

            int group = -1;
            const string Stopwatch = "global::System.Diagnostics.Stopwatch";
            if (_profile) body.Line($"long profile_start = {Stopwatch}.GetTimestamp();");
            foreach (var step in _plan.Steps)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (step.Origin.Group != group)
                {
                    if (_profile && group >= 0) WriteProfilePoint(body, group);
                    group = step.Origin.Group;
                    body.Line("// " + step.Origin.Description);
                }
                if (step.Guard is null) WriteStep(body, step);
                else
                {
                    // A step of an If branch whose condition is known only at run time.
                    body.Open($"if ({Condition(step.Guard)})");
                    WriteStep(body, step);
                    body.Close();
                }
            }
            if (_profile && group >= 0) WriteProfilePoint(body, group);
            return WriteClass(ports, body.ToString());
        }

        /// <summary>A guard as a C# condition, outer branches first.</summary>
        private string Condition(StepGuard guard)
        {
            string test = (guard.WhenTrue ? "" : "!") + Expression(guard.Condition) + "[0]";
            return guard.Outer is null ? test : Condition(guard.Outer) + " && " + test;
        }

        private static void WriteProfilePoint(SourceWriter w, int group)
        {
            w.Open("");
            w.Line("long profile_now = global::System.Diagnostics.Stopwatch.GetTimestamp();");
            w.Line($"ProfileTicks[{group}] += profile_now - profile_start;");
            w.Line("profile_start = profile_now;");
            w.Close();
        }

        /// <summary>A span expression for a buffer: a port parameter, an arena local, a weight, or a slice of one.</summary>
        private string Expression(int id)
        {
            if (_names.TryGetValue(id, out var name)) return name;
            var b = _plan.Buffer(id);
            if (b.AliasOf < 0) throw new InvalidOperationException($"buffer '{b.Name}' has no storage");
            var target = _plan.Buffer(b.AliasOf);
            string expr = Expression(b.AliasOf);
            return b.AliasStart == 0 && b.Length == target.Length ? expr : $"{expr}.Slice({b.AliasStart}, {b.Length})";
        }

        private string Expression(BufferArg a)
        {
            string expr = Expression(a.Buffer);
            if (a.IsWhole) return expr;
            int length = a.Length >= 0 ? a.Length : _plan.Buffer(a.Buffer).Length - a.Start;
            return $"{expr}.Slice({a.Start}, {length})";
        }

        private string Expression(Step step, Arg arg) => arg switch
        {
            BufferArg b => Expression(b),
            ElementArg e => $"{Expression(e.Buffer)}[{e.Index}]",
            ScratchArg s => $"{MemoryMarshal}.Cast<byte, {DataTypes.StorageName(s.Type)}>(scratch.Slice({step.ScratchOffset + s.Offset}, {s.Bytes}))",
            IntArg i => CSharpLiterals.Int(i.Value),
            FloatArg f => CSharpLiterals.Float(f.Value),
            BoolArg b => b.Value ? "true" : "false",
            ScalarArg s => Literal(s),
            IntsArg v => "new int[] { " + string.Join(", ", v.Values.Select(x => CSharpLiterals.Int(x))) + " }",
            EnumArg e => $"{Runtime}.{e.Type}.{e.Member}",
            NewArg n => $"new {Runtime}.{n.Type}(" + string.Join(", ", n.Fields.Select(f => $"{f.Name}: {Expression(step, f.Value)}")) + ")",
            DefaultArg => "default",
            _ => throw new InvalidOperationException($"unknown argument {arg.GetType().Name}"),
        };

        private static string TypeName(TypeArg t) => t.RuntimeType is not null ? $"{Runtime}.{t.RuntimeType}" : DataTypes.StorageName(t.Element)!;

        private string Call(KernelCall k, Func<NamedArg, string>? argument = null)
        {
            string generic = k.TypeArguments.Count == 0 ? "" : "<" + string.Join(", ", k.TypeArguments.Select(TypeName)) + ">";
            argument ??= a => Expression(k, a.Value);
            return $"{Runtime}.Kernels.{k.Kernel}{generic}(" + string.Join(", ", k.Arguments.Select(a => $"{a.Name}: {argument(a)}")) + ");";
        }

        private void WriteStep(SourceWriter w, Step step)
        {
            switch (step)
            {
                case KernelCall k:
                    w.Line(Call(k));
                    break;
                case CopyCall c:
                    w.Line($"{Expression(c.Source)}.CopyTo({Expression(c.Destination)});");
                    break;
                case FillCall f:
                    w.Line($"{Expression(f.Destination)}.Fill({Expression(step, f.Value)});");
                    break;
                case SetElement s:
                    w.Line($"{Expression(step, s.Destination)} = {Expression(step, s.Value)};");
                    break;
                case RepeatedCall r:
                {
                    w.Open($"// {r.Count} calls: element offsets of the arguments that move.");
                    var tables = new Dictionary<string, string>(StringComparer.Ordinal);
                    foreach (var o in r.Offsets)
                    {
                        string table = "rep_" + o.Argument;
                        tables[o.Argument] = table;
                        w.Line($"global::System.ReadOnlySpan<int> {table} = new int[] {{ {string.Join(", ", o.Starts.Select(x => CSharpLiterals.Int(x)))} }};");
                    }
                    w.Open($"for (int rep_i = 0; rep_i < {r.Count}; rep_i++)");
                    w.Line(Call(r.Body with { ScratchOffset = step.ScratchOffset }, a => tables.TryGetValue(a.Name, out var t)
                        ? $"{Expression(r, a.Value)}.Slice({t}[rep_i])"
                        : Expression(r, a.Value)));
                    w.Close();
                    w.Close();
                    break;
                }
                case RangeFill r:
                {
                    string type = DataTypes.StorageName(r.Type)!;
                    // Generated identifiers never contain '_', so these locals cannot clash with value names.
                    w.Open("");
                    w.Line($"{type} _value = {Literal(r.Start)}, _step = {Literal(r.Delta)};");
                    w.Line($"for (int i = 0; i < {r.Count}; i++, _value += _step) {Expression(r.Destination)}[i] = _value;");
                    w.Close();
                    break;
                }
                case DepthwiseConvCall d:
                {
                    string args = $"{Expression(d.X)}, {Expression(d.W)}, {(d.Bias is null ? "default" : Expression(d.Bias))}, {Expression(d.Y)}";
                    switch (d.Variant)
                    {
                        case DepthwiseVariant.Flat:
                            w.Line($"{AddMethod("DepthwiseConv", new FlatDepthwiseWriter(d).Write)}({args}, {Expression(step, d.Scratch!)});");
                            break;
                        case DepthwiseVariant.PaddedRows:
                            w.Line($"{AddMethod("DepthwiseConv", new PaddedDepthwiseWriter(d).Write)}({args}, {Expression(step, d.Scratch!)});");
                            break;
                        default:
                            w.Line($"{AddMethod("DepthwiseConv", new DirectDepthwiseWriter(d).Write)}({args});");
                            break;
                    }
                    break;
                }
                case DepthwiseQLinearConvCall q:
                {
                    var d = q.Conv;
                    string args = $"{Expression(d.X)}, {Expression(q.XZeroPoint)}, {Expression(d.W)}, {(q.Bias is null ? "default" : Expression(q.Bias))}, "
                        + $"{Expression(q.Multiplier)}, {Expression(q.YZeroPoint)}, {Expression(d.Y)}, {Expression(step, d.Scratch!)}";
                    Action<SourceWriter, string> write = d.Variant switch
                    {
                        DepthwiseVariant.Flat => new FlatDepthwiseWriter(d, q).Write,
                        DepthwiseVariant.PaddedRows => new PaddedDepthwiseWriter(d, q).Write,
                        _ => new DirectDepthwiseWriter(d, q).Write,
                    };
                    w.Line($"{AddMethod("DepthwiseQLinearConv", write)}({args});");
                    break;
                }
                case NoOp n:
                    w.Line($"// ({n.Reason})");
                    break;
                default:
                    throw new InvalidOperationException($"no writer for plan step {step.GetType().Name}");
            }
        }

        /// <summary>A scalar of any element type as a C# literal.</summary>
        private static string Literal(ScalarArg s)
        {
            long l = s.Bits;
            string I(long v) => v.ToString(CultureInfo.InvariantCulture);
            return s.Type switch
            {
                DataType.Float => CSharpLiterals.Float((float)s.Value),
                DataType.Double => CSharpLiterals.Double(s.Value),
                DataType.Float16 => "(global::System.Half)" + CSharpLiterals.Float((float)s.Value),
                DataType.Bool => s.Value != 0 ? "true" : "false",
                DataType.Int64 => l == long.MinValue ? "long.MinValue" : I(l) + "L",
                DataType.UInt64 => unchecked((ulong)l).ToString(CultureInfo.InvariantCulture) + "UL",
                DataType.Int32 => "(" + I(unchecked((int)l)) + ")",
                DataType.UInt32 => unchecked((uint)l).ToString(CultureInfo.InvariantCulture) + "u",
                DataType.Int16 => "(short)(" + I(unchecked((short)l)) + ")",
                DataType.UInt16 => "(ushort)" + I(unchecked((ushort)l)),
                DataType.Int8 => "(sbyte)(" + I(unchecked((sbyte)l)) + ")",
                DataType.UInt8 => "(byte)" + I(unchecked((byte)l)),
                _ when DataTypes.IsBitsOnly(s.Type) => $"({DataTypes.StorageName(s.Type)})({I(DataTypes.StorageBits(new Tensor(s.Type, Array.Empty<int>(), floats: DataTypes.IsBitsOnlyFloat(s.Type) ? new[] { (float)s.Value } : null, longs: DataTypes.IsBitsOnlyFloat(s.Type) ? null : new[] { l }))[0])})",
                _ => throw new InvalidOperationException($"no literal for element type {DataTypes.OnnxName(s.Type)}"),
            };
        }

        private string AddMethod(string nameHint, Action<SourceWriter, string> write)
        {
            string name = _members.Claim(nameHint, pascal: true, "Kernel");
            var w = new SourceWriter();
            write(w, name);
            _methods.Add(w.ToString());
            return name;
        }

        private string WriteClass(List<ApiPort> ports, string body)
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
                w.Line($"/// {(p.IsOutput ? "Output" : "Input")} <c>{p.Param}</c> (ONNX '{CSharpLiterals.Xml(p.OnnxName)}'): {DataTypes.OnnxName(p.Buffer.Type)} {Shapes.Format(p.Buffer.Shape.ToArray())}"
                    + (p.CountParam is null ? ".<br/>" : $", a capacity: the length along axis {p.CountAxis} is known only at run time (<c>{p.CountParam}</c>).<br/>"));
            w.Line($"/// Scratch memory: {_plan.ArenaBytes} bytes, planned at build time ({_plan.UnplannedBytes} without buffer reuse).");
            w.Line("/// </remarks>");
            w.Line($"[global::System.CodeDom.Compiler.GeneratedCode(\"ModelGen\", \"{Version}\")]");
            w.Open($"public partial class {_options.ClassName} : global::ModelGen.Runtime.IOnnxModel");

            // Shapes and lengths.
            foreach (var p in ports)
            {
                string kind = p.IsOutput ? "output" : "input";
                w.Line($"/// <summary>Shape of {kind} <c>{p.Param}</c> (ONNX '{CSharpLiterals.Xml(p.OnnxName)}'): {Shapes.Format(p.Buffer.Shape.ToArray())}{(p.CountParam is null ? "" : $", its capacity (axis {p.CountAxis} has a run-time length)")}.</summary>");
                w.Line($"public static global::System.ReadOnlySpan<int> {p.Member}Shape => new int[] {{ {string.Join(", ", p.Buffer.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture)))} }};");
                w.Line($"/// <summary>Element count of {kind} <c>{p.Param}</c> (ONNX '{CSharpLiterals.Xml(p.OnnxName)}').</summary>");
                w.Line($"public const int {p.Member}Length = {p.Buffer.Length};");
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
            w.Line($"public const int ArenaBytes = {_plan.ArenaBytes};");
            w.Line();
            if (_profile)
            {
                w.Line("/// <summary>Stopwatch ticks spent in each plan step group since the last reset (profiling build only).</summary>");
                w.Line($"public static readonly long[] ProfileTicks = new long[{_plan.GroupCount}];");
            }
            w.Line("private readonly byte[] _arena = new byte[ArenaBytes];");
            w.Line();

            string Param(ApiPort p) => $"{(p.IsOutput ? "global::System.Span" : "global::System.ReadOnlySpan")}<{DataTypes.StorageName(p.Buffer.Type)}> {p.Param}"
                + (p.CountParam is null ? "" : $", out int {p.CountParam}");
            string paramList = string.Join(", ", ports.Select(Param));
            string argList = string.Join(", ", ports.Select(p => p.CountParam is null ? p.Param : $"{p.Param}, out {p.CountParam}"));
            string docs = string.Join("\n", ports.Select(p => $"/// <param name=\"{p.Param}\">{(p.IsOutput ? "Output" : "Input")} '{CSharpLiterals.Xml(p.OnnxName)}', {p.Member}Length elements, shape {Shapes.Format(p.Buffer.Shape.ToArray())}{BitsNote(p.Buffer.Type)}"
                + (p.CountParam is null ? ".</param>" : $", a capacity: its length along axis {p.CountAxis} is known only at run time.</param>\n/// <param name=\"{p.CountParam}\">The run-time length of <c>{p.Param}</c> along axis {p.CountAxis}: the valid data is the tensor of that shape stored densely from element 0 ({CountValidNote(p)} elements); the rest is zeros.</param>")));
            static string BitsNote(DataType t) => !DataTypes.IsBitsOnly(t) ? ""
                : DataTypes.IsBitsOnlyFloat(t) ? $", {DataTypes.OnnxName(t)} as raw bits ({DataTypes.StorageName(t)} per element)"
                : $", {DataTypes.OnnxName(t)} unpacked, one value per {DataTypes.StorageName(t)}";

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
            foreach (var p in ports.Where(p => p.CountParam is not null))
                w.Line($"{p.CountParam} = {_names[p.CountBuffer]}[0];");
            w.Close();

            if (inputs.Count == 1 && outputs.Count == 1)
            {
                var i = inputs[0]; var o = outputs[0];
                string ti = DataTypes.StorageName(i.Buffer.Type)!, to = DataTypes.StorageName(o.Buffer.Type)!;
                w.Line();
                w.Line("/// <summary>Convenience overload that allocates and returns the output array.</summary>");
                if (o.CountParam is null)
                {
                    w.Open($"public {to}[] Predict({ti}[] {i.Param})");
                    w.Line($"var {o.Param} = new {to}[{o.Member}Length];");
                    w.Line($"Predict({i.Param}, {o.Param});");
                    w.Line($"return {o.Param};");
                }
                else
                {
                    w.Line($"/// <remarks>Returns only the valid data: {CountValidNote(o)} elements for the run-time length along axis {o.CountAxis}.</remarks>");
                    w.Open($"public {to}[] Predict({ti}[] {i.Param})");
                    w.Line($"var {o.Param} = new {to}[{o.Member}Length];");
                    w.Line($"Predict({i.Param}, {o.Param}, out int {o.CountParam});");
                    w.Line($"return global::System.MemoryExtensions.AsSpan({o.Param}, 0, {o.CountParam} * {RowElements(o)}).ToArray();");
                }
                w.Close();
            }

            // Untyped entry point for tools (CLI verify, tests): boxes nothing per element, allocates nothing per call.
            w.Line();
            w.Line("private static readonly global::ModelGen.Runtime.TensorInfo[] s_inputs =");
            w.Line("{");
            foreach (var p in inputs) w.Line($"    new(\"{p.Param}\", {CSharpLiterals.String(p.OnnxName)}, typeof({DataTypes.StorageName(p.Buffer.Type)}), new int[] {{ {string.Join(", ", p.Buffer.Shape)} }}),");
            w.Line("};");
            w.Line("private static readonly global::ModelGen.Runtime.TensorInfo[] s_outputs =");
            w.Line("{");
            foreach (var p in outputs) w.Line($"    new(\"{p.Param}\", {CSharpLiterals.String(p.OnnxName)}, typeof({DataTypes.StorageName(p.Buffer.Type)}), new int[] {{ {string.Join(", ", p.Buffer.Shape)} }}){(p.CountParam is null ? "" : $" {{ DynamicAxis = {p.CountAxis} }}")},");
            w.Line("};");
            w.Line("global::System.Collections.Generic.IReadOnlyList<global::ModelGen.Runtime.TensorInfo> global::ModelGen.Runtime.IOnnxModel.Inputs => s_inputs;");
            w.Line("global::System.Collections.Generic.IReadOnlyList<global::ModelGen.Runtime.TensorInfo> global::ModelGen.Runtime.IOnnxModel.Outputs => s_outputs;");
            w.Line("int global::ModelGen.Runtime.IOnnxModel.ArenaBytes => ArenaBytes;");
            w.Line(OptimizeAttribute);
            w.Open("void global::ModelGen.Runtime.IOnnxModel.Run(global::System.Collections.Generic.IReadOnlyList<global::System.Array> inputs, global::System.Collections.Generic.IReadOnlyList<global::System.Array> outputs)");
            w.Line($"global::ModelGen.Runtime.Guard.Count(inputs.Count, {inputs.Count}, nameof(inputs));");
            w.Line($"global::ModelGen.Runtime.Guard.Count(outputs.Count, {outputs.Count}, nameof(outputs));");
            var runArgs = ports.Select(p => $"({DataTypes.StorageName(p.Buffer.Type)}[])({(p.IsOutput ? "outputs" : "inputs")}[{(p.IsOutput ? outputs.IndexOf(p) : inputs.IndexOf(p))}])"
                + (p.CountParam is null ? "" : $", out counts[{outputs.IndexOf(p)}]"));
            if (outputs.Any(p => p.CountParam is not null))
            {
                w.Line("global::System.Span<int> counts = stackalloc int[s_outputs.Length];");
                w.Line("((global::ModelGen.Runtime.IOnnxModel)this).Run(inputs, outputs, counts);");
                w.Close();
                w.Line(OptimizeAttribute);
                w.Open("void global::ModelGen.Runtime.IOnnxModel.Run(global::System.Collections.Generic.IReadOnlyList<global::System.Array> inputs, global::System.Collections.Generic.IReadOnlyList<global::System.Array> outputs, global::System.Span<int> counts)");
                w.Line($"global::ModelGen.Runtime.Guard.Count(inputs.Count, {inputs.Count}, nameof(inputs));");
                w.Line($"global::ModelGen.Runtime.Guard.Count(outputs.Count, {outputs.Count}, nameof(outputs));");
                w.Line($"global::ModelGen.Runtime.Guard.Count(counts.Length, {outputs.Count}, nameof(counts));");
                w.Line("counts.Fill(-1);");
            }
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

        /// <summary>Elements per unit of the run-time axis: the valid data of an output with count c is c times this.</summary>
        private static int RowElements(ApiPort p)
        {
            int n = 1;
            for (int d = 0; d < p.Buffer.Shape.Count; d++) if (d != p.CountAxis) n *= p.Buffer.Shape[d];
            return n;
        }

        private static string CountValidNote(ApiPort p) => $"count × {RowElements(p)}";

        private void WriteWeights(SourceWriter w)
        {
            var weights = WeightsWriter.Write(w, _weights, _options, ResourceName(_options));
            WeightBlob = weights.Blob;
            WeightBlobHash = weights.Hash;
            Storage = weights.Storage;
        }
    }
}
