using System;
using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// Det: the determinant of each square matrix in the last two axes ([*, M, M] → [*]), by Gaussian elimination with
    /// partial pivoting (LU, as ONNX Runtime does). Folds on constants; otherwise Kernels.Det with one M·M scratch matrix.
    /// </summary>
    public sealed class DetOp : OpDefinition
    {
        public override string OpType => "Det";

        public override void InferShapes(Node node)
        {
            Require(node.Input(0) is not null, "needs X");
            Require(node.Outputs.Length == 1, "has one output");
            RequireFloat(node);
            var x = node.Inputs[0]!.Shape!;
            Require(x.Length >= 2 && x[x.Length - 1] == x[x.Length - 2], $"X {Shapes.Format(x)} must end in square matrices");
            node.Outputs[0].Type = DataType.Float;
            node.Outputs[0].Shape = x.Take(x.Length - 2).ToArray();
        }

        private static (int Batches, int Size) Layout(Node node)
        {
            var x = node.Inputs[0]!.Shape!;
            return (Indexing.Product(x, 0, x.Length - 2), x[x.Length - 1]);
        }

        public override long ScratchBytes(Node node)
        {
            var (_, n) = Layout(node);
            return 4L * n * n;
        }

        public override bool TryFold(Node node)
        {
            var (batches, n) = Layout(node);
            var x = node.Inputs[0]!.Constant!.AsFloats();
            var result = new float[batches];
            var matrix = new double[n * n];
            for (int b = 0; b < batches; b++)
            {
                for (int i = 0; i < n * n; i++) matrix[i] = x[b * n * n + i];
                result[b] = (float)Determinant(matrix, n);
            }
            node.Outputs[0].Constant = Tensor.FromFloats(node.Outputs[0].Shape!, result);
            return true;
        }

        /// <summary>Eliminates <paramref name="a"/> (row-major n×n) in place and returns the product of the pivots, signed by the row swaps.</summary>
        private static double Determinant(double[] a, int n)
        {
            double det = 1;
            for (int k = 0; k < n; k++)
            {
                int pivot = k;
                for (int r = k + 1; r < n; r++)
                    if (Math.Abs(a[r * n + k]) > Math.Abs(a[pivot * n + k])) pivot = r;
                if (a[pivot * n + k] == 0) return 0;
                if (pivot != k)
                {
                    for (int c = 0; c < n; c++) (a[k * n + c], a[pivot * n + c]) = (a[pivot * n + c], a[k * n + c]);
                    det = -det;
                }
                double p = a[k * n + k];
                det *= p;
                for (int r = k + 1; r < n; r++)
                {
                    double f = a[r * n + k] / p;
                    for (int c = k + 1; c < n; c++) a[r * n + c] -= f * a[k * n + c];
                }
            }
            return det;
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            var (batches, n) = Layout(node);
            if (batches == 0) return;
            ctx.Call("Det", ("x", ctx.Input(0)), ("y", ctx.Output(0)), ("batches", batches), ("size", n), ("scratch", ctx.Scratch()));
        }
    }
}
