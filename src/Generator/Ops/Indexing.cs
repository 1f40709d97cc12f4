using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>Checks and build-time helpers shared by the indexing ops (GatherElements, GatherND, the Scatters, OneHot, ...).</summary>
    internal static class Indexing
    {
        public static void RequireIndexType(Value v, string what)
        {
            if (v.Type is not (DataType.Int32 or DataType.Int64))
                throw new IrException($"{what} '{v.Name}' has type {DataTypes.OnnxName(v.Type)}; int32 or int64 expected");
        }

        /// <summary>Element types the arithmetic kernels (scatter reductions, TopK) take: numbers, not bool.</summary>
        public static void RequireNumeric(Value v, string what)
        {
            if (v.Type == DataType.Bool || !DataTypes.IsSupported(v.Type))
                throw new UnsupportedException($"{what} '{v.Name}' has element type {DataTypes.OnnxName(v.Type)}; numeric types are supported");
        }

        /// <summary>Checks every constant index against [-length, length) for its axis.</summary>
        public static void RequireInRange(long index, int length, string what)
        {
            if (index < -length || index >= length) throw new IrException($"{what} index {index} is outside [-{length}, {length})");
        }

        public static int Normalize(long index, int length) => (int)(index < 0 ? index + length : index);

        /// <summary>Row-major strides of <paramref name="shape"/> with the one of <paramref name="axis"/> set to 0.</summary>
        public static int[] StridesWithout(int[] shape, int axis)
        {
            var strides = Shapes.Strides(shape);
            strides[axis] = 0;
            return strides;
        }

        /// <summary>The scatter reduction attribute (opset 16+: none, add, mul; 18+: max, min) as the runtime enum member.</summary>
        public static string Reduction(Node node)
        {
            string reduction = node.Attributes.String("reduction", "none");
            string? member = reduction switch
            {
                "none" => "None",
                "add" when node.Opset >= 16 => "Add",
                "mul" when node.Opset >= 16 => "Mul",
                "max" when node.Opset >= 18 => "Max",
                "min" when node.Opset >= 18 => "Min",
                _ => null,
            };
            if (member is null) throw new IrException($"reduction '{reduction}' is not one of none, add, mul (opset 16+), max, min (opset 18+) at opset {node.Opset}");
            return member;
        }

        /// <summary>
        /// Folds a scatter: data with updates[u] combined into element t for each (u, t) pair in order, by the reduction
        /// (runtime enum member name). Integers combine as int64, floating types as double.
        /// </summary>
        public static Tensor Scatter(Node node, IEnumerable<(int Update, int Target)> pairs)
        {
            var data = node.Inputs[0]!.Constant!;
            var updates = node.Inputs[2]!.Constant!;
            var output = node.Outputs[0];
            string reduction = Reduction(node);
            if (Tensor.Family(output.Type) == 'l')
            {
                var y = data.AsLongs().ToArray();
                var u = updates.AsLongs();
                foreach (var (s, t) in pairs)
                    y[t] = reduction switch { "Add" => y[t] + u[s], "Mul" => y[t] * u[s], "Max" => Math.Max(y[t], u[s]), "Min" => Math.Min(y[t], u[s]), _ => u[s] };
                return Tensor.FromLongs(output.Type, output.Shape!, y);
            }
            var v = Enumerable.Range(0, data.Length).Select(data.GetDouble).ToArray();
            foreach (var (s, t) in pairs)
            {
                double w = updates.GetDouble(s);
                v[t] = reduction switch { "Add" => v[t] + w, "Mul" => v[t] * w, "Max" => Math.Max(v[t], w), "Min" => Math.Min(v[t], w), _ => w };
            }
            return Tensor.FromDoubles(output.Type, output.Shape!, v);
        }

        /// <summary>A one-element copy (scalar region) from input <paramref name="source"/>.</summary>
        public static Region Element(int src, int dst) => new(src, dst, new int[0], new int[0], new int[0]);

        public static TypeArg[] Types(Node node, int data, int indices) => new TypeArg[] { node.Inputs[data]!.Type, node.Inputs[indices]!.Type };

        public static int Product(int[] shape, int from, int to) => Shapes.Size(shape.Skip(from).Take(to - from).ToArray());
    }
}
