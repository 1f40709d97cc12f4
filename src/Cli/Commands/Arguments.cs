using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace ModelGen.Cli;

/// <summary>A command line that cannot be understood: the caller prints usage and exits with 2.</summary>
public sealed class UsageException : Exception
{
    public UsageException(string message) : base(message) { }
}

/// <summary>A command that could not do its work (missing file, unwritable folder...): message, exit code 1.</summary>
public sealed class CliException : Exception
{
    public CliException(string message) : base(message) { }
}

/// <summary>One option a command accepts.</summary>
public sealed record OptionSpec(string Name, string? Alias, string? ValueName, string Help)
{
    public bool TakesValue => ValueName is not null;
}

/// <summary>
/// A small hand-rolled parser: positional arguments, `--name value`, `--name=value`, `-o value` and flags. An option
/// given twice keeps its last value; `--` ends options.
/// </summary>
public sealed class Arguments
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);

    private Arguments(List<string> positionals) => Positionals = positionals;

    public IReadOnlyList<string> Positionals { get; }

    public static Arguments Parse(IReadOnlyList<string> args, IReadOnlyList<OptionSpec> specs)
    {
        var positionals = new List<string>();
        var result = new Arguments(positionals);
        bool optionsEnded = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (optionsEnded || arg.Length < 2 || arg[0] != '-')
            {
                positionals.Add(arg);
                continue;
            }
            if (arg == "--")
            {
                optionsEnded = true;
                continue;
            }
            string name = arg;
            string? inlineValue = null;
            int eq = arg.IndexOf('=');
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 2)
            {
                name = arg.Substring(0, eq);
                inlineValue = arg.Substring(eq + 1);
            }
            var spec = specs.FirstOrDefault(s => s.Name == name || s.Alias == name)
                ?? throw new UsageException($"unknown option '{name}'");
            if (!spec.TakesValue)
            {
                if (inlineValue is not null) throw new UsageException($"option '{spec.Name}' takes no value");
                result._options[spec.Name] = null;
                continue;
            }
            if (inlineValue is null)
            {
                if (i + 1 >= args.Count) throw new UsageException($"option '{spec.Name}' needs a value ({spec.ValueName})");
                inlineValue = args[++i];
            }
            result._options[spec.Name] = inlineValue;
        }
        return result;
    }

    public bool Has(string name) => _options.ContainsKey(name);

    public string? Value(string name) => _options.TryGetValue(name, out var v) ? v : null;

    public int Int(string name, int fallback, int min = int.MinValue)
    {
        var text = Value(name);
        if (text is null) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < min)
            throw new UsageException($"option '{name}' needs an integer{(min > int.MinValue ? $" ≥ {min}" : "")}, not '{text}'");
        return value;
    }

    public double Double(string name, double fallback, double min = double.NegativeInfinity)
    {
        var text = Value(name);
        if (text is null) return fallback;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value) || value < min)
            throw new UsageException($"option '{name}' needs a number{(min > double.NegativeInfinity ? $" ≥ {min.ToString(CultureInfo.InvariantCulture)}" : "")}, not '{text}'");
        return value;
    }

    /// <summary>The one positional argument a command takes (the model path).</summary>
    public string Single(string what)
    {
        if (Positionals.Count == 0) throw new UsageException($"missing {what}");
        if (Positionals.Count > 1) throw new UsageException($"unexpected argument '{Positionals[1]}'");
        return Positionals[0];
    }

    /// <summary>Parses "a=1,b=2.5" into name → number (invariant culture).</summary>
    public Dictionary<string, double> NamedNumbers(string name)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        var text = Value(name);
        if (text is null) return result;
        foreach (var part in text.Split(new[] { ',', ';' }, StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.LastIndexOf('=');
            if (eq <= 0 || !double.TryParse(part.Substring(eq + 1).Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
                throw new UsageException($"option '{name}': '{part.Trim()}' is not of the form input=number");
            result[part.Substring(0, eq).Trim()] = value;
        }
        return result;
    }

    /// <summary>Help text for a list of options, aligned.</summary>
    public static string Describe(IEnumerable<OptionSpec> specs)
    {
        var rows = specs.Select(s => (Left: (s.Alias is null ? "" : s.Alias + ", ") + s.Name + (s.TakesValue ? " " + s.ValueName : ""), s.Help)).ToList();
        int width = rows.Max(r => r.Left.Length) + 2;
        return string.Join("\n", rows.Select(r => "  " + r.Left.PadRight(width) + r.Help.Replace("\n", "\n" + new string(' ', width + 2))));
    }
}
