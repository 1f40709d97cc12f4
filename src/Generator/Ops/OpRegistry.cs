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
            new Add(),
            new AveragePool(),
            new BatchNormalization(),
            new Cast(),
            new CastLike(),
            new Clip(),
            new Concat(),
            new Constant(),
            new ConstantOfShape(),
            new Conv(),
            new Div(),
            new Dropout(),
            new Exp(),
            new Expand(),
            new Flatten(),
            new Gather(),
            new Gemm(),
            new GlobalAveragePool(),
            new GlobalMaxPool(),
            new HardSigmoid(),
            new HardSwish(),
            new Identity(),
            new LeakyRelu(),
            new LogSoftmax(),
            new MatMul(),
            new Max(),
            new MaxPool(),
            new Min(),
            new Mul(),
            new PRelu(),
            new Pad(),
            new Pow(),
            new Range(),
            new ReduceMax(),
            new ReduceMean(),
            new ReduceMin(),
            new ReduceSum(),
            new Relu(),
            new Reshape(),
            new Resize(),
            new Shape(),
            new Sigmoid(),
            new Size(),
            new Slice(),
            new Softmax(),
            new Split(),
            new Sqrt(),
            new Squeeze(),
            new Sub(),
            new Sum(),
            new Tanh(),
            new Transpose(),
            new Unsqueeze(),
            new Upsample(),
        });

        private readonly Dictionary<(string Domain, string OpType), OpDefinition> _ops;

        public OpRegistry(IEnumerable<OpDefinition> ops) =>
            _ops = ops.ToDictionary(o => (o.Domain, o.OpType));

        public IEnumerable<OpDefinition> All => _ops.Values.OrderBy(o => o.Domain, System.StringComparer.Ordinal).ThenBy(o => o.OpType, System.StringComparer.Ordinal);

        public OpDefinition? Find(string domain, string opType) => _ops.TryGetValue((domain, opType), out var op) ? op : null;

        public OpDefinition? Find(Node node) => Find(node.Domain, node.OpType);
    }
}
