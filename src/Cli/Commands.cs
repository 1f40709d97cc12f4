using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;

namespace ModelGen.Cli;

/// <summary>
/// Command dispatch for `modelgen inspect | verify | emit | profile | evaluate | compress | conformance`. Exit codes: 0 success, 1 the command ran and found a
/// problem (missing file, unsupported model, outputs differ), 2 the command line is wrong (usage on stderr).
/// </summary>
public static class Commands
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int BadUsage = 2;

    private sealed record Command(string Name, string Summary, Func<string> Usage, IReadOnlyList<OptionSpec> Options, Func<Arguments, TextWriter, TextWriter, int> Run);

    private static readonly Command[] All =
    {
        new("inspect", "shapes, operators, parameters, MACs, memory and every diagnostic of a model", () => InspectCommand.Usage, InspectCommand.Options, InspectCommand.Run),
        new("verify", "compile in memory and compare with ONNX Runtime on seeded random inputs, with latencies", () => VerifyCommand.Usage, VerifyCommand.Options, VerifyCommand.Run),
        new("emit", "write the generated C# (and weights) to a folder", () => EmitCommand.Usage, EmitCommand.Options, EmitCommand.Run),
        new("profile", "steady-state time per execution-plan step beside ONNX Runtime's per-node profile", () => ProfileCommand.Usage, ProfileCommand.Options, ProfileCommand.Run),
        new("evaluate", "top-1 accuracy on labelled data (CSV), ModelGen beside ONNX Runtime, and the weight bytes stored", () => EvaluateCommand.Usage, EvaluateCommand.Options, EvaluateCommand.Run),
        new("compress", "compress the weights (int8, int4, binary, prune, low rank, pq) into a new ONNX file", () => CompressCommand.Usage, CompressCommand.Options, CompressCommand.Run),
        new("conformance", "the ONNX backend test suite in both input modes, with a report and an allowlist", () => ConformanceCommand.Usage, ConformanceCommand.Options, ConformanceCommand.Run),
    };

    public static string Version =>
        typeof(Commands).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(Commands).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    public static string Usage =>
        "usage: modelgen <command> MODEL.onnx [options]\n\n" +
        "commands:\n" + string.Join("\n", All.Select(c => "  " + c.Name.PadRight(12) + c.Summary)) + "\n\n" +
        "  modelgen <command> --help   options of a command\n" +
        "  modelgen --version          the version\n\n" +
        "verify passes when every output element satisfies |ours - ort| <= atol + rtol * |ort| (default atol 1e-4, rtol 1e-3).\n" +
        "Exit codes: 0 success, 1 the model or a file has a problem, 2 bad command line.\n";

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0)
        {
            stderr.Write(Usage);
            return BadUsage;
        }
        string first = args[0];
        if (first is "--help" or "-h" or "help" or "-?")
        {
            var topic = args.Length > 1 ? All.FirstOrDefault(c => c.Name == args[1]) : null;
            stdout.Write(topic?.Usage() ?? Usage);
            return Success;
        }
        if (first is "--version" or "version")
        {
            stdout.WriteLine($"modelgen {Version}");
            return Success;
        }
        var command = All.FirstOrDefault(c => c.Name == first);
        if (command is null)
        {
            stderr.WriteLine($"modelgen: unknown command '{first}'");
            stderr.Write(Usage);
            return BadUsage;
        }

        try
        {
            var parsed = Arguments.Parse(args.Skip(1).ToList(), command.Options);
            if (parsed.Has(CommonOptions.Help.Name))
            {
                stdout.Write(command.Usage());
                return Success;
            }
            return command.Run(parsed, stdout, stderr);
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"modelgen {command.Name}: {e.Message}");
            stderr.Write(command.Usage());
            return BadUsage;
        }
        catch (CliException e)
        {
            stderr.WriteLine($"modelgen {command.Name}: error: {e.Message}");
            return Failure;
        }
        catch (Exception e) when (e is not OutOfMemoryException && Environment.GetEnvironmentVariable("MODELGEN_DEBUG") is null)
        {
            // Never a stack trace for the user; MODELGEN_DEBUG=1 lets it through for debugging.
            stderr.WriteLine($"modelgen {command.Name}: internal error {e.GetType().Name}: {e.Message}");
            return Failure;
        }
    }
}
