using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using ModelGen.Runtime.Operators;

namespace ModelGen.Runtime;

/// <summary>An elementwise activation a Conv, Gemm or MatMul kernel applies while it writes its output.</summary>
public enum ActivationKind
{
    None = 0,
    Relu,
    /// <summary>x ≥ 0 ? x : Alpha·x.</summary>
    LeakyRelu,
    /// <summary>min(max(x, Alpha), Beta).</summary>
    Clip,
    Sigmoid,
    /// <summary>max(0, min(1, Alpha·x + Beta)).</summary>
    HardSigmoid,
    /// <summary>x · max(0, min(1, x/6 + 1/2)).</summary>
    HardSwish,
    Tanh,
    /// <summary>SiLU (swish): x · sigmoid(x), as a Sigmoid followed by a Mul with its own input.</summary>
    Silu,
}

/// <summary>
/// A fused activation and its parameters; <c>default</c> is none. Every form (scalar, each vector width, a whole span)
/// computes through the same operator structs as the elementwise kernels (<see cref="ReluOperator"/>,
/// <see cref="SigmoidOperator"/>, ...), so a fused Conv/Gemm/MatMul gives the same bits as the unfused node followed by
/// the activation kernel, whatever the output element's position.
/// </summary>
public readonly struct FusedActivation
{
    public FusedActivation(ActivationKind kind, float alpha = 0f, float beta = 0f)
    {
        Kind = kind;
        Alpha = alpha;
        Beta = beta;
    }

    public ActivationKind Kind { get; }
    public float Alpha { get; }
    public float Beta { get; }

    public static FusedActivation None => default;

    /// <summary>True for activations that are a compare or two (none, Relu, LeakyRelu, Clip): kernels apply those in registers.</summary>
    public bool IsSimple => Kind <= ActivationKind.Clip;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Vector512<float> ApplySimple(Vector512<float> x) => Kind switch
    {
        ActivationKind.Relu => ReluOperator.Invoke(x),
        ActivationKind.LeakyRelu => new LeakyReluOperator(Alpha).Invoke(x),
        ActivationKind.Clip => new ClipOperator(Alpha, Beta).Invoke(x),
        _ => x,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Vector256<float> ApplySimple(Vector256<float> x) => Kind switch
    {
        ActivationKind.Relu => ReluOperator.Invoke(x),
        ActivationKind.LeakyRelu => new LeakyReluOperator(Alpha).Invoke(x),
        ActivationKind.Clip => new ClipOperator(Alpha, Beta).Invoke(x),
        _ => x,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Vector128<float> ApplySimple(Vector128<float> x) => Kind switch
    {
        ActivationKind.Relu => ReluOperator.Invoke(x),
        ActivationKind.LeakyRelu => new LeakyReluOperator(Alpha).Invoke(x),
        ActivationKind.Clip => new ClipOperator(Alpha, Beta).Invoke(x),
        _ => x,
    };

    public float Apply(float x) => Kind switch
    {
        ActivationKind.None => x,
        ActivationKind.Relu => ReluOperator.Invoke(x),
        ActivationKind.LeakyRelu => new LeakyReluOperator(Alpha).Invoke(x),
        ActivationKind.Clip => new ClipOperator(Alpha, Beta).Invoke(x),
        ActivationKind.Sigmoid => SigmoidOperator.Invoke(x),
        ActivationKind.HardSigmoid => new HardSigmoidOperator(Alpha, Beta).Invoke(x),
        ActivationKind.HardSwish => HardSwishOperator.Invoke(x),
        ActivationKind.Tanh => TanhOperator.Invoke(x),
        ActivationKind.Silu => SiluOperator.Invoke(x),
        _ => x,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Apply(Vector512<float> x) => IsSimple ? ApplySimple(x) : ApplySlow(x);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private Vector512<float> ApplySlow(Vector512<float> x) => Kind switch
    {
        ActivationKind.Sigmoid => SigmoidOperator.Invoke(x),
        ActivationKind.HardSigmoid => new HardSigmoidOperator(Alpha, Beta).Invoke(x),
        ActivationKind.HardSwish => HardSwishOperator.Invoke(x),
        ActivationKind.Tanh => TanhOperator.Invoke(x),
        ActivationKind.Silu => SiluOperator.Invoke(x),
        _ => x,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Apply(Vector256<float> x) => IsSimple ? ApplySimple(x) : ApplySlow(x);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private Vector256<float> ApplySlow(Vector256<float> x) => Kind switch
    {
        ActivationKind.Sigmoid => SigmoidOperator.Invoke(x),
        ActivationKind.HardSigmoid => new HardSigmoidOperator(Alpha, Beta).Invoke(x),
        ActivationKind.HardSwish => HardSwishOperator.Invoke(x),
        ActivationKind.Tanh => TanhOperator.Invoke(x),
        ActivationKind.Silu => SiluOperator.Invoke(x),
        _ => x,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Apply(Vector128<float> x) => IsSimple ? ApplySimple(x) : ApplySlow(x);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private Vector128<float> ApplySlow(Vector128<float> x) => Kind switch
    {
        ActivationKind.Sigmoid => SigmoidOperator.Invoke(x),
        ActivationKind.HardSigmoid => new HardSigmoidOperator(Alpha, Beta).Invoke(x),
        ActivationKind.HardSwish => HardSwishOperator.Invoke(x),
        ActivationKind.Tanh => TanhOperator.Invoke(x),
        ActivationKind.Silu => SiluOperator.Invoke(x),
        _ => x,
    };

    /// <summary>Applies the activation to every element in place, through the one unary driver (<see cref="Kernels.Unary{TOp}(ReadOnlySpan{float}, Span{float}, TOp)"/>).</summary>
    public void Apply(Span<float> values)
    {
        switch (Kind)
        {
            case ActivationKind.Relu: InPlace(values, default(StatelessUnary<ReluOperator>)); break;
            case ActivationKind.LeakyRelu: InPlace(values, new LeakyReluOperator(Alpha)); break;
            case ActivationKind.Clip: InPlace(values, new ClipOperator(Alpha, Beta)); break;
            case ActivationKind.Sigmoid: InPlace(values, default(StatelessUnary<SigmoidOperator>)); break;
            case ActivationKind.HardSigmoid: InPlace(values, new HardSigmoidOperator(Alpha, Beta)); break;
            case ActivationKind.HardSwish: InPlace(values, default(StatelessUnary<HardSwishOperator>)); break;
            case ActivationKind.Tanh: InPlace(values, default(StatelessUnary<TanhOperator>)); break;
            case ActivationKind.Silu: InPlace(values, default(StatelessUnary<SiluOperator>)); break;
        }
    }

    /// <summary>
    /// One driver instance per activation, each compiled on its own: inlined into the switch above they would share one
    /// method's inlining budget, which runs out and leaves the operator math as calls.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void InPlace<TOp>(Span<float> values, TOp op) where TOp : struct, IStatefulUnaryOperator => Kernels.Unary(values, values, op);

    /// <summary>Applies the activation to <paramref name="count"/> floats from <paramref name="values"/> in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Apply(ref float values, int count)
    {
        if (Kind != ActivationKind.None) Apply(MemoryMarshal.CreateSpan(ref values, count));
    }
}
