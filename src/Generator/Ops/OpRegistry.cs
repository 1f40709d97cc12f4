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
            new AbsOp(),
            new AcosOp(),
            new AcoshOp(),
            new AddOp(),
            new ArgMaxOp(),
            new ArgMinOp(),
            new AsinOp(),
            new AsinhOp(),
            new AtanOp(),
            new AtanhOp(),
            new AveragePoolOp(),
            new BatchNormalizationOp(),
            new CastOp(),
            new CastLikeOp(),
            new CeilOp(),
            new CeluOp(),
            new ClipOp(),
            new ConcatOp(),
            new ConstantOp(),
            new ConstantOfShapeOp(),
            new ConvOp(),
            new ConvIntegerOp(),
            new CosOp(),
            new CoshOp(),
            new CumProdOp(),
            new CumSumOp(),
            new DequantizeLinearOp(),
            new DivOp(),
            new DropoutOp(),
            new DynamicQuantizeLinearOp(),
            new EluOp(),
            new ErfOp(),
            new ExpOp(),
            new ExpandOp(),
            new FlattenOp(),
            new FloorOp(),
            new GatherOp(),
            new GeluOp(),
            new GemmOp(),
            new GlobalAveragePoolOp(),
            new GlobalMaxPoolOp(),
            new HardSigmoidOp(),
            new HardSwishOp(),
            new HardmaxOp(),
            new IdentityOp(),
            new LeakyReluOp(),
            new LogOp(),
            new LogSoftmaxOp(),
            new MatMulOp(),
            new MatMulIntegerOp(),
            new MaxOp(),
            new MaxPoolOp(),
            new MinOp(),
            new MishOp(),
            new MulOp(),
            new NegOp(),
            new PReluOp(),
            new PadOp(),
            new QLinearConvOp(),
            new QLinearMatMulOp(),
            new PowOp(),
            new QuantizeLinearOp(),
            new RangeOp(),
            new ReciprocalOp(),
            new ReduceL1Op(),
            new ReduceL2Op(),
            new ReduceLogSumOp(),
            new ReduceLogSumExpOp(),
            new ReduceMaxOp(),
            new ReduceMeanOp(),
            new ReduceMinOp(),
            new ReduceProdOp(),
            new ReduceSumOp(),
            new ReduceSumSquareOp(),
            new ReluOp(),
            new ReshapeOp(),
            new ResizeOp(),
            new RoundOp(),
            new SeluOp(),
            new ShapeOp(),
            new ShrinkOp(),
            new SigmoidOp(),
            new SignOp(),
            new SinOp(),
            new SinhOp(),
            new SizeOp(),
            new SliceOp(),
            new SoftmaxOp(),
            new SoftplusOp(),
            new SoftsignOp(),
            new SplitOp(),
            new SqrtOp(),
            new SqueezeOp(),
            new SubOp(),
            new SumOp(),
            new SwishOp(),
            new TanOp(),
            new TanhOp(),
            new ThresholdedReluOp(),
            new TransposeOp(),
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
