using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ModelGen.Configuration;
using ModelGen.Compiler;
using ModelGen.Diagnostics;
using ModelGen.Ir;
using ModelGen.Onnx.Proto;
using ModelGen.Ops;
using ModelGen.Passes;

namespace ModelGen.Cli;

/// <summary>`modelgen inspect`: what a model is, what it costs, and every diagnostic the generator would raise.</summary>
public static class InspectCommand
{
    public static readonly OptionSpec Weights = new("--weights", null, "literals|resource", "weight storage to compile with (default literals, as the generator)");

    public static readonly OptionSpec PlanOption = new("--plan", null, null, "lists every step of the execution plan (text output; JSON always has it)");

    public static readonly IReadOnlyList<OptionSpec> Options = new[] { CommonOptions.Dims, CommonOptions.Shape, CommonOptions.Bind, Weights, PlanOption, CommonOptions.Json, CommonOptions.Help };

    public static string Usage =>
        "usage: modelgen inspect MODEL.onnx [options]\n\n" +
        "Prints the model's IR version, opsets and producer; its inputs and outputs (ONNX and C# names, element types,\n" +
        "shapes); the operator histogram before and after folding and passes; parameters, MACs, planned arena bytes and\n" +
        "embedded weight bytes; the execution plan (step groups, what was fused, which kernel runs each step); and every\n" +
        "diagnostic the generator would raise. Works on models ModelGen cannot compile\n" +
        "yet: it lists every unsupported node and computes what the parsed graph allows.\n" +
        "Exit code 0 when the model compiles, 1 when the generator would report errors.\n\n" +
        "options:\n" + Arguments.Describe(Options) + "\n";

    public static int Run(Arguments args, TextWriter stdout, TextWriter stderr)
    {
        string path = args.Single("model file (MODEL.onnx)");
        var storage = CommonOptions.ParseStorage(args.Value(Weights.Name), allowAuto: false)!.Value;
        var options = CommonOptions.Build(args, path, ModelFile.ClassNameFor(path), "ModelGen.Models", storage);
        var model = ModelFile.Read(path);
        var report = ModelReport.Create(model, options);
        stdout.Write(args.Has(CommonOptions.Json.Name) ? report.ToJson() : report.ToText(args.Has(PlanOption.Name)));
        return report.Supported ? 0 : 1;
    }
}

/// <summary>Everything `inspect` reports about one model.</summary>
public sealed class ModelReport
{
    public sealed record Port(string OnnxName, string CSharpName, string Member, string ElementType, int[]? Shape, string[]? DeclaredShape)
    {
        public string ShapeText => Shape is not null ? Shapes.Format(Shape) : ModelFile.FormatDeclared(DeclaredShape);
    }

