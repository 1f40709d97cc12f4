using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Common;
using ModelGen.Ir;

namespace ModelGen.Plan
{
    /// <summary>
    /// One argument of a plan step, typed: a buffer (or a slice of one), scratch memory, a number, a runtime enum or
    /// struct. The emitter turns it into C#; nothing else does.
    /// </summary>
    public abstract record Arg
    {
        public static implicit operator Arg(int value) => new IntArg(value);
        public static implicit operator Arg(long value) => new IntArg(value);
        public static implicit operator Arg(float value) => new FloatArg(value);
        public static implicit operator Arg(bool value) => new BoolArg(value);

        /// <summary>An omitted optional span or struct (C# <c>default</c>).</summary>
        public static readonly Arg None = new DefaultArg();

        public static Arg Ints(IEnumerable<int> values) => new IntsArg(new EquatableArray<int>(values.ToArray()));

        /// <summary>A value of a runtime enum, e.g. <c>Enum("PoolDivisor", "Valid")</c>.</summary>
        public static Arg Enum(string type, string member) => new EnumArg(type, member);

        /// <summary>A runtime struct built with named constructor arguments, e.g. ConvGeometry.</summary>
        public static Arg New(string type, params (string Name, Arg Value)[] fields) =>
            new NewArg(type, new EquatableArray<NamedArg>(fields.Select(f => new NamedArg(f.Name, f.Value))));
    }

    /// <summary>A buffer's elements: all of them, or <see cref="Length"/> elements from <see cref="Start"/>.</summary>
    public sealed record BufferArg(int Buffer, int Start = 0, int Length = -1) : Arg
    {
        public bool IsWhole => Start == 0 && Length < 0;

        public BufferArg Slice(int start, int length) => new(Buffer, Start + start, length);
    }

    /// <summary>One element of a buffer (<c>x[i]</c>).</summary>
    public sealed record ElementArg(int Buffer, int Index) : Arg;

    /// <summary>Part of the step's planned scratch memory, viewed as <see cref="Type"/>: bytes [Offset, Offset + Bytes).</summary>
    public sealed record ScratchArg(DataType Type, long Offset, long Bytes) : Arg;

    public sealed record IntArg(long Value) : Arg;

    public sealed record FloatArg(float Value) : Arg;

    public sealed record BoolArg(bool Value) : Arg;

    /// <summary>A literal of any element type (fill values, clip bounds). Integers keep their exact bits in <see cref="Bits"/>.</summary>
    public sealed record ScalarArg(DataType Type, double Value, long Bits) : Arg
    {
        public static ScalarArg From(Tensor t, int index, DataType type) => new(type, t.GetDouble(index), t.GetLong(index));
    }

    public sealed record IntsArg(EquatableArray<int> Values) : Arg;

    public sealed record EnumArg(string Type, string Member) : Arg;

    public sealed record NewArg(string Type, EquatableArray<NamedArg> Fields) : Arg;

    public sealed record DefaultArg : Arg;

    /// <summary>A runtime parameter name and its value: generated calls name every argument.</summary>
    public sealed record NamedArg(string Name, Arg Value);

    /// <summary>A generic type argument: an element type, or a runtime type such as <c>Operators.AddOperator</c>.</summary>
    public sealed record TypeArg(DataType Element, string? RuntimeType = null)
    {
        public static implicit operator TypeArg(DataType type) => new(type);

        public static TypeArg Runtime(string name) => new(DataType.Undefined, name);
    }
}
