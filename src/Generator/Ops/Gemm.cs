using System;
using System.Linq;
using ModelGen.Emit;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// Gemm: Y = alpha·A'·B' + beta·C. Constant operands are transposed and scaled at build time, so the kernel only
    /// ever sees row-major A[M,K], B[K,N] and a ready bias.
    /// </summary>
    public sealed class Gemm : OpDefinition
    {
        public override string OpType => "Gemm";

        private static (int M, int N, int K) Dims(Node node)
        {
            var a = node.Inputs[0]!.Shape!; var b = node.Inputs[1]!.Shape!;
            bool ta = node.Attributes.Int("transA", 0) != 0, tb = node.Attributes.Int("transB", 0) != 0;
            int m = ta ? a[1] : a[0], k = ta ? a[0] : a[1];
            int kb = tb ? b[1] : b[0], n = tb ? b[0] : b[1];
            Require(k == kb, $"inner dimensions differ: A {Shapes.Format(a)}, B {Shapes.Format(b)}");
            return (m, n, k);
        }

        public override void InferShapes(Node node)
        {
            Require(node.Inputs.Length >= 2 && node.Inputs[0] is not null && node.Inputs[1] is not null, "expects A and B");
            RequireFloat(node, 0);
            RequireFloat(node, 1);
            Require(node.Inputs[0]!.Rank == 2 && node.Inputs[1]!.Rank == 2, "A and B must be matrices");
            var (m, n, _) = Dims(node);
            var c = node.Input(2);
            if (c is not null)
                Require(Shapes.Broadcast(c.Shape!, new[] { m, n }) is { } s && s[0] == m && s[1] == n, $"C {Shapes.Format(c.Shape!)} does not broadcast to [{m}x{n}]");
            node.Outputs[0].Type = DataType.Float;
            node.Outputs[0].Shape = new[] { m, n };
        }

        public override long Macs(Node node)
        {
            var (m, n, k) = Dims(node);
            return (long)m * n * k;
        }

        public override long ScratchBytes(Node node)
        {
            var (m, n, k) = Dims(node);
            long bytes = 0;
            if (node.Attributes.Int("transA", 0) != 0 && node.Inputs[0]!.Constant is null) bytes += MemoryAlign(m * k * 4L);
            if (node.Attributes.Int("transB", 0) != 0 && node.Inputs[1]!.Constant is null) bytes += MemoryAlign(k * n * 4L);
            return bytes;
        }

        private static long MemoryAlign(long bytes) => Passes.MemoryPlanner.Align(bytes);

        public override void Emit(EmitContext ctx)
        {
            var node = ctx.Node;
            var (m, n, k) = Dims(node);
            bool ta = node.Attributes.Int("transA", 0) != 0, tb = node.Attributes.Int("transB", 0) != 0;
            float alpha = node.Attributes.Float("alpha", 1f), beta = node.Attributes.Float("beta", 1f);
            string R = EmitContext.Runtime;
            long scratchOffset = 0;

            string Operand(int index, bool transpose, int rows, int cols)
            {
                var v = node.Inputs[index]!;
                if (!transpose) return ctx.Input(index);
                if (v.Constant is not null) return ctx.Weight(Transpose(v.Constant, rows, cols), v.Name + "_T");
                string buffer = $"{ctx.Scratch()}.Slice({scratchOffset / 4}, {rows * cols})";
                scratchOffset += MemoryAlign(rows * cols * 4L);
                ctx.Code.Line($"{R}.Kernels.Transpose2D({ctx.Input(index)}, {buffer}, {rows}, {cols});");
                return buffer;
            }

            string a = Operand(0, ta, k, m);
            string b = Operand(1, tb, n, k);
            string bias = "default";
            var c = node.Input(2);
            bool runtimeC = false;
            if (c is not null && beta != 0)
            {
                if (c.Constant is not null)
                {
                    // Expand to [N] when C broadcasts along rows, else to [M,N]; scale by beta now.
                    bool rowBias = c.Shape!.Length == 0 || c.Shape.Length == 1 || c.Shape[0] == 1;
                    int len = rowBias ? n : m * n;
                    var data = new float[len];
                    var strides = BinaryFloatOp.BroadcastStrides(c.Shape!, new[] { rowBias ? 1 : m, n });
                    for (int i = 0; i < len; i++)
                        data[i] = beta * c.Constant.Floats![(i / n) * strides[0] + (i % n) * strides[1]];
                    bias = ctx.Weight(Tensor.FromFloats(new[] { len }, data), c.Name + "_bias");
                }
                else runtimeC = true;
            }
            ctx.Code.Line($"{R}.Kernels.Gemm({a}, {b}, {bias}, {ctx.Output(0)}, {m}, {n}, {k}, {CSharpLiterals.Float(alpha)});");
            if (runtimeC)
            {
                var shape = new[] { m, n };
                string Ints(int[] v) => "new int[] { " + string.Join(", ", v) + " }";
                if (beta != 1f) throw new Ir.UnsupportedException("a run-time C input with beta other than 1");
                ctx.Code.Line($"{R}.Kernels.Add({ctx.Output(0)}, {ctx.Input(2)}, {ctx.Output(0)}, {Ints(shape)}, {Ints(BinaryFloatOp.BroadcastStrides(shape, shape))}, {Ints(BinaryFloatOp.BroadcastStrides(c!.Shape!, shape))});");
            }
        }

        /// <summary>The [cols, rows] transpose of a row-major [rows, cols] constant.</summary>
        private static Tensor Transpose(Tensor t, int rows, int cols)
        {
            var src = t.Floats!;
            var dst = new float[src.Length];
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                    dst[c * rows + r] = src[r * cols + c];
            return Tensor.FromFloats(new[] { cols, rows }, dst);
        }
    }
}
