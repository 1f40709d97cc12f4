using System;
using System.Collections.Generic;
using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class GeluTests : UnaryOpTestBase
{
    protected override string Op => "Gelu";
    protected override int[] Opsets => new[] { 20 };
    protected override (float Lo, float Hi) Range => (-6f, 6f);

    protected override IEnumerable<(string Name, object Value)[]> AttributeSets(Random random)
    {
        yield return Array.Empty<(string, object)>();
        yield return new (string, object)[] { ("approximate", "none") };
        yield return new (string, object)[] { ("approximate", "tanh") };
    }
}
