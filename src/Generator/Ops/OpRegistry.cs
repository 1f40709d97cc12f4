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
            new AndOp(),
            new AttentionOp(),
            new AveragePoolOp(),
            new BatchNormalizationOp(),
            new BitShiftOp(),
            new BitwiseAndOp(),
            new BitwiseNotOp(),
            new BitwiseOrOp(),
            new BitwiseXorOp(),
            new CastOp(),
            new CastLikeOp(),
            new ClipOp(),
            new ConcatOp(),
            new ConstantOp(),
            new ConstantOfShapeOp(),
            new ConvOp(),
            new ConvIntegerOp(),
            new ConvTransposeOp(),
            new DequantizeLinearOp(),
            new DivOp(),
            new DropoutOp(),
            new DynamicQuantizeLinearOp(),
            new EqualOp(),
            new EinsumOp(),
            new ExpOp(),
            new ExpandOp(),
            new FlattenOp(),
            new GatherOp(),
            new GemmOp(),
            new GlobalAveragePoolOp(),
            new GlobalMaxPoolOp(),
            new GreaterOp(),
            new GreaterOrEqualOp(),
            new GruOp(),
            new HardSigmoidOp(),
            new HardSwishOp(),
            new IdentityOp(),
            new IsInfOp(),
            new IsNaNOp(),
            new LeakyReluOp(),
            new LessOp(),
            new LessOrEqualOp(),
            new LogSoftmaxOp(),
            new LstmOp(),
            new MatMulOp(),
            new MatMulIntegerOp(),
            new MaxOp(),
            new MaxPoolOp(),
            new MeanOp(),
            new MinOp(),
            new ModOp(),
            new MulOp(),
            new NotOp(),
            new OrOp(),
            new NegativeLogLikelihoodLossOp(),
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
            new RotaryEmbeddingOp(),
            new RnnOp(),
            new ShapeOp(),
            new SigmoidOp(),
            new SignOp(),
            new SizeOp(),
            new SliceOp(),
            new SoftmaxOp(),
            new SoftmaxCrossEntropyLossOp(),
            new SplitOp(),
            new SqrtOp(),
            new SqueezeOp(),
            new SubOp(),
            new SumOp(),
            new TanhOp(),
            new TransposeOp(),
            new UnsqueezeOp(),
            new UpsampleOp(),
            new WhereOp(),
            new XorOp(),

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
