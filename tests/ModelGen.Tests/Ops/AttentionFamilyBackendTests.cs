using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>
/// The ONNX backend node tests of Attention, RotaryEmbedding, NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss,
/// run in both modes (weights as run-time inputs, and build-time inputs baked). The <c>_expanded</c> variants are the
/// ops' function bodies in primitive ops (Equal, Where, GatherElements...): they test those ops, not these.
/// </summary>
[Trait("Category", "Ops")]
public class AttentionFamilyBackendTests
{
    private static readonly (string Prefix, int Count)[] Families =
    {
        ("test_attention_", 64), ("test_rotary_embedding", 8), ("test_nllloss_", 18), ("test_sce_", 34),
    };

    private static IEnumerable<string> NonExpanded(string prefix) =>
        BackendTestCase.Names(prefix).Where(n => !n.EndsWith("_expanded", StringComparison.Ordinal));

    public static IEnumerable<object[]> Supported() =>
        Families.SelectMany(f => NonExpanded(f.Prefix)).Select(n => new object[] { n });

    [Theory, MemberData(nameof(Supported))]
    public void Backend_test_passes(string name) => BackendTestCase.Load(name).AssertPasses();

    [Theory, MemberData(nameof(Supported))]
    public void Backend_test_passes_with_build_time_inputs_baked(string name) => BackendTestCase.Load(name).AssertPassesWithBuildTimeInputsBaked();

    [Fact]
    public void Every_non_expanded_backend_test_of_the_family_is_run()
    {
        // The counts of ONNX 1.22's test data: a missing or renamed case fails here instead of silently running fewer.
        foreach (var (prefix, count) in Families)
            Assert.True(NonExpanded(prefix).Count() == count, $"{prefix}*: {NonExpanded(prefix).Count()} non-expanded backend tests, {count} expected");
    }
}