    public string Model { get; private init; } = "";
    public string ClassName { get; private init; } = "";
    public long? IrVersion { get; private init; }
    public List<(string Domain, long Version)> Opsets { get; } = new();
    public string Producer { get; private init; } = "";
    public string ProducerVersion { get; private init; } = "";
    public string GraphName { get; private init; } = "";
    public bool Supported { get; private init; }
    public List<Port> Inputs { get; } = new();
    public List<Port> Outputs { get; } = new();
    /// <summary>Op type → count in the file, and in the graph after folding and passes (null when not imported).</summary>
    public SortedDictionary<string, int> OpsBefore { get; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, int>? OpsAfter { get; private set; }
    /// <summary>True when the "after" graph is only folded as far as supported, shape-known nodes allow.</summary>
    public bool AfterIsPartial { get; private set; }
    public SortedDictionary<string, int> Unsupported { get; } = new(StringComparer.Ordinal);
    public long Parameters { get; private init; }
    public long InitializerBytes { get; private init; }
    public long Macs { get; private set; }
    /// <summary>Nodes whose MACs could not be computed (no shapes, or unsupported).</summary>
    public int NodesWithoutMacs { get; private set; }
    public long? ArenaBytes { get; private init; }

    /// <summary>The execution plan's step groups: what each computes and the kernels it runs (when the model compiles).</summary>
    public List<(string Description, IReadOnlyList<string> OpTypes, IReadOnlyList<string> Kernels)> Plan { get; } = new();
    public long? UnplannedBytes { get; private init; }
    public long? WeightBytes { get; private init; }
    public WeightStorage Storage { get; private init; }
    public List<ModelDiagnostic> Diagnostics { get; } = new();

    public static ModelReport Create(ModelFile model, ModelOptions options, OpRegistry? registry = null)
    {
        registry ??= OpRegistry.Default;
        var proto = model.Proto;
        CompileResult? result = null;
        if (proto is not null)
        {
            // Inspect never looks at the source: for large models, compile with resource storage so no one builds
            // hundreds of megabytes of literal text, and add the one diagnostic literals would have raised.
            bool shortcut = options.Weights == WeightStorage.Literals && model.InitializerBytes > ModelCompiler.LargeWeightBytes;
            result = ModelCompiler.Compile(model.Bytes, model.Path, shortcut ? options with { Weights = WeightStorage.Resource } : options, registry);
            if (shortcut && result.Source is not null && result.WeightBytes > ModelCompiler.LargeWeightBytes)
                result.Diagnostics.Add(ModelDiagnostic.Create(DiagnosticDescriptors.LargeWeights, model.Path, model.Name, result.WeightBytes));
        }
        var report = new ModelReport
        {
            Model = model.Path,
            ClassName = options.ClassName,
            IrVersion = proto?.IrVersion,
            Producer = proto?.ProducerName ?? "",
            ProducerVersion = proto?.ProducerVersion ?? "",
            GraphName = proto?.Graph.Name ?? "",
            Supported = result?.Success ?? false,
            Parameters = model.ParameterCount,
            InitializerBytes = model.InitializerBytes,
            ArenaBytes = result?.Plan?.ArenaBytes,
            UnplannedBytes = result?.Plan?.UnplannedBytes,
            WeightBytes = result?.Source is not null ? result.WeightBytes : null,
            Storage = options.Weights,
        };
        report.Diagnostics.AddRange(result?.Diagnostics ?? model.ParseDiagnostics);
        if (result?.Plan is { } plan)
            foreach (var group in plan.Steps.GroupBy(s => s.Origin.Group))
                report.Plan.Add((group.First().Origin.Description, group.First().Origin.OpTypes.ToList(), group.Select(StepKernel).ToList()));
        if (proto is null) return report;

        foreach (var opset in proto.OpsetImport.OrderBy(o => o.Domain, StringComparer.Ordinal))
            report.Opsets.Add((opset.Domain.Length == 0 ? "ai.onnx" : opset.Domain, opset.Version));
        foreach (var node in proto.Graph.Node)
        {
            string domain = node.Domain is "" or "ai.onnx" ? "" : node.Domain;
            string key = OpKey(domain, node.OpType);
            report.OpsBefore[key] = report.OpsBefore.TryGetValue(key, out int c) ? c + 1 : 1;
            if (registry.Find(domain, node.OpType) is null)
                report.Unsupported[key] = report.Unsupported.TryGetValue(key, out int u) ? u + 1 : 1;
        }

        var graph = result!.Graph;
        if (graph is not null && result.Plan is null && (report.Unsupported.Count > 0 || graph.Nodes.All(n => n.Outputs.All(o => o.Shape is null))))
        {
            // Compilation stopped before shape inference: infer and fold what the supported nodes allow.
            InferWhatWeCan(graph, registry, proto);
            report.AfterIsPartial = true;
        }
        if (graph is not null)
        {
            report.OpsAfter = new SortedDictionary<string, int>(StringComparer.Ordinal);
            foreach (var node in graph.Nodes)
            {
                string key = OpKey(node.Domain, node.OpType);
                report.OpsAfter[key] = report.OpsAfter.TryGetValue(key, out int c) ? c + 1 : 1;
                long? macs = MacsOf(node, registry);
                if (macs is long m) report.Macs += m;
                else report.NodesWithoutMacs++;
            }
        }

        var inputs = model.Inputs;
        var outputs = model.Outputs;
        var names = ModelFile.PortNames(inputs.Select(i => i.Name), outputs.Select(o => o.Name), options.ClassName);
        int k = 0;
        foreach (var info in inputs)
            report.Inputs.Add(MakePort(info, names[k++], graph));
        foreach (var info in outputs)
            report.Outputs.Add(MakePort(info, names[k++], graph));
        return report;
    }

    private static string OpKey(string domain, string opType) => domain.Length == 0 ? opType : domain + ":" + opType;

    private static Port MakePort(ValueInfoProto info, (string Param, string Member) name, Graph? graph)
    {
        Value? value = null;
        graph?.Values.TryGetValue(info.Name, out value);
        string type = value is not null && value.Type != DataType.Undefined ? DataTypes.OnnxName(value.Type) : ModelFile.TypeName(info);
        return new Port(info.Name, name.Param, name.Member, type, value?.Shape, ModelFile.DeclaredShape(info));
    }

    private static long? MacsOf(Node node, OpRegistry registry)
    {
        var def = registry.Find(node);
        if (def is null) return null;
        if (node.Outputs.Any(o => o.Shape is null) || node.Inputs.Any(i => i is not null && i.Shape is null)) return null;
        try
        {
            return def.Macs(node);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    /// <summary>
    /// Shape inference and folding over the nodes that allow it, for a graph the compiler stopped on (unsupported
    /// nodes). An unsupported node's outputs take the shapes the file declares in value_info, when they are concrete,
    /// so the nodes after it can be inferred too. Failures leave shapes unknown; the diagnostics already say why.
    /// </summary>
    private static void InferWhatWeCan(Graph graph, OpRegistry registry, ModelProto proto)
    {
        var declared = new Dictionary<string, ValueInfoProto>(StringComparer.Ordinal);
        foreach (var info in proto.Graph.ValueInfo.Concat(proto.Graph.Output))
            if (!declared.ContainsKey(info.Name)) declared[info.Name] = info;

        void UseDeclared(Node node)
        {
            foreach (var o in node.Outputs)
            {
                if (o.Shape is not null || !declared.TryGetValue(o.Name, out var info)) continue;
                var tt = info.Type?.TensorType;
                if (tt?.Shape is null || tt.Shape.Dim.Any(d => d.ValueCase != TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue || d.DimValue < 0)) continue;
                o.Type = (DataType)tt.ElemType;
                o.Shape = tt.Shape.Dim.Select(d => (int)d.DimValue).ToArray();
            }
        }

        var folded = new HashSet<Node>();
        foreach (var node in graph.Nodes)
        {
            var def = registry.Find(node);
            if (def is null || node.Inputs.Any(i => i is not null && i.Shape is null && i.Constant is null))
            {
                UseDeclared(node);
                continue;
            }
            try
            {
                def.InferShapes(node);
                if (node.Outputs.All(o => o.Shape is not null) && node.Inputs.All(i => i is null || i.Constant is not null) && def.TryFold(node))
                    folded.Add(node);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                foreach (var o in node.Outputs) o.Shape = null;
                UseDeclared(node);
            }
        }
        graph.Nodes.RemoveAll(folded.Contains);
        graph.Relink();
        DeadCodeElimination.Run(graph);
    }

    public string ToText(bool showPlan = false)
    {
        var w = new StringWriter { NewLine = "\n" };
        w.WriteLine($"Model        {Model} (class {ClassName})");
        if (IrVersion is null)
        {
            WriteDiagnostics(w);
            return w.ToString();
        }
        w.WriteLine($"IR version   {IrVersion}");
        w.WriteLine($"Opsets       {string.Join(", ", Opsets.Select(o => $"{o.Domain} {o.Version}"))}");
        w.WriteLine($"Producer     {(Producer.Length == 0 ? "(none)" : (Producer + " " + ProducerVersion).Trim())}{(GraphName.Length > 0 ? $", graph '{GraphName}'" : "")}");
        w.WriteLine($"Supported    {(Supported ? "yes" : "no")}");
        w.WriteLine();

        var rows = new List<string[]> { new[] { "", "ONNX name", "C# name", "type", "shape" } };
        foreach (var p in Inputs) rows.Add(new[] { "input", p.OnnxName, p.CSharpName, p.ElementType, p.ShapeText });
        foreach (var p in Outputs) rows.Add(new[] { "output", p.OnnxName, p.CSharpName, p.ElementType, p.ShapeText });
        WriteTable(w, rows);
        w.WriteLine();

        string afterHeader = OpsAfter is null ? "" : AfterIsPartial ? "after folding (partial)" : "after folding and passes";
        var ops = new List<string[]> { new[] { "operator", "in file", afterHeader } };
        foreach (var op in OpsBefore.Keys.Union(OpsAfter?.Keys ?? Enumerable.Empty<string>()).OrderBy(k => k, StringComparer.Ordinal))
        {
            string before = OpsBefore.TryGetValue(op, out int b) ? b.ToString(System.Globalization.CultureInfo.InvariantCulture) : "0";
            string after = OpsAfter is null ? "" : OpsAfter.TryGetValue(op, out int a) ? a.ToString(System.Globalization.CultureInfo.InvariantCulture) : "0";
            ops.Add(new[] { op + (Unsupported.ContainsKey(op) ? " (unsupported)" : ""), before, after });
        }
        ops.Add(new[] { "total", OpsBefore.Values.Sum().ToString(System.Globalization.CultureInfo.InvariantCulture), OpsAfter is null ? "" : OpsAfter.Values.Sum().ToString(System.Globalization.CultureInfo.InvariantCulture) });
        WriteTable(w, ops, rightAlignFrom: 1);
        if (Unsupported.Count > 0)
            w.WriteLine($"Unsupported  {Unsupported.Values.Sum()} nodes: {string.Join(", ", Unsupported.Select(u => $"{u.Key} x{u.Value}"))}");
        w.WriteLine();

        w.WriteLine($"Parameters   {CommonOptions.Count(Parameters)} (initializers: {CommonOptions.Bytes(InitializerBytes)})");
        string macs = CommonOptions.Count(Macs);
        if (OpsAfter is null) macs = "unknown (the graph was not imported)";
        else if (NodesWithoutMacs > 0) macs += $" (lower bound: {NodesWithoutMacs} of {OpsAfter.Values.Sum()} nodes are unsupported or have no shapes)";
        w.WriteLine($"MACs         {macs}");
        w.WriteLine(ArenaBytes is long arena
            ? $"Arena        {CommonOptions.Bytes(arena)} planned ({CommonOptions.Bytes(UnplannedBytes ?? 0)} without buffer reuse)"
            : "Arena        unknown (planned only when the model compiles)");
        w.WriteLine(WeightBytes is long weights
            ? $"Weights      {CommonOptions.Bytes(weights)} embedded ({(Storage == WeightStorage.Literals ? "literals" : "resource")})"
            : "Weights      unknown (computed only when the model compiles)");
        if (Plan.Count > 0)
        {
            var fused = Plan.Where(p => p.OpTypes.Count > 1).GroupBy(p => string.Join(" + ", p.OpTypes)).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal);
            w.WriteLine($"Plan         {Plan.Count} step groups, {Plan.Sum(p => p.Kernels.Count)} steps; fused: " +
                (fused.Any() ? string.Join(", ", fused.Select(g => $"{g.Key} x{g.Count()}")) : "none"));
            if (showPlan)
                foreach (var (description, _, kernels) in Plan)
                    w.WriteLine($"  {description}\n      {string.Join("; ", kernels)}");
        }
        w.WriteLine();
        WriteDiagnostics(w);
        return w.ToString();
    }

    /// <summary>What runs a step: a runtime kernel, a generated method, or a span operation.</summary>
    private static string StepKernel(ModelGen.Plan.Step step) => step switch
    {
        ModelGen.Plan.KernelCall k => "Kernels." + k.Kernel,
        ModelGen.Plan.RepeatedCall r => $"Kernels.{r.Body.Kernel} x{r.Count}",
        ModelGen.Plan.DepthwiseConvCall d => d.Variant switch
        {
            ModelGen.Plan.DepthwiseVariant.Flat => "generated depthwise (flat)",
            ModelGen.Plan.DepthwiseVariant.PaddedRows => "generated depthwise (padded rows)",
            _ => "generated depthwise (direct)",
        },
        ModelGen.Plan.CopyCall => "copy",
        ModelGen.Plan.FillCall => "fill",
        ModelGen.Plan.SetElement => "set element",
        ModelGen.Plan.RangeFill => "range loop",
        ModelGen.Plan.NoOp => "view (no code)",
        _ => step.GetType().Name,
    };

    private void WriteDiagnostics(StringWriter w)
    {
        w.WriteLine(Diagnostics.Count == 0 ? "Diagnostics  none" : $"Diagnostics  {Diagnostics.Count}");
        foreach (var d in Diagnostics)
            w.WriteLine($"  {CommonOptions.Severity(d)} {d.Id}: {d.Message}");
    }

    private static void WriteTable(StringWriter w, List<string[]> rows, int rightAlignFrom = int.MaxValue)
    {
        int columns = rows.Max(r => r.Length);
        var widths = Enumerable.Range(0, columns).Select(c => rows.Max(r => c < r.Length ? r[c].Length : 0)).ToArray();
        foreach (var row in rows)
        {
            var cells = row.Select((cell, c) => c >= rightAlignFrom ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]));
            w.WriteLine(("  " + string.Join("  ", cells)).TrimEnd());
        }
    }

