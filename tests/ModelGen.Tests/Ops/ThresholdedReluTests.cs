using System;
using System.Collections.Generic;
using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class ThresholdedReluTests : UnaryOpTestBase
{
    protected override string Op => "ThresholdedRelu";
    protected override int[] Opsets => new[] { 10, 22 };
    protected override (float Lo, float Hi) Range => (-6f, 6f);

    protected override IEnumerable<(string Name, object Value)[]> AttributeSets(Random random)
    {
        yield return Array.Empty<(string, object)>();
        yield return new (string, object)[] { ("alpha", -1f + (float)random.NextDouble() * 3f) };
    }
}
