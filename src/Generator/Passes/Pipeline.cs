using System;
using System.Collections.Generic;
using ModelGen.Ir;

namespace ModelGen.Passes
{
    /// <summary>The optimisation passes that run after shape inference, in order.</summary>
    public static class Pipeline
    {
        public static readonly IReadOnlyList<Action<Graph>> Default = new Action<Graph>[]
        {
            FuseQdq.Run,
            FuseDynamicQuantization.Run,
            FoldBatchNorm.Run,
            FoldPadIntoConv.Run,
            FuseSignIntoConv.Run,
            FoldNhwcTranspose.Run,
            FuseLayerNorm.Run,
            FuseGelu.Run,
            FuseResidualAdd.Run,
            FuseActivation.Run,
            RemoveZeroFilters.Run,
        };
    }
}
