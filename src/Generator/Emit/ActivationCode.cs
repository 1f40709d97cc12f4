using ModelGen.Plan;

namespace ModelGen.Emit
{
    /// <summary>C# for a fused activation inside generated kernels: Relu and Clip inline, the others through the runtime's one definition.</summary>
    internal static class ActivationCode
    {
        private const string Runtime = "global::ModelGen.Runtime";

        /// <summary>
        /// The runtime operator struct computing the activation (the one definition kernels use too), called directly so the
        /// JIT inlines it; a call through FusedActivation would cost a non-inlined call and a switch per vector.
        /// </summary>
        private static string Operator(ActivationSpec a) => a.Kind switch
        {
            "LeakyRelu" => $"new {Runtime}.Operators.LeakyReluOperator({CSharpLiterals.Float(a.Alpha)})",
            "HardSigmoid" => $"new {Runtime}.Operators.HardSigmoidOperator({CSharpLiterals.Float(a.Alpha)}, {CSharpLiterals.Float(a.Beta)})",
            _ => $"{Runtime}.Operators.{a.Kind}Operator",
        };

        /// <summary>Scalar C# applying the activation to <paramref name="x"/> (a float expression without side effects).</summary>
        public static string Scalar(ActivationSpec? a, string x) => a?.Kind switch
        {
            null => x,
            "Relu" => $"global::System.MathF.Max({x}, 0f)",
            "Clip" => $"global::System.MathF.Min(global::System.MathF.Max({x}, {CSharpLiterals.Float(a.Alpha)}), {CSharpLiterals.Float(a.Beta)})",
            _ => $"{Operator(a)}.Invoke({x})",
        };

        /// <summary>Vector C# (<paramref name="vector"/> is e.g. "global::System.Runtime.Intrinsics.Vector512") for the activation.</summary>
        public static string Vector(ActivationSpec? a, string vector, string x) => a?.Kind switch
        {
            null => x,
            "Relu" => $"{vector}.Max({x}, {vector}<float>.Zero)",
            "Clip" => $"{vector}.Min({vector}.Max({x}, {vector}.Create({CSharpLiterals.Float(a.Alpha)})), {vector}.Create({CSharpLiterals.Float(a.Beta)}))",
            _ => $"{Operator(a)}.Invoke({x})",
        };
    }
}
