using System.Collections.Generic;
using System.Linq;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>The one table of supported operators. Adding an op: one file in Ops/, one line here, one test file.</summary>
    public sealed class OpRegistry
    {
        public static readonly OpRegistry Default = new(new OpDefinition[]
        {
            new AddOp(),
            new AveragePoolOp(),
            new BatchNormalizationOp(),
            new CastOp(),
            new CastLikeOp(),
            new CenterCropPadOp(),
            new ClipOp(),
            new CompressOp(),
            new ConcatOp(),
            new ConstantOp(),
            new ConstantOfShapeOp(),
            new ConvOp(),
            new ConvIntegerOp(),
            new DepthToSpaceOp(),
            new DequantizeLinearOp(),
            new DivOp(),
            new DropoutOp(),
            new DynamicQuantizeLinearOp(),
            new ExpOp(),
            new ExpandOp(),
            new EyeLikeOp(),
            new FlattenOp(),
            new GatherElementsOp(),
            new GatherNDOp(),
            new GatherOp(),
            new GemmOp(),
            new GlobalAveragePoolOp(),
            new GlobalMaxPoolOp(),
            new GroupNormalizationOp(),
            new HardSigmoidOp(),
            new HardSwishOp(),
            new IdentityOp(),
            new InstanceNormalizationOp(),
            new LayerNormalizationOp(),
            new LeakyReluOp(),
            new LogSoftmaxOp(),
            new LpNormalizationOp(),
            new LRNOp(),
            new MatMulOp(),
            new MatMulIntegerOp(),
            new MaxOp(),
            new MaxPoolOp(),
            new MeanVarianceNormalizationOp(),
            new MinOp(),
            new MulOp(),
            new NonZeroOp(),
            new OneHotOp(),
            new PReluOp(),
            new PadOp(),
            new QLinearConvOp(),
            new QLinearMatMulOp(),
            new PowOp(),
            new QuantizeLinearOp(),
            new RangeOp(),
            new ReduceMaxOp(),
            new ReduceMeanOp(),
            new ReduceMinOp(),
            new ReduceSumOp(),
            new ReluOp(),
            new ReshapeOp(),
            new ResizeOp(),
            new ReverseSequenceOp(),
            new RMSNormalizationOp(),
            new ScatterElementsOp(),
            new ScatterNDOp(),
            new ScatterOp(),
            new ShapeOp(),
            new SigmoidOp(),
            new SignOp(),
            new SizeOp(),
            new SliceOp(),
            new SoftmaxOp(),
            new SpaceToDepthOp(),
            new SplitOp(),
            new SqrtOp(),
            new SqueezeOp(),
            new SubOp(),
            new SumOp(),
            new TanhOp(),
            new TensorScatterOp(),
            new TileOp(),
            new TopKOp(),
            new TransposeOp(),
            new TriluOp(),
            new UnsqueezeOp(),
            new UpsampleOp(),

            // com.microsoft: ONNX Runtime's quantized contrib operators, expanded into standard ones.
            new MicrosoftDequantizeLinearOp(),
            new MicrosoftQuantizeLinearOp(),
            new QGemmOp(),
            new QLinearAddOp(),
            new QLinearAveragePoolOp(),
            new QLinearConcatOp(),
            new QLinearGlobalAveragePoolOp(),
            new QLinearLeakyReluOp(),
            new QLinearMulOp(),
            new QLinearSigmoidOp(),
            new QLinearSoftmaxOp(),

            // ai.modelgen: steps of ModelGen's own passes (FuseDynamicQuantization).
            new DynamicQuantizedConvOp(),
            new DynamicQuantizedMatMulOp(),
        });

        private readonly Dictionary<(string Domain, string OpType), OpDefinition> _ops;

        public OpRegistry(IEnumerable<OpDefinition> ops) =>
            _ops = ops.ToDictionary(o => (o.Domain, o.OpType));

        public IEnumerable<OpDefinition> All => _ops.Values.OrderBy(o => o.Domain, System.StringComparer.Ordinal).ThenBy(o => o.OpType, System.StringComparer.Ordinal);

        public OpDefinition? Find(string domain, string opType) => _ops.TryGetValue((domain, opType), out var op) ? op : null;

        public OpDefinition? Find(Node node) => Find(node.Domain, node.OpType);
    }
}
