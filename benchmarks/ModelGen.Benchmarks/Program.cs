using System;
using System.Linq;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

namespace ModelGen.Benchmarks;

public static class Program
{
    /// <summary>True when the command line names a job (--job/-j): ModelSetConfig then adds none of its own.</summary>
    public static bool JobOnCommandLine { get; private set; }

    public static void Main(string[] args)
    {
        JobOnCommandLine = args.Any(a => a is "--job" or "-j" || a.StartsWith("--job=", StringComparison.Ordinal));
        if (ModelSet.Names().Count == 0)
            Console.WriteLine($"// ModelSetBenchmarks: no models in {ModelSet.Folder} (run /usr/bin/python3 tools/make_model_set.py, or set {ModelSet.FolderVariable}); only the other benchmarks run.");
        // BenchmarkDotNet builds a runner project that rebuilds the generator, the CLI and Roslyn references: on a busy
        // 2-core machine that can take longer than its default 2-minute limit.
        var config = ManualConfig.Create(DefaultConfig.Instance).WithBuildTimeout(TimeSpan.FromMinutes(10));
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
    }
}
