using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Xunit;

namespace ModelGen.Tests.Generator;

/// <summary>The same model and options give byte-identical output: across runs, drivers and current cultures.</summary>
[Trait("Category", "Generator")]
public class DeterminismTests
{
    private static byte[] Generate(byte[] model, string name)
    {
        using var folder = new TempFolder();
        string path = folder.File("m.onnx", model);
        var options = new TestOptionsProvider().With(path, new Dictionary<string, string> { ["ClassName"] = name, ["Namespace"] = "Det" });
        var run = GeneratorHarness.Run(new[] { new BinaryAdditionalText(path) }, options);
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompilationProblems);
        return Encoding.UTF8.GetBytes(run.Sources.Values.Single());
    }

    /// <summary>
    /// A model whose weights include negative numbers, tiny and huge magnitudes, NaN, infinities and -0, so any
    /// culture-sensitive formatting in the emitter would show.
    /// </summary>
    private static byte[] AwkwardModel() => new Infrastructure.ModelBuilder(opset: 13)
        .Input("x", 2, 4)
        .Initializer("w", new[] { -1.5f, 1e-30f, -3.4e38f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, 0.1f,
                                  12345.678f, -0.001f, 7f, -7f, 1.17549435e-38f, 1e-45f, 2f, -2f }, 4, 4)
        .Initializer("b", new[] { -0.25f, 0.5f, -1e10f, 3f }, 4)
        .Initializer("shape", new long[] { -1 }, 1)
        .Node("Gemm", new[] { "x", "w", "b" }, new[] { "h" }, ("alpha", -0.5f), ("beta", 1.25f))
        .Node("Relu", new[] { "h" }, new[] { "r" })
        .Node("Reshape", new[] { "r", "shape" }, new[] { "y" })
        .Output("y")
        .ToBytes();

    [Fact]
    public void Generating_twice_gives_identical_bytes()
    {
        var model = AwkwardModel();
        Assert.Equal(Generate(model, "Awkward"), Generate(model, "Awkward"));
    }

    [Theory]
    [InlineData("sv-SE")]
    [InlineData("fi-FI")]
    public void Current_culture_does_not_change_the_output(string cultureName)
    {
        var model = AwkwardModel();
        byte[] invariant = WithCulture(CultureInfo.InvariantCulture, () => Generate(model, "Awkward"));
        var culture = Culture(cultureName);
        // The culture must really format numbers differently, or this test proves nothing.
        Assert.NotEqual((-1.5f).ToString(CultureInfo.InvariantCulture), WithCulture(culture, () => (-1.5f).ToString()));

        byte[] localized = WithCulture(culture, () => Generate(model, "Awkward"));
        Assert.Equal(Encoding.UTF8.GetString(invariant), Encoding.UTF8.GetString(localized));
        Assert.Equal(invariant, localized);
    }

    /// <summary>
    /// The named culture when ICU data is available; the test project runs with InvariantGlobalization, so otherwise a
    /// culture carrying the number format that broke other generators (U+2212 minus sign, decimal comma, no-break
    /// space grouping; sv-SE and fi-FI both use it).
    /// </summary>
    private static CultureInfo Culture(string name)
    {
        try
        {
            var real = CultureInfo.GetCultureInfo(name);
            if (real.NumberFormat.NegativeSign != "-" || real.NumberFormat.NumberDecimalSeparator != ".") return real;
        }
        catch (CultureNotFoundException) { }
        var fake = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        fake.NumberFormat.NegativeSign = "\u2212";
        fake.NumberFormat.NumberDecimalSeparator = ",";
        fake.NumberFormat.NumberGroupSeparator = "\u00A0";
        fake.NumberFormat.NaNSymbol = "epäluku";
        fake.NumberFormat.PositiveInfinitySymbol = "∞";
        fake.NumberFormat.NegativeInfinitySymbol = "\u2212∞";
        return fake;
    }

    private static T WithCulture<T>(CultureInfo culture, Func<T> action)
    {
        var (culture0, ui0) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        try
        {
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = culture;
            return action();
        }
        finally
        {
            CultureInfo.CurrentCulture = culture0;
            CultureInfo.CurrentUICulture = ui0;
        }
    }
}
