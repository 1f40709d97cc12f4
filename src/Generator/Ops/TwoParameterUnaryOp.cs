using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// A float unary op with two float attributes that its kernel takes as arguments of the same names: validated once,
    /// read with their defaults, passed to the kernel and to the folding reference.
    /// </summary>
    public abstract class TwoParameterUnaryOp : UnaryFloatOp
    {
        /// <summary>The attributes (and kernel arguments), each with its default.</summary>
        protected abstract (string Name, float Default) First { get; }
        protected abstract (string Name, float Default) Second { get; }

        protected abstract float Reference(float x, float first, float second);

        private (float First, float Second) Parameters(Node node) =>
            (FloatAttribute(node, First.Name, First.Default), FloatAttribute(node, Second.Name, Second.Default));

        protected sealed override void ValidateAttributes(Node node) => Parameters(node);

        protected sealed override float Reference(float x, Node node)
        {
            var (first, second) = Parameters(node);
            return Reference(x, first, second);
        }

        protected sealed override (string Name, Arg Value)[] ExtraArguments(Node node)
        {
            var (first, second) = Parameters(node);
            return new (string, Arg)[] { (First.Name, first), (Second.Name, second) };
        }
    }
}
