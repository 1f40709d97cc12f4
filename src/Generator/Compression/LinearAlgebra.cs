using System;
using System.Collections.Generic;
using System.Linq;

namespace ModelGen.Compression
{
    /// <summary>
    /// The small numerical kernels compression needs, in double precision and deterministic (fixed sweep order, seeded
    /// random numbers, ties broken by index).
    /// </summary>
    internal static class LinearAlgebra
    {
        /// <summary>
        /// Eigen-decomposition of a symmetric n×n matrix (row-major, overwritten) by cyclic Jacobi rotations. Returns the
        /// eigenvalues in descending order and the matching eigenvectors as the columns of an n×n row-major matrix.
        /// </summary>
        public static (double[] Values, double[] Vectors) SymmetricEigen(double[] a, int n, Action<double>? progress = null)
        {
            // vt holds the eigenvectors as rows (contiguous rotations); A is kept symmetric, its rows updated contiguously
            // and mirrored into the columns.
            var vt = new double[n * n];
            for (int i = 0; i < n; i++) vt[i * n + i] = 1;
            double total = 0;
            for (int i = 0; i < n * n; i++) total += a[i] * a[i];
            const int maxSweeps = 60;
            for (int sweep = 0; sweep < maxSweeps; sweep++)
            {
                double off = 0;
                for (int p = 0; p < n; p++)
                    for (int q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
                if (off <= 1e-30 * Math.Max(total, 1e-300)) break;
                for (int p = 0; p < n - 1; p++)
                {
                    for (int q = p + 1; q < n; q++)
                    {
                        double apq = a[p * n + q];
                        double app = a[p * n + p], aqq = a[q * n + q];
                        // Negligible against both diagonal entries: skipping it changes nothing in double precision.
                        if (Math.Abs(apq) <= 1e-300 || Math.Abs(apq) < 1e-17 * Math.Sqrt(Math.Abs(app * aqq))) { a[p * n + q] = a[q * n + p] = 0; continue; }
                        double theta = (aqq - app) / (2 * apq);
                        double t = theta == 0 ? 1 : Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                        double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                        int rp = p * n, rq = q * n;
                        for (int k = 0; k < n; k++)
                        {
                            double apk = a[rp + k], aqk = a[rq + k];
                            double np = c * apk - s * aqk, nq = s * apk + c * aqk;
                            a[rp + k] = np;
                            a[rq + k] = nq;
                            a[k * n + p] = np;
                            a[k * n + q] = nq;
                        }
                        a[rp + p] = app - t * apq;
                        a[rq + q] = aqq + t * apq;
                        a[rp + q] = a[rq + p] = 0;
                        for (int k = 0; k < n; k++)
                        {
                            double vp = vt[rp + k], vq = vt[rq + k];
                            vt[rp + k] = c * vp - s * vq;
                            vt[rq + k] = s * vp + c * vq;
                        }
                    }
                }
                progress?.Invoke(Math.Min(1.0, (sweep + 1) / 10.0));
            }
            var order = Enumerable.Range(0, n).OrderByDescending(i => a[i * n + i]).ThenBy(i => i).ToArray();
            var values = order.Select(i => a[i * n + i]).ToArray();
            var vectors = new double[n * n];
            for (int j = 0; j < n; j++)
            {
                int src = order[j] * n;
                // Sign convention: the largest component of each eigenvector is positive (deterministic output).
                int big = 0;
                for (int k = 1; k < n; k++) if (Math.Abs(vt[src + k]) > Math.Abs(vt[src + big]) + 1e-15) big = k;
                double sign = vt[src + big] < 0 ? -1 : 1;
                for (int k = 0; k < n; k++) vectors[k * n + j] = sign * vt[src + k];
            }
            return (values, vectors);
        }

        /// <summary>
        /// Truncated factorization of the rows×cols matrix W (row-major) as A (rows×r) · B (r×cols), keeping the smallest
        /// rank r whose singular values hold <paramref name="energy"/> of Σσ². The singular values are split evenly
        /// (A = U√Σ, B = √Σ Vᵀ). Computed from the eigen-decomposition of the smaller Gram matrix.
        /// </summary>
        public static (int Rank, double[] A, double[] B, double[] Singular) LowRank(double[] w, int rows, int cols, double energy, Action<double>? progress = null)
        {
            bool byRows = rows <= cols; // Gram of the smaller side
            int n = byRows ? rows : cols;
            var g = new double[n * n];
            if (byRows)
            {
                for (int i = 0; i < rows; i++)
                    for (int j = i; j < rows; j++)
                    {
                        double s = 0;
                        for (int k = 0; k < cols; k++) s += w[i * cols + k] * w[j * cols + k];
                        g[i * n + j] = g[j * n + i] = s;
                    }
            }
            else
            {
                for (int r = 0; r < rows; r++)
                    for (int i = 0; i < cols; i++)
                    {
                        double wi = w[r * cols + i];
                        if (wi == 0) continue;
                        for (int j = i; j < cols; j++) g[i * n + j] += wi * w[r * cols + j];
                    }
                for (int i = 0; i < cols; i++)
                    for (int j = 0; j < i; j++) g[i * n + j] = g[j * n + i];
            }
            var (values, vectors) = SymmetricEigen(g, n, progress);
            var singular = values.Select(x => Math.Sqrt(Math.Max(0, x))).ToArray();
            double total = values.Sum(x => Math.Max(0, x));
            int rank = 0;
            double kept = 0;
            if (total > 0)
            {
                while (rank < n && kept < energy * total * (1 - 1e-12))
                {
                    kept += Math.Max(0, values[rank]);
                    rank++;
                }
                while (rank > 1 && singular[rank - 1] <= 1e-12 * singular[0]) rank--;
            }
            rank = Math.Max(rank, 1);
            var a = new double[rows * rank];
            var b = new double[rank * cols];
            for (int j = 0; j < rank; j++)
            {
                double sigma = singular[j];
                double root = Math.Sqrt(sigma);
                double inv = sigma > 0 ? 1 / root : 0;
                if (byRows)
                {
                    // U's column j is eigenvector j; Vᵀ's row j = uⱼᵀ W / σⱼ. A = u√σ, B = uᵀW/√σ.
                    for (int i = 0; i < rows; i++) a[i * rank + j] = vectors[i * n + j] * root;
                    for (int k = 0; k < cols; k++)
                    {
                        double s = 0;
                        for (int i = 0; i < rows; i++) s += vectors[i * n + j] * w[i * cols + k];
                        b[j * cols + k] = s * inv;
                    }
                }
                else
                {
                    // V's column j is eigenvector j; U's column j = W vⱼ / σⱼ. A = Wv/√σ, B = √σ vᵀ.
                    for (int i = 0; i < rows; i++)
                    {
                        double s = 0;
                        for (int k = 0; k < cols; k++) s += w[i * cols + k] * vectors[k * n + j];
                        a[i * rank + j] = s * inv;
                    }
                    for (int k = 0; k < cols; k++) b[j * cols + k] = vectors[k * n + j] * root;
                }
            }
            return (rank, a, b, singular);
        }

        /// <summary>
        /// k-means of <paramref name="count"/> points of <paramref name="dim"/> doubles: k-means++ seeding from a seeded
        /// generator, then a fixed number of Lloyd iterations. Returns fewer than k centroids when there are fewer
        /// distinct points (then the assignment is exact).
        /// </summary>
        public static (double[] Centroids, int K, int[] Assignment) KMeans(double[] points, int count, int dim, int k, SeededRandom random, int iterations = 25)
        {
            k = Math.Min(k, count);
            var centroids = new List<double[]>();
            var nearest = new double[count];
            for (int i = 0; i < count; i++) nearest[i] = double.PositiveInfinity;
            int first = random.Next(count);
            centroids.Add(Point(points, first, dim));
            Update(points, count, dim, centroids[0], nearest);
            while (centroids.Count < k)
            {
                double sum = 0;
                for (int i = 0; i < count; i++) sum += nearest[i];
                if (sum <= 0) break; // every point is a centroid already
                double target = random.NextDouble() * sum, acc = 0;
                int pick = -1;
                for (int i = 0; i < count; i++)
                {
                    if (nearest[i] <= 0) continue;
                    acc += nearest[i];
                    pick = i;
                    if (acc >= target) break;
                }
                if (pick < 0) break;
                centroids.Add(Point(points, pick, dim));
                Update(points, count, dim, centroids[centroids.Count - 1], nearest);
            }
            int kk = centroids.Count;
            var c = new double[kk * dim];
            for (int j = 0; j < kk; j++) Array.Copy(centroids[j], 0, c, j * dim, dim);
            var assign = new int[count];
            var sums = new double[kk * dim];
            var counts = new int[kk];
            for (int it = 0; it <= iterations; it++)
            {
                bool changed = Assign(points, count, dim, c, kk, assign) || it == 0;
                if (it == iterations || !changed) break;
                Array.Clear(sums, 0, sums.Length);
                Array.Clear(counts, 0, counts.Length);
                for (int i = 0; i < count; i++)
                {
                    counts[assign[i]]++;
                    for (int t = 0; t < dim; t++) sums[assign[i] * dim + t] += points[i * dim + t];
                }
                for (int j = 0; j < kk; j++)
                    if (counts[j] > 0)
                        for (int t = 0; t < dim; t++) c[j * dim + t] = sums[j * dim + t] / counts[j];
            }
            return (c, kk, assign);
        }

        private static double[] Point(double[] points, int i, int dim)
        {
            var p = new double[dim];
            Array.Copy(points, i * dim, p, 0, dim);
            return p;
        }

        private static void Update(double[] points, int count, int dim, double[] centroid, double[] nearest)
        {
            for (int i = 0; i < count; i++)
            {
                double d = 0;
                for (int t = 0; t < dim; t++) { double x = points[i * dim + t] - centroid[t]; d += x * x; }
                if (d < nearest[i]) nearest[i] = d;
            }
        }

        private static bool Assign(double[] points, int count, int dim, double[] c, int k, int[] assign)
        {
            bool changed = false;
            for (int i = 0; i < count; i++)
            {
                int best = 0;
                double bestD = double.PositiveInfinity;
                for (int j = 0; j < k; j++)
                {
                    double d = 0;
                    for (int t = 0; t < dim && d < bestD; t++) { double x = points[i * dim + t] - c[j * dim + t]; d += x * x; }
                    if (d < bestD) { bestD = d; best = j; }
                }
                if (assign[i] != best) changed = true;
                assign[i] = best;
            }
            return changed;
        }
    }
}
