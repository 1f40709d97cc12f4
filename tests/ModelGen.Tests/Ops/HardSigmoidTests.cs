using System;
using System.Collections.Generic;
using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class HardSigmoidTests : UnaryOpTestBase
{
    protected override string Op => "HardSigmoid";
    protected override int[] Opsets => new[] { 7, 22 };

    protected override IEnumerable<(string Name, object Value)[]> AttributeSets(Random random)
    {
        yield return Array.Empty<(string, object)>();   // alpha 0.2, beta 0.5
        yield return new (string, object)[] { ("alpha", (float)random.NextDouble()), ("beta", (float)random.NextDouble()) };
        yield return new (string, object)[] { ("alpha", -(float)random.NextDouble()), ("beta", 0.25f) };
        yield return new (string, object)[] { ("beta", 0.75f) };
    }
}
