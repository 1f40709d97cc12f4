using System;
using System.Collections.Generic;
using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class ShrinkTests : UnaryOpTestBase
{
    protected override string Op => "Shrink";
    protected override int[] Opsets => new[] { 9 };
    protected override (float Lo, float Hi) Range => (-6f, 6f);

    protected override IEnumerable<(string Name, object Value)[]> AttributeSets(Random random)
    {
        yield return Array.Empty<(string, object)>();
        yield return new (string, object)[] { ("bias", (float)random.NextDouble()), ("lambd", (float)random.NextDouble() * 2f) };
    }
}
