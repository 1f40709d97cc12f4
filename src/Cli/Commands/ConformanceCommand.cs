using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using ModelGen.Cli.Conformance;

namespace ModelGen.Cli;

/// <summary>`modelgen conformance`: the ONNX backend test suite, both modes, written as docs/conformance.md and an allowlist.</summary>
public static class ConformanceCommand
{
    public static readonly OptionSpec Report = new("--report", null, "FILE", "writes the Markdown report (per suite, per operator, every case that does not pass)");
    public static readonly OptionSpec Allowlist = new("--allowlist", null, "FILE", "writes the passing cases, one 'suite/case mode' per line");
    public static readonly OptionSpec Filter = new("--filter", null, "TEXT", "only cases whose 'suite/name' contains TEXT");
    public static readonly OptionSpec Jobs = new("--jobs", "-j", "N", "cases compiled in parallel (default: the processor count)");
    public static readonly OptionSpec Onnx = new("--onnx-version", null, "V", "the ONNX release the data comes from, for the report (default 1.22.0)");

    public static readonly IReadOnlyList<OptionSpec> Options = new[] { Report, Allowlist, Filter, Jobs, Onnx, CommonOptions.Help };

    public static string Usage =>
        "usage: modelgen conformance [DIR] [options]\n\n" +
        "Runs every case of the ONNX backend test data in DIR (onnx/backend/test/data of an ONNX release: node/,\n" +
        "pytorch-converted/, pytorch-operator/, simple/, light/; default: shared/onnx-backend-tests found from the current\n" +
        "directory upwards) twice: with every input given at run time, and with every input but the first baked into the\n" +
        "model. Prints the totals; --report and --allowlist write the results. Exit code 0 unless a case ends in an error\n" +
        "(an exception, or generated code that does not compile).\n\n" +
        "options:\n" + Arguments.Describe(Options) + "\n";

    public static int Run(Arguments args, TextWriter stdout, TextWriter stderr)
    {
        string root = args.Positionals.Count > 0 ? args.Single("backend test folder") : BackendSuite.FindRoot()
            ?? throw new CliException("no ONNX backend test data found (give its folder, or set MODELGEN_ONNX_BACKEND_TESTS_ROOT)");
        if (!Directory.Exists(root)) throw new CliException($"{root}: no such folder");
        string filter = args.Value(Filter.Name) ?? "";
        int jobs = args.Int(Jobs.Name, Environment.ProcessorCount, min: 1);
        var ids = BackendSuite.CaseIds(root).Where(id => id.Contains(filter, StringComparison.Ordinal)).ToList();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var (cases, outcomes) = RunAll(root, ids, jobs, done => { if (done % 200 == 0) stderr.WriteLine($"{done} of {ids.Count * 2} runs ({watch.Elapsed.TotalSeconds:F0} s)"); });
        var report = new ConformanceReport(cases, outcomes, watch.Elapsed.TotalSeconds, jobs);

        foreach (var mode in new[] { ConformanceMode.Runtime, ConformanceMode.Baked })
        {
            var mine = outcomes.Where(o => o.Mode == mode).ToList();
            stdout.WriteLine($"{ConformanceReport.ModeName(mode),-8} {mine.Count(o => o.Status == CaseStatus.Passed)} passed, {mine.Count(o => o.Status == CaseStatus.Failed)} failed, " +
                $"{mine.Count(o => o.Status == CaseStatus.Unsupported)} unsupported, {mine.Count(o => o.Status == CaseStatus.Error)} errors of {mine.Count} cases");
        }
        stdout.WriteLine($"both modes: {cases.Count(c => report.Passed(c.Id, ConformanceMode.Runtime) && report.Passed(c.Id, ConformanceMode.Baked))} of {cases.Count} cases; {watch.Elapsed.TotalMinutes:F1} min");
        foreach (var e in outcomes.Where(o => o.Status == CaseStatus.Error).Take(20))
            stdout.WriteLine($"error: {e.Id} ({ConformanceReport.ModeName(e.Mode)}): {e.Reason}");
        if (args.Value(Report.Name) is { } reportPath) File.WriteAllText(reportPath, report.Markdown(args.Value(Onnx.Name) ?? "1.22.0"));
        if (args.Value(Allowlist.Name) is { } allowPath) File.WriteAllText(allowPath, report.Allowlist());
        return outcomes.Any(o => o.Status == CaseStatus.Error) ? Commands.Failure : Commands.Success;
    }

    /// <summary>Loads and runs the cases in both modes, <paramref name="jobs"/> at a time; results in case order.</summary>
    public static (List<BackendCase> Cases, List<CaseOutcome> Outcomes) RunAll(string root, IReadOnlyList<string> ids, int jobs, Action<int>? progress = null)
    {
        var cases = ids.Select(id => BackendSuite.Load(root, id)).ToList();
        var work = cases.SelectMany(c => new[] { (c, ConformanceMode.Runtime), (c, ConformanceMode.Baked) }).ToList();
        var results = new CaseOutcome[work.Count];
        int done = 0;
        Parallel.For(0, work.Count, new ParallelOptions { MaxDegreeOfParallelism = jobs }, i =>
        {
            results[i] = ConformanceRunner.Run(work[i].c, work[i].Item2);
            progress?.Invoke(System.Threading.Interlocked.Increment(ref done));
        });
        return (cases, results.ToList());
    }
}
