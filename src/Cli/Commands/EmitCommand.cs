using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ModelGen.Configuration;
using ModelGen.Compiler;
using ModelGen.Emit;

namespace ModelGen.Cli;

/// <summary>`modelgen emit`: writes the generated class (and its weights blob) to a folder, for projects without the generator.</summary>
public static class EmitCommand
{
    public static readonly OptionSpec Output = new("--output", "-o", "DIR", "folder to write <Class>.g.cs (and <Class>.weights) into; created if missing");
    public static readonly OptionSpec Class = new("--class", null, "Name", "class name (default: from the file name, as the generator)");
    public static readonly OptionSpec Namespace = new("--namespace", null, "Ns", "namespace (default ModelGen.Models)");
    public static readonly OptionSpec Weights = new("--weights", null, "literals|resource",
        "literals (default): weights inside the .g.cs; resource: a .weights file to embed as a manifest resource");

    public static readonly IReadOnlyList<OptionSpec> Options = new[]
    {
        Output, Class, Namespace, CommonOptions.Dims, CommonOptions.Shape, CommonOptions.Bind, Weights, CommonOptions.Help,
    };

    public static string Usage =>
        "usage: modelgen emit MODEL.onnx -o DIR [options]\n\n" +
        "Writes the C# the generator would produce for the model to DIR/<Class>.g.cs; with --weights resource also\n" +
        "DIR/<Class>.weights, to embed with <EmbeddedResource Include=\"...\" LogicalName=\"<Namespace>.<Class>.weights\" />.\n" +
        "The project that compiles the file references ModelGen.Runtime. Diagnostics go to stderr. Exit code 0 when\n" +
        "the files were written, 1 when the model does not compile.\n\n" +
        "options:\n" + Arguments.Describe(Options) + "\n";

    public static int Run(Arguments args, TextWriter stdout, TextWriter stderr)
    {
        string path = args.Single("model file (MODEL.onnx)");
        string dir = args.Value(Output.Name) ?? throw new UsageException("missing -o DIR (the folder to write into)");
        string? className = args.Value(Class.Name);
        if (className is not null && !CommonOptions.IsIdentifier(className))
            throw new UsageException($"--class '{className}' is not a valid C# identifier");
        string ns = args.Value(Namespace.Name) ?? "ModelGen.Models";
        if (!ns.Split('.').All(CommonOptions.IsIdentifier))
            throw new UsageException($"--namespace '{ns}' is not a valid C# namespace");
        var storage = CommonOptions.ParseStorage(args.Value(Weights.Name), allowAuto: false)!.Value;

        var options = CommonOptions.Build(args, path, className ?? ModelFile.ClassNameFor(path), ns, storage);
        var model = ModelFile.Read(path);
        var result = ModelCompiler.Compile(model.Bytes, model.Path, options);
        foreach (var d in result.Diagnostics)
            stderr.WriteLine($"{model.Path}: {CommonOptions.Severity(d)} {d.Id}: {d.Message}");
        if (!result.Success || result.Source is null)
        {
            stderr.WriteLine($"modelgen: {model.Name} does not compile; nothing written");
            return 1;
        }

        string sourcePath = Path.Combine(dir, options.ClassName + ".g.cs");
        string weightsPath = Path.Combine(dir, options.ClassName + ".weights");
        try
        {
            Directory.CreateDirectory(dir);
            File.WriteAllText(sourcePath, result.Source, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            if (storage == WeightStorage.Resource)
                File.WriteAllBytes(weightsPath, result.WeightBlob ?? Array.Empty<byte>());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new CliException($"cannot write to '{dir}': {e.Message}");
        }

        stdout.WriteLine($"wrote {sourcePath} ({CommonOptions.Bytes(new FileInfo(sourcePath).Length)})");
        if (storage == WeightStorage.Resource)
        {
            stdout.WriteLine($"wrote {weightsPath} ({CommonOptions.Bytes(result.WeightBlob?.LongLength ?? 0)})");
            stdout.WriteLine("Embed the weights in the project that compiles the class:");
            stdout.WriteLine($"  <EmbeddedResource Include=\"{weightsPath}\" LogicalName=\"{ModelEmitter.ResourceName(options)}\" />");
        }
        return 0;
    }
}
