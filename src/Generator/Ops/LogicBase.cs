using System;
using System.Globalization;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Onnx.Proto;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// Shape rules, attribute checks and build-time evaluation shared by the comparison, logic, bitwise, Mod, BitShift
    /// and Where ops: multidirectional broadcasting of their inputs (<see cref="BinaryFloatOp.Collapse"/> describes it to
    /// the kernels) and element access that is exact for every type (uint64 held as the bits of a long).
    /// </summary>
    public static class Broadcasting
    {
        /// <summary>Checks the inputs are present, all of one of the allowed types, and broadcast; returns the output shape.</summary>
        public static int[] InferShape(Node node, int count, Func<DataType, bool> allowed, string allowedNames, bool sameTypes = true)
        {
            if (node.Inputs.Length != count || node.Inputs.Any(i => i is null))
                throw new IrException($"expects {count} input{(count == 1 ? "" : "s")}");
            var inputs = node.Inputs.Select(i => i!).ToArray();
            foreach (var v in inputs)
                if (!allowed(v.Type))
                    throw new UnsupportedException($"input '{v.Name}' has element type {DataTypes.OnnxName(v.Type)}; {node.OpType} supports {allowedNames}");
            if (sameTypes)
                foreach (var v in inputs)
                    if (v.Type != inputs[0].Type)
                        throw new IrException($"inputs have different element types {DataTypes.OnnxName(inputs[0].Type)} and {DataTypes.OnnxName(v.Type)}");
            // Opset-1 comparisons and logic ops broadcast by an attribute with legacy (axis-aligned) rules.
            if (node.Attributes.Has("broadcast"))
            {
                RequireInt(node, "broadcast");
                if (node.Attributes.Int("broadcast", 0) != 0)
                    throw new UnsupportedException("the legacy 'broadcast' attribute (opset 1) is not supported; use opset 7 or later");
            }
            var shape = Shapes.Broadcast(inputs.Select(v => v.Shape!).ToArray())
                ?? throw new IrException($"shapes {string.Join(", ", inputs.Select(v => Shapes.Format(v.Shape!)))} do not broadcast");
            if (node.Opset < 7 && inputs.Any(v => !v.Shape!.SequenceEqual(shape)))
                throw new IrException($"opset {node.Opset} requires inputs of one shape (broadcasting came in opset 7)");
            return shape;
        }

        /// <summary>Throws unless attribute <paramref name="name"/> is absent or an int.</summary>
        public static void RequireInt(Node node, string name)
        {
            var raw = node.Attributes.Raw(name);
            if (raw is not null && raw.Type != AttributeProto.Types.AttributeType.Int)
                throw new IrException($"attribute '{name}' must be an int, not {raw.Type}");
        }

        /// <summary>An int attribute that must be 0 or 1 (absent: <paramref name="fallback"/>).</summary>
        public static bool Flag(Node node, string name, bool fallback)
        {
            RequireInt(node, name);
            long v = node.Attributes.Int(name, fallback ? 1 : 0);
            if (v != 0 && v != 1) throw new IrException($"attribute '{name}' must be 0 or 1, not {v.ToString(CultureInfo.InvariantCulture)}");
            return v == 1;
        }

        public static bool IsNumericOrBool(DataType t) => DataTypes.CSharpName(t) is not null;

        /// <summary>Compares two elements of one type exactly: doubles for floating types, unsigned for uint64.</summary>
        public static int CompareElements(Tensor a, int i, Tensor b, int j, DataType type)
        {
            if (DataTypes.IsFloating(type))
            {
                double x = a.GetDouble(i), y = b.GetDouble(j);
                // Ordered: callers treat NaN separately; here it only needs to be consistent.
                return x < y ? -1 : x > y ? 1 : x == y ? 0 : 2;
            }
            if (type == DataType.UInt64)
                return ((ulong)a.GetLong(i)).CompareTo((ulong)b.GetLong(j));
            return a.GetLong(i).CompareTo(b.GetLong(j));
        }

        /// <summary>Evaluates a two-input op on constants element by element into a long-backed tensor (ints, bool).</summary>
        public static Tensor FoldLongs(Node node, DataType outputType, Func<Tensor, int, Tensor, int, long> element)
        {
            var a = node.Inputs[0]!.Constant!; var b = node.Inputs[1]!.Constant!;
            var shape = node.Outputs[0].Shape!;
            var ia = BinaryFloatOp.BroadcastIndex(a.Shape, shape);
            var ib = BinaryFloatOp.BroadcastIndex(b.Shape, shape);
            var result = new long[ia.Length];
            for (int k = 0; k < result.Length; k++) result[k] = element(a, ia[k], b, ib[k]);
            return Tensor.FromLongs(outputType, shape, result);
        }

        /// <summary>The collapsed broadcast description of the node's inputs against its output, as kernel arguments.</summary>
        public static (Arg Shape, Arg[] Strides) Describe(Node node)
        {
            var (shape, strides) = BinaryFloatOp.Collapse(node.Outputs[0].Shape!, node.Inputs.Select(v => v!.Shape!).ToArray());
            return (Arg.Ints(shape), strides.Select(s => Arg.Ints(s)).ToArray());
        }

        /// <summary>Calls a two-operand broadcasting kernel (a, b, destination, shape, aStrides, bStrides, extra...).</summary>
        public static void CallBinary(LoweringContext ctx, string kernel, TypeArg[] typeArguments, params (string Name, Arg Value)[] extra)
        {
            var (shape, strides) = Describe(ctx.Node);
            ctx.Call(kernel, typeArguments, new (string, Arg)[]
            {
                ("a", ctx.Input(0)), ("b", ctx.Input(1)), ("destination", ctx.Output(0)), ("shape", shape), ("aStrides", strides[0]), ("bStrides", strides[1]),
            }.Concat(extra).ToArray());
        }
    }

    /// <summary>Equal, Less, LessOrEqual, Greater, GreaterOrEqual: a bool tensor from two broadcast numeric inputs.</summary>
    public abstract class ComparisonOp : OpDefinition
    {
        /// <summary>The runtime operator, e.g. "LessOperator".</summary>
        protected abstract string Operator { get; }

        /// <summary>Whether the result holds for an ordering (-1 less, 0 equal, 1 greater; NaN is never passed).</summary>
        protected abstract bool Holds(int order);

        /// <summary>Whether bool inputs are allowed (Equal only).</summary>
        protected virtual bool AllowsBool => false;

        public override void InferShapes(Node node)
        {
            var shape = Broadcasting.InferShape(node, 2, t => BinaryFloatOp.IsNumeric(t) || (AllowsBool && t == DataType.Bool),
                AllowsBool ? "numeric types and bool" : "numeric types");
            node.Outputs[0].Type = DataType.Bool;
            node.Outputs[0].Shape = shape;
        }

        public override bool TryFold(Node node)
        {
            var type = node.Inputs[0]!.Type;
            node.Outputs[0].Constant = Broadcasting.FoldLongs(node, DataType.Bool, (a, i, b, j) =>
            {
                int order = Broadcasting.CompareElements(a, i, b, j, type);
                return order != 2 && Holds(order) ? 1 : 0;
            });
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            var type = ctx.Node.Inputs[0]!.Type;
            var op = TypeArg.Runtime("Operators." + Operator);
            Broadcasting.CallBinary(ctx, "Compare", type == DataType.Bool ? new[] { op } : new[] { (TypeArg)type, op });
        }
    }

    /// <summary>And, Or, Xor on bool, and BitwiseAnd, BitwiseOr, BitwiseXor on integers: one bitwise kernel.</summary>
    public abstract class BitwiseBinaryOp : OpDefinition
    {
        /// <summary>The runtime operator, e.g. "BitwiseAndOperator".</summary>
        protected abstract string Operator { get; }

        /// <summary>True for the logical ops (bool inputs), false for the bitwise ones (integer inputs).</summary>
        protected abstract bool Logical { get; }

        protected abstract long Reference(long a, long b);

        public override void InferShapes(Node node)
        {
            var shape = Logical
                ? Broadcasting.InferShape(node, 2, t => t == DataType.Bool, "bool")
                : Broadcasting.InferShape(node, 2, DataTypes.IsInteger, "integer types");
            node.Outputs[0].Type = node.Inputs[0]!.Type;
            node.Outputs[0].Shape = shape;
        }

        public override bool TryFold(Node node)
        {
            var type = node.Outputs[0].Type;
            node.Outputs[0].Constant = Broadcasting.FoldLongs(node, type, (a, i, b, j) => BinaryFloatOp.Wrap(type, Reference(a.GetLong(i), b.GetLong(j))));
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            var op = TypeArg.Runtime("Operators." + Operator);
            if (Logical) Broadcasting.CallBinary(ctx, "Logical", new[] { op });
            else Broadcasting.CallBinary(ctx, "Bitwise", new[] { (TypeArg)ctx.Node.Inputs[0]!.Type, op });
        }
    }
}
