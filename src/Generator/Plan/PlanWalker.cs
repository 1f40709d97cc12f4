using System.Collections.Generic;
using System.Linq;

namespace ModelGen.Plan
{
    /// <summary>The buffers each step reads or writes, for liveness and reports.</summary>
    public static class PlanWalker
    {
        public static IEnumerable<int> Buffers(Step step) => StepBuffers(step).Concat(Conditions(step.Guard));

        /// <summary>The condition buffers a guard reads before the step runs.</summary>
        public static IEnumerable<int> Conditions(StepGuard? guard)
        {
            for (var g = guard; g is not null; g = g.Outer) yield return g.Condition;
        }

        private static IEnumerable<int> StepBuffers(Step step) => step switch
        {
            KernelCall k => k.Arguments.SelectMany(a => Buffers(a.Value)),
            CopyCall c => new[] { c.Source.Buffer, c.Destination.Buffer },
            FillCall f => Buffers(f.Value).Append(f.Destination.Buffer),
            SetElement s => Buffers(s.Value).Append(s.Destination.Buffer),
            RepeatedCall r => Buffers(r.Body),
            RangeFill r => new[] { r.Destination.Buffer },
            DepthwiseConvCall d => new[] { d.X, d.W, d.Bias, d.Y }.Where(b => b is not null).Select(b => b!.Buffer),
            DepthwiseQLinearConvCall q => Buffers(q.Conv).Concat(new[] { q.XZeroPoint, q.Bias, q.Multiplier, q.YZeroPoint }.Where(b => b is not null).Select(b => b!.Buffer)),
            _ => Enumerable.Empty<int>(),
        };

        public static IEnumerable<int> Buffers(Arg arg) => arg switch
        {
            BufferArg b => new[] { b.Buffer },
            ElementArg e => new[] { e.Buffer },
            NewArg n => n.Fields.SelectMany(f => Buffers(f.Value)),
            _ => Enumerable.Empty<int>(),
        };
    }
}
