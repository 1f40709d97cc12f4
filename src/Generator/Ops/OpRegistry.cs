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
            new Clip(),
            new Div(),
            new Exp(),
            new Gemm(),
            new HardSigmoid(),
            new HardSwish(),
            new Identity(),
            new LeakyRelu(),
            new LogSoftmax(),
            new Max(),
            new Min(),
            new Mul(),
            new Pow(),
            new PRelu(),
            new ReduceMax(),
            new ReduceMean(),
            new ReduceMin(),
            new ReduceSum(),
            new Relu(),
            new Reshape(),
            new Sigmoid(),
            new Softmax(),
            new Sqrt(),
            new Sub(),
            new Sum(),
            new Tanh(),
        });

        private readonly Dictionary<(string Domain, string OpType), OpDefinition> _ops;

        public OpRegistry(IEnumerable<OpDefinition> ops) =>
            _ops = ops.ToDictionary(o => (o.Domain, o.OpType));

        public IEnumerable<OpDefinition> All => _ops.Values.OrderBy(o => o.Domain, System.StringComparer.Ordinal).ThenBy(o => o.OpType, System.StringComparer.Ordinal);

        public OpDefinition? Find(string domain, string opType) => _ops.TryGetValue((domain, opType), out var op) ? op : null;

        public OpDefinition? Find(Node node) => Find(node.Domain, node.OpType);
    }
}
