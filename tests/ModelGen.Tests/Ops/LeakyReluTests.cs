using System;
using System.Collections.Generic;
using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class LeakyReluTests : UnaryOpTestBase
{
    protected override string Op => "LeakyRelu";
    protected override int[] Opsets => new[] { 7, 16 };

    protected override IEnumerable<(string Name, object Value)[]> AttributeSets(Random random)
    {
        yield return Array.Empty<(string, object)>();   // alpha = 0.01
        yield return new (string, object)[] { ("alpha", (float)random.NextDouble()) };
        yield return new (string, object)[] { ("alpha", -(float)random.NextDouble() * 3) };
    }
}
