using ModelGen.Plan;

namespace ModelGen.Emit
{
    /// <summary>C# for a fused activation inside generated kernels: Relu and Clip inline, the others through the runtime's one definition.</summary>
    internal static class ActivationCode
    {
        private const string Runtime = "global::ModelGen.Runtime";

        /// <summary>The runtime FusedActivation value for an epilogue, or <c>default</c> for none.</summary>
        public static string Struct(ActivationSpec? a) => a is null
            ? "default"
            : $"new {Runtime}.FusedActivation({Runtime}.ActivationKind.{a.Kind}, {CSharpLiterals.Float(a.Alpha)}, {CSharpLiterals.Float(a.Beta)})";

        /// <summary>True when generated code needs a local <c>act</c> holding <see cref="Struct"/>.</summary>
        public static bool NeedsLocal(ActivationSpec? a) => a is not null && a.Kind is not ("Relu" or "Clip");

        /// <summary>Scalar C# applying the activation to <paramref name="x"/> (a float expression without side effects).</summary>
        public static string Scalar(ActivationSpec? a, string x) => a?.Kind switch
        {
            null => x,
            "Relu" => $"global::System.MathF.Max({x}, 0f)",
            "Clip" => $"global::System.MathF.Min(global::System.MathF.Max({x}, {CSharpLiterals.Float(a.Alpha)}), {CSharpLiterals.Float(a.Beta)})",
            _ => $"act.Apply({x})",
        };

        /// <summary>Vector C# (<paramref name="vector"/> is e.g. "global::System.Runtime.Intrinsics.Vector512") for the activation.</summary>
        public static string Vector(ActivationSpec? a, string vector, string x) => a?.Kind switch
        {
            null => x,
            "Relu" => $"{vector}.Max({x}, {vector}<float>.Zero)",
            "Clip" => $"{vector}.Min({vector}.Max({x}, {vector}.Create({CSharpLiterals.Float(a.Alpha)})), {vector}.Create({CSharpLiterals.Float(a.Beta)}))",
            _ => $"act.Apply({x})",
        };
    }
}