    public string ToJson() => JsonOut.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("model", Model);
        w.WriteString("className", ClassName);
        JsonOut.Number(w, "irVersion", IrVersion);
        w.WriteStartObject("opsets");
        foreach (var (domain, version) in Opsets) w.WriteNumber(domain, version);
        w.WriteEndObject();
        w.WriteString("producer", Producer);
        w.WriteString("producerVersion", ProducerVersion);
        w.WriteBoolean("supported", Supported);
        foreach (var (name, ports) in new[] { ("inputs", Inputs), ("outputs", Outputs) })
        {
            w.WriteStartArray(name);
            foreach (var p in ports)
            {
                w.WriteStartObject();
                w.WriteString("onnxName", p.OnnxName);
                w.WriteString("csharpName", p.CSharpName);
                w.WriteString("member", p.Member);
                w.WriteString("elementType", p.ElementType);
                if (p.Shape is null) w.WriteNull("shape");
                else
                {
                    w.WriteStartArray("shape");
                    foreach (var d in p.Shape) w.WriteNumberValue(d);
                    w.WriteEndArray();
                }
                if (p.DeclaredShape is null) w.WriteNull("declaredShape");
                else
                {
                    w.WriteStartArray("declaredShape");
                    foreach (var d in p.DeclaredShape) w.WriteStringValue(d);
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteStartObject("operators");
        w.WriteStartObject("inFile");
        foreach (var kv in OpsBefore) w.WriteNumber(kv.Key, kv.Value);
        w.WriteEndObject();
        if (OpsAfter is null) w.WriteNull("afterFolding");
        else
        {
            w.WriteStartObject("afterFolding");
            foreach (var kv in OpsAfter) w.WriteNumber(kv.Key, kv.Value);
            w.WriteEndObject();
        }
        w.WriteBoolean("afterIsPartial", AfterIsPartial);
        w.WriteStartObject("unsupported");
        foreach (var kv in Unsupported) w.WriteNumber(kv.Key, kv.Value);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteNumber("parameters", Parameters);
        w.WriteNumber("initializerBytes", InitializerBytes);
        if (OpsAfter is null) w.WriteNull("macs"); else w.WriteNumber("macs", Macs);
        w.WriteNumber("nodesWithoutMacs", NodesWithoutMacs);
        JsonOut.Number(w, "arenaBytes", ArenaBytes);
        JsonOut.Number(w, "unplannedBytes", UnplannedBytes);
        JsonOut.Number(w, "weightBytes", WeightBytes);
        w.WriteStartArray("plan");
        foreach (var (description, opTypes, kernels) in Plan)
        {
            w.WriteStartObject();
            w.WriteString("description", description);
            w.WriteStartArray("opTypes");
            foreach (var o in opTypes) w.WriteStringValue(o);
            w.WriteEndArray();
            w.WriteStartArray("kernels");
            foreach (var k in kernels) w.WriteStringValue(k);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteString("weightStorage", Storage == WeightStorage.Literals ? "literals" : "resource");
        JsonOut.Diagnostics(w, Diagnostics);
        w.WriteEndObject();
    }) + "\n";
}
