using System.Collections.Generic;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// Everything ModelGen knows about one ONNX operator, in one file: attribute checks and shape rule
    /// (<see cref="InferShapes"/>), build-time evaluation on constants (<see cref="TryFold"/>) and its lowering into
    /// execution-plan steps (<see cref="Lower"/>): the kernel, its arguments, weight layout and scratch. Ops never write C#.
    /// Register each definition with one line in <see cref="OpRegistry"/>.
    /// </summary>
    public abstract class OpDefinition
    {
        public abstract string OpType { get; }

        public virtual string Domain => "";

        /// <summary>
        /// Sets every output's Type and Shape from the inputs. Throws <see cref="IrException"/> for an invalid node
        /// and <see cref="UnsupportedException"/> for a valid configuration ModelGen does not implement.
        /// </summary>
        public abstract void InferShapes(Node node);

        /// <summary>
        /// Called when every present input is constant: sets the outputs' Constant and returns true, or returns false
        /// to leave the node for run time.
        /// </summary>
        public virtual bool TryFold(Node node) => false;

        /// <summary>
        /// True when <see cref="TryFold"/> decides for itself which inputs must be constant, so it is called even when
        /// some are not: Shape and Size need only shapes, which are always known at build time; CastLike needs only
        /// its data input. Such a TryFold returns false when what it needs is missing.
        /// </summary>
        public virtual bool FoldsWithoutConstantInputs => false;

        /// <summary>True when output 0 is input 0 with another shape, so both may share one buffer.</summary>
        public virtual bool IsView => false;

        /// <summary>
        /// When output <paramref name="output"/> is a contiguous run of one input's elements (a view, an outer-axis Split or
        /// Slice), that input and the run's first element: the planner may then let both share storage.
        /// </summary>
        public virtual (int Input, int Start)? ViewOf(Node node, int output) => IsView && output == 0 ? (0, 0) : null;

        /// <summary>
        /// Inputs that output 0 contains whole and contiguously, with their start element (Concat on an outer axis): the
        /// planner may let their producers write straight into the output.
        /// </summary>
        public virtual IEnumerable<(int Input, int Start)> InPlaceInputs(Node node) => Enumerable.Empty<(int, int)>();

        /// <summary>Scratch bytes the kernel needs while it runs (planned into the arena).</summary>
        public virtual long ScratchBytes(Node node) => 0;

        /// <summary>Multiply-accumulate count, reported by `modelgen inspect`.</summary>
        public virtual long Macs(Node node) => 0;

        /// <summary>Appends the plan steps that compute the node's outputs.</summary>
        public abstract void Lower(LoweringContext ctx);

        protected static void Require(bool condition, string message)
        {
            if (!condition) throw new IrException(message);
        }

        protected static void RequireSupported(bool condition, string message)
        {
            if (!condition) throw new UnsupportedException(message);
        }

        protected static void RequireFloat(Node node, int input = 0)
        {
            var v = node.Inputs[input]!;
            RequireSupported(v.Type == DataType.Float, $"input '{v.Name}' has element type {DataTypes.OnnxName(v.Type)}; this operator supports float");
        }
    }
}
