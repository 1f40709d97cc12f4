using System;
using System.Collections.Generic;
using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class EluTests : UnaryOpTestBase
{
    protected override string Op => "Elu";
    protected override int[] Opsets => new[] { 7, 22 };
    protected override (float Lo, float Hi) Range => (-6f, 6f);

    protected override IEnumerable<(string Name, object Value)[]> AttributeSets(Random random)
    {
        yield return Array.Empty<(string, object)>();
        yield return new (string, object)[] { ("alpha", 0.1f + (float)random.NextDouble() * 2f) };
    }
}
