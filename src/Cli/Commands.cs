using System;
using System.IO;
using ModelGen.Compiler;

namespace ModelGen.Cli;

/// <summary>Command dispatch for `modelgen inspect | verify | emit`.</summary>
public static class Commands
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length >= 2 && args[0] == "emit")
        {
            var bytes = File.ReadAllBytes(args[1]);
            var result = ModelCompiler.Compile(bytes, args[1], ModelOptions.Default(Emit.IdentifierScope.Sanitize(Path.GetFileNameWithoutExtension(args[1]), true, "Model")));
            foreach (var d in result.Diagnostics) stderr.WriteLine(d);
            if (result.Source is not null) stdout.Write(result.Source);
            return result.Success ? 0 : 1;
        }
        stderr.WriteLine("usage: modelgen inspect|verify|emit MODEL.onnx [options]");
        return 2;
    }
}
