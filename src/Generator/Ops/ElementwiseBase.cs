using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// Shared shape rule, folding and emitter for elementwise unary ops. Float runs on the op's SIMD kernel
    /// (<c>Kernels.Relu</c>, ...); an op may also accept double and float16 (<see cref="DoubleOperator"/>: the scalar kernel
    /// <c>Kernels.UnaryFloating&lt;T, TOp&gt;</c>, computed in double) and every numeric type (<see cref="NumericOperator"/>:
    /// <c>Kernels.UnaryNumeric&lt;T, TOp&gt;</c>, Neg, Abs and Sign on integers).
    /// </summary>
    public abstract class UnaryFloatOp : OpDefinition
    {
        /// <summary>The Kernels method to call, e.g. "Relu".</summary>
        protected abstract string Kernel { get; }

        /// <summary>Scalar reference used to fold constant inputs at build time.</summary>
        protected abstract float Reference(float x, Node node);

        /// <summary>The runtime <c>IDoubleUnaryOperator</c> for double and float16 inputs (e.g. "LogFunction"), or null.</summary>
        protected virtual string? DoubleOperator => null;

        /// <summary>The runtime <c>INumericUnaryOperator</c> for every non-float numeric input (e.g. "AbsNumeric"), or null.</summary>
        protected virtual string? NumericOperator => null;

        /// <summary>Folding reference for double and float16 (by default the float one).</summary>
        protected virtual double DoubleReference(double x, Node node) => Reference((float)x, node);

        /// <summary>Folding reference for integers (exact in 64 bits; wrapped to the element type).</summary>
        protected virtual long IntegerReference(long x) => throw new InvalidOperationException($"{OpType} has no integer form");

        private bool Accepts(DataType type) =>
            type == DataType.Float
            || (NumericOperator is not null && BinaryFloatOp.IsNumeric(type))
            || (DoubleOperator is not null && type is DataType.Double or DataType.Float16);

        public override void InferShapes(Node node)
        {
            Require(node.Inputs.Length >= 1 && node.Inputs[0] is not null, "expects one input");
            var x = node.Inputs[0]!;
            if (DoubleOperator is null && NumericOperator is null) RequireFloat(node);
            else RequireSupported(Accepts(x.Type), $"input '{x.Name}' has element type {DataTypes.OnnxName(x.Type)}, which {OpType} does not support");
            ValidateAttributes(node);
            node.Outputs[0].Type = x.Type;
            node.Outputs[0].Shape = x.Shape;
        }

        /// <summary>Checks the op's attributes (called by <see cref="InferShapes"/>).</summary>
        protected virtual void ValidateAttributes(Node node) { }

        /// <summary>A float attribute, checked to be one (absent: <paramref name="fallback"/>).</summary>
        protected static float FloatAttribute(Node node, string name, float fallback)
        {
            var a = node.Attributes.Raw(name);
            if (a is null) return fallback;
            Require(a.Type == ModelGen.Onnx.Proto.AttributeProto.Types.AttributeType.Float, $"attribute '{name}' must be a float");
            return a.F;
        }

        public override bool TryFold(Node node)
        {
            var x = node.Inputs[0]!.Constant!;
            if (x.Type == DataType.Float)
                node.Outputs[0].Constant = Tensor.FromFloats(x.Shape, x.Floats!.Select(v => Reference(v, node)).ToArray());
            else if (Tensor.Family(x.Type) == 'l')
                node.Outputs[0].Constant = Tensor.FromLongs(x.Type, x.Shape, x.AsLongs().Select(v => BinaryFloatOp.Wrap(x.Type, IntegerReference(v))).ToArray());
            else
                node.Outputs[0].Constant = Tensor.FromDoubles(x.Type, x.Shape, Enumerable.Range(0, x.Length).Select(i => DoubleReference(x.GetDouble(i), node)).ToArray());
            return true;
        }

        /// <summary>Arguments after (x, destination), e.g. LeakyRelu's alpha.</summary>
        protected virtual (string Name, Arg Value)[] ExtraArguments(Node node) => Array.Empty<(string, Arg)>();

        public override void Lower(LoweringContext ctx)
        {
            var type = ctx.Node.Inputs[0]!.Type;
            var args = new (string, Arg)[] { ("x", ctx.Input(0)), ("destination", ctx.Output(0)) };
            if (type == DataType.Float)
                ctx.Call(Kernel, args.Concat(ExtraArguments(ctx.Node)).ToArray());
            else if (DoubleOperator is not null && type is DataType.Double or DataType.Float16)
                ctx.Call("UnaryFloating", new TypeArg[] { type, TypeArg.Runtime("Operators." + DoubleOperator) }, args);
            else
                ctx.Call("UnaryNumeric", new TypeArg[] { type, TypeArg.Runtime("Operators." + NumericOperator) }, args);
        }
    }

    /// <summary>A stateless math function (Log, Sin, Floor, ...): float on its SIMD kernel, double and float16 in double.</summary>
    public abstract class MathUnaryOp : UnaryFloatOp
    {
        /// <summary>The function in double: the folding reference, and the double kernel's operator is <c>{Kernel}Function</c>.</summary>
        protected abstract double Function(double x);

        protected override float Reference(float x, Node node) => (float)Function(x);
        protected override double DoubleReference(double x, Node node) => Function(x);
        protected override string? DoubleOperator => Kernel + "Function";
    }

    /// <summary>
    /// Shared shape rule (multidirectional broadcasting), build-time folding and emitter for elementwise binary ops and
    /// their variadic forms (Sum, Max, Min fold N inputs left to right). Float runs on the SIMD kernels
    /// (<c>Kernels.Add</c>, ...); every other numeric type (int64 shape arithmetic, int32, double, float16, the small
    /// integers) runs on the scalar generic kernel <c>Kernels.Binary&lt;T, TOp&gt;</c>. Bool is not numeric here.
    /// </summary>
    public abstract class BinaryFloatOp : OpDefinition
    {
        /// <summary>The float Kernels method, e.g. "Add".</summary>
        protected abstract string Kernel { get; }

        /// <summary>The runtime operator struct for the generic path, e.g. "AddOperator".</summary>
        protected abstract string Operator { get; }

        protected virtual int MinInputs => 2;
        protected virtual int MaxInputs => 2;

        /// <summary>First opset whose version of the op broadcasts; before it every input must have the output's shape.</summary>
        protected virtual int BroadcastSince => 7;

        /// <summary>Whether all inputs must share one element type (Pow-12+ allows a different exponent type).</summary>
        protected virtual bool SameTypes(Node node) => true;

        /// <summary>The op's type constraint for input <paramref name="index"/> at <paramref name="opset"/> (numeric types by default).</summary>
        protected virtual bool AllowsType(DataType type, int index, int opset) => true;

        /// <summary>Scalar reference for floating types, used to fold constants at build time.</summary>
        protected abstract double Reference(double a, double b);

        /// <summary>Scalar reference for integer types (exact in 64 bits; the result is wrapped to the element type).</summary>
        protected virtual long IntegerReference(long a, long b) => (long)Reference(a, b);

        /// <summary>
        /// Scalar reference for uint64 (held as the bits of a long). The signed reference by default, which is exact for
        /// +, − and ×, as they wrap alike; ops that order or divide override it.
        /// </summary>
        protected virtual ulong UnsignedReference(ulong a, ulong b) => unchecked((ulong)IntegerReference((long)a, (long)b));

        public override void InferShapes(Node node)
        {
            var inputs = node.Inputs.Where(i => i is not null).Select(i => i!).ToArray();
            Require(inputs.Length == node.Inputs.Length, "has an omitted input");
            Require(inputs.Length >= MinInputs && inputs.Length <= MaxInputs,
                MinInputs == MaxInputs ? $"expects {MinInputs} inputs" : $"expects {MinInputs} to {(MaxInputs == int.MaxValue ? "N" : MaxInputs.ToString(System.Globalization.CultureInfo.InvariantCulture))} inputs");
            var type = inputs[0].Type;
            if (SameTypes(node))
                foreach (var v in inputs)
                    Require(v.Type == type, $"inputs have different element types {DataTypes.OnnxName(type)} and {DataTypes.OnnxName(v.Type)}");
            foreach (var v in inputs)
                RequireSupported(IsNumeric(v.Type), $"input '{v.Name}' has element type {DataTypes.OnnxName(v.Type)}; this operator supports numeric types");
            for (int i = 0; i < inputs.Length; i++)
                Require(AllowsType(inputs[i].Type, i, node.Opset), $"element type {DataTypes.OnnxName(inputs[i].Type)} is not allowed for input {i} of {OpType} at opset {node.Opset}");
            var shape = Shapes.Broadcast(inputs.Select(v => v.Shape!).ToArray());
            Require(shape is not null, $"shapes {string.Join(", ", inputs.Select(v => Shapes.Format(v.Shape!)))} do not broadcast");
            if (node.Opset < BroadcastSince)
                Require(inputs.All(v => v.Shape!.SequenceEqual(shape!)), $"opset {node.Opset} requires inputs of one shape (broadcasting came in opset {BroadcastSince})");
            node.Outputs[0].Type = type;
            node.Outputs[0].Shape = shape;
        }

        /// <summary>Types the kernels handle: float (SIMD) and every other numeric type with a C# element type (scalar).</summary>
        public static bool IsNumeric(DataType t) => DataTypes.CSharpName(t) is not null && t != DataType.Bool;

        public override bool TryFold(Node node)
        {
            var inputs = node.Inputs.Select(i => i!).ToArray();
            var output = node.Outputs[0];
            var shape = output.Shape!;
            int n = Shapes.Size(shape);
            bool integer = DataTypes.IsInteger(output.Type) && inputs.All(v => DataTypes.IsInteger(v.Type));
            if (integer)
            {
                var acc = GatherLongs(inputs[0].Constant!, shape);
                for (int k = 1; k < inputs.Length; k++)
                {
                    var rhs = GatherLongs(inputs[k].Constant!, shape);
                    if (output.Type == DataType.UInt64)
                        for (int i = 0; i < n; i++) acc[i] = unchecked((long)UnsignedReference((ulong)acc[i], (ulong)rhs[i]));
                    else
                        for (int i = 0; i < n; i++) acc[i] = Wrap(output.Type, IntegerReference(acc[i], rhs[i]));
                }
                output.Constant = Tensor.FromLongs(output.Type, shape, acc);
                return true;
            }
            bool single = Tensor.Family(output.Type) == 'f';
            var result = Gather(inputs[0].Constant!, shape);
            for (int k = 1; k < inputs.Length; k++)
            {
                var rhs = Gather(inputs[k].Constant!, shape);
                for (int i = 0; i < n; i++)
                {
                    double r = Reference(result[i], rhs[i]);
                    result[i] = single ? (float)r : r;
                }
            }
            output.Constant = Tensor.FromDoubles(output.Type, shape, result);
            return true;
        }

        /// <summary>The tensor's elements as doubles, broadcast to <paramref name="shape"/>.</summary>
        protected static double[] Gather(Tensor t, int[] shape)
        {
            var index = BroadcastIndex(t.Shape, shape);
            return index.Select(t.GetDouble).ToArray();
        }

        /// <summary>The tensor's elements as longs (exact for int64), broadcast to <paramref name="shape"/>.</summary>
        protected static long[] GatherLongs(Tensor t, int[] shape)
        {
            var index = BroadcastIndex(t.Shape, shape);
            return index.Select(t.GetLong).ToArray();
        }

        /// <summary>For each element of <paramref name="output"/>, the flat index of the <paramref name="input"/> element it reads.</summary>
        public static int[] BroadcastIndex(int[] input, int[] output)
        {
            var strides = BroadcastStrides(input, output);
            var outStrides = Shapes.Strides(output);
            int n = Shapes.Size(output);
            var result = new int[n];
            for (int i = 0; i < n; i++)
            {
                int idx = 0, rem = i;
                for (int d = 0; d < output.Length; d++)
                {
                    idx += rem / outStrides[d] * strides[d];
                    rem %= outStrides[d];
                }
                result[i] = idx;
            }
            return result;
        }

        /// <summary>Truncates a 64-bit result to the width of an integer element type, as C# (and C++) arithmetic wraps.</summary>
        public static long Wrap(DataType type, long v) => type switch
        {
            DataType.Int32 => unchecked((int)v),
            DataType.Int16 => unchecked((short)v),
            DataType.Int8 => unchecked((sbyte)v),
            DataType.UInt32 => unchecked((uint)v),
            DataType.UInt16 => unchecked((ushort)v),
            DataType.UInt8 => unchecked((byte)v),
            _ => v,
        };

        /// <summary>Element strides of <paramref name="input"/> viewed through the output shape (0 on broadcast axes).</summary>
        public static int[] BroadcastStrides(int[] input, int[] output)
        {
            var strides = Shapes.Strides(input);
            var result = new int[output.Length];
            for (int d = 0; d < output.Length; d++)
            {
                int j = d - (output.Length - input.Length);
                result[d] = j < 0 || input[j] == 1 ? 0 : strides[j];
            }
            return result;
        }

        /// <summary>
        /// The fewest axes that describe a broadcast: output axes of size 1 are dropped, and neighbouring axes merge when
        /// every operand steps through them as one (stride[d] = stride[d+1]·shape[d+1], which includes both being 0).
        /// Same shapes become one axis with strides 1; a scalar operand one axis with stride 0; [N,C,H,W] op [C,1,1]
        /// becomes [N, C, H·W] with the second operand's strides [0, 1, 0].
        /// </summary>
        public static (int[] Shape, int[][] Strides) Collapse(int[] output, params int[][] inputs)
        {
            var strides = inputs.Select(s => BroadcastStrides(s, output)).ToArray();
            var dims = new List<int>();
            var merged = inputs.Select(_ => new List<int>()).ToArray();
            for (int d = 0; d < output.Length; d++)
            {
                if (output[d] == 1) continue;
                int last = dims.Count - 1;
                if (last >= 0 && Enumerable.Range(0, inputs.Length).All(k => merged[k][last] == strides[k][d] * output[d]))
                {
                    dims[last] *= output[d];
                    for (int k = 0; k < inputs.Length; k++) merged[k][last] = strides[k][d];
                    continue;
                }
                dims.Add(output[d]);
                for (int k = 0; k < inputs.Length; k++) merged[k].Add(strides[k][d]);
            }
            return (dims.ToArray(), merged.Select(m => m.ToArray()).ToArray());
        }

        /// <summary>Rows shorter than this are widened by tiling a constant row operand (see <see cref="TileShortRow"/>).</summary>
        public const int ShortRow = 32;

        /// <summary>
        /// A constant operand that is one short row repeated down the next axis ([M, 3] + [3], channels-last bias) makes
        /// the kernel run M rows of 3. Tiling the row k times into a build-time weight turns that into M/k rows of 3k,
        /// long enough for full vectors. Returns null when the pattern does not apply.
        /// </summary>
        public static (int[] Shape, int[][] Strides, Tensor Tiled)? TileShortRow(int[] shape, int[][] strides, int operand, Value value)
        {
            int rank = shape.Length;
            if (value.Constant is null || rank < 2 || value.Length != shape[rank - 1]) return null;
            int inner = shape[rank - 1], rows = shape[rank - 2];
            var self = strides[operand]; var other = strides[1 - operand];
            if (inner >= ShortRow || self[rank - 1] != 1 || self[rank - 2] != 0 || other[rank - 1] != 1 || other[rank - 2] != inner) return null;
            int k = 1;
            for (int d = 2; d <= rows && d * inner <= 4 * ShortRow; d++)
                if (rows % d == 0) k = d;
            if (k == 1) return null;
            var newShape = (int[])shape.Clone();
            newShape[rank - 2] = rows / k;
            newShape[rank - 1] = inner * k;
            var newSelf = (int[])self.Clone(); var newOther = (int[])other.Clone();
            newOther[rank - 2] = inner * k;
            var newStrides = operand == 0 ? new[] { newSelf, newOther } : new[] { newOther, newSelf };
            // Both operands may now collapse further (rows / k == 1 drops the axis).
            var c = value.Constant;
            var tiled = Tensor.FromDoubles(c.Type, new[] { inner * k }, Enumerable.Range(0, inner * k).Select(i => c.GetDouble(i % inner)).ToArray());
            if (c.Longs is not null) tiled = Tensor.FromLongs(c.Type, new[] { inner * k }, Enumerable.Range(0, inner * k).Select(i => c.Longs[i % inner]).ToArray());
            if (newShape[rank - 2] == 1)
            {
                newShape = newShape.Where((_, d) => d != rank - 2).ToArray();
                newStrides = newStrides.Select(s => s.Where((_, d) => d != rank - 2).ToArray()).ToArray();
            }
            return (newShape, newStrides, tiled);
        }

        /// <summary>The float kernel's parameter names for its two operands and their strides.</summary>
        protected virtual (string A, string B, string AStrides, string BStrides) ParameterNames => ("a", "b", "aStrides", "bStrides");

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            var output = node.Outputs[0];
            if (node.Inputs.Length == 1)
            {
                ctx.Copy(ctx.Input(0), ctx.Output(0));
                return;
            }
            LowerStep(ctx, ctx.Input(0), node.Inputs[0]!, ctx.Input(1), node.Inputs[1]!);
            for (int k = 2; k < node.Inputs.Length; k++)
                LowerStep(ctx, ctx.Output(0), output, ctx.Input(k), node.Inputs[k]!);
        }

        /// <summary>
        /// output = op(lhs, rhs), both broadcast to the output's shape (lhs may be the output itself: in place). The op is
        /// this node's unless <paramref name="kernel"/> and <paramref name="op"/> name another (Mean's final division).
        /// </summary>
        protected void LowerStep(LoweringContext ctx, BufferArg lhs, Value lhsValue, BufferArg rhs, Value rhsValue, string? kernel = null, string? op = null)
        {
            var output = ctx.Node.Outputs[0];
            var (shape, strides) = Collapse(output.Shape!, lhsValue.Shape!, rhsValue.Shape!);
            if (TileShortRow(shape, strides, 1, rhsValue) is { } rt) { (shape, strides) = (rt.Shape, rt.Strides); rhs = ctx.Weight(rt.Tiled, rhsValue.Name + "_tiled"); }
            else if (TileShortRow(shape, strides, 0, lhsValue) is { } lt) { (shape, strides) = (lt.Shape, lt.Strides); lhs = ctx.Weight(lt.Tiled, lhsValue.Name + "_tiled"); }
            bool isFloat = lhsValue.Type == DataType.Float && rhsValue.Type == DataType.Float;
            (string A, string B, string AStrides, string BStrides) names = isFloat ? ParameterNames : ("a", "b", "aStrides", "bStrides");
            var args = new (string, Arg)[] { (names.A, lhs), (names.B, rhs), ("destination", ctx.Output(0)), ("shape", Arg.Ints(shape)), (names.AStrides, Arg.Ints(strides[0])), (names.BStrides, Arg.Ints(strides[1])) };
            if (isFloat)
                ctx.Call(kernel ?? Kernel, args);
            else if (lhsValue.Type == rhsValue.Type)
                ctx.Call("Binary", new TypeArg[] { lhsValue.Type, TypeArg.Runtime("Operators." + (op ?? Operator)) }, args);
            else
                throw new UnsupportedException($"{OpType} on {DataTypes.OnnxName(lhsValue.Type)} and {DataTypes.OnnxName(rhsValue.Type)}");
        }
    }
}
