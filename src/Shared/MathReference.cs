using System;

namespace ModelGen
{
    /// <summary>
    /// Double-precision functions netstandard2.0's Math lacks, compiled into both the generator (build-time folding) and
    /// the runtime (the double kernels), so a folded constant and a run-time value come from the same code.
    /// </summary>
    internal static class MathReference
    {
        public static double CopySign(double magnitude, double sign) => (sign < 0 || (sign == 0 && 1 / sign < 0)) ? -Math.Abs(magnitude) : Math.Abs(magnitude);

        public static double Asinh(double x) => double.IsInfinity(x) ? x : Math.Sign(x) * Math.Log(Math.Abs(x) + Math.Sqrt(x * x + 1)) + (x == 0 ? x : 0);

        public static double Acosh(double x) => x < 1 ? double.NaN : Math.Log(x + Math.Sqrt(x * x - 1));

        public static double Atanh(double x) => Math.Abs(x) > 1 ? double.NaN : 0.5 * Math.Log((1 + x) / (1 - x)) + (x == 0 ? x : 0);

        /// <summary>erf: the Maclaurin series near 0, a continued fraction for erfc beyond.</summary>
        public static double Erf(double x)
        {
            if (double.IsNaN(x)) return x;
            double z = Math.Abs(x);
            if (z > 6) return CopySign(1.0, x);
            double r;
            if (z < 2.5)
            {
                // Σ (-1)^n z^(2n+1) / (n! (2n+1)), times 2/√π; converges fast for z < 2.5.
                double term = z, sum = z;
                for (int n = 1; n < 80; n++)
                {
                    term *= -z * z / n;
                    double add = term / (2 * n + 1);
                    sum += add;
                    if (Math.Abs(add) < 1e-17 * Math.Abs(sum)) break;
                }
                r = sum * 2 / Math.Sqrt(Math.PI);
            }
            else
            {
                // erfc z = e^(-z²)/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + 2/(z + ...))))), evaluated from the tail.
                double f = z;
                for (int k = 60; k >= 1; k--) f = z + k / 2.0 / f;
                r = 1 - Math.Exp(-z * z) / Math.Sqrt(Math.PI) / f;
            }
            return CopySign(r, x);
        }
    }
}
