using System.Linq;
using ModelGen.Emit;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>Shared shape rule and emitter for float unary ops that map to one runtime kernel.</summary>
    public abstract class UnaryFloatOp : OpDefinition
    {
        /// <summary>The Kernels method to call, e.g. "Relu".</summary>
        protected abstract string Kernel { get; }

        /// <summary>Scalar reference used to fold constant inputs at build time.</summary>
        protected abstract float Reference(float x, Node node);

        public override void InferShapes(Node node)
        {
            Require(node.Inputs.Length >= 1 && node.Inputs[0] is not null, "expects one input");
            RequireFloat(node);
            node.Outputs[0].Type = DataType.Float;
            node.Outputs[0].Shape = node.Inputs[0]!.Shape;
        }

        public override bool TryFold(Node node)
        {
            var x = node.Inputs[0]!.Constant!;
            node.Outputs[0].Constant = Tensor.FromFloats(x.Shape, x.Floats!.Select(v => Reference(v, node)).ToArray());
            return true;
        }

        /// <summary>Extra arguments after (x, destination), e.g. ", 0.01f" for LeakyRelu's alpha.</summary>
        protected virtual string ExtraArguments(Node node) => "";

        public override void Emit(EmitContext ctx) =>
            ctx.Code.Line($"{EmitContext.Runtime}.Kernels.{Kernel}({ctx.Input(0)}, {ctx.Output(0)}{ExtraArguments(ctx.Node)});");
    }

    /// <summary>Shared shape rule (multidirectional broadcasting) and emitter for float binary ops.</summary>
    public abstract class BinaryFloatOp : OpDefinition
    {
        protected abstract string Kernel { get; }

        protected abstract double Reference(double a, double b);

        public override void InferShapes(Node node)
        {
            Require(node.Inputs.Length == 2 && node.Inputs[0] is not null && node.Inputs[1] is not null, "expects two inputs");
            var a = node.Inputs[0]!; var b = node.Inputs[1]!;
            Require(a.Type == b.Type, $"inputs have different element types {a.Type} and {b.Type}");
            var shape = Shapes.Broadcast(a.Shape!, b.Shape!);
            Require(shape is not null, $"shapes {Shapes.Format(a.Shape!)} and {Shapes.Format(b.Shape!)} do not broadcast");
            node.Outputs[0].Type = a.Type;
            node.Outputs[0].Shape = shape;
        }

        public override bool TryFold(Node node)
        {
            var a = node.Inputs[0]!; var b = node.Inputs[1]!;
            var shape = node.Outputs[0].Shape!;
            var sa = BroadcastStrides(a.Shape!, shape); var sb = BroadcastStrides(b.Shape!, shape);
            int n = Shapes.Size(shape);
            var result = new double[n];
            var strides = Shapes.Strides(shape);
            for (int i = 0; i < n; i++)
            {
                int ia = 0, ib = 0, rem = i;
                for (int d = 0; d < shape.Length; d++)
                {
                    int idx = rem / strides[d]; rem %= strides[d];
                    ia += idx * sa[d]; ib += idx * sb[d];
                }
                result[i] = Reference(a.Constant!.GetDouble(ia), b.Constant!.GetDouble(ib));
            }
            node.Outputs[0].Constant = Tensor.FromDoubles(a.Type, shape, result);
            return true;
        }

        /// <summary>Element strides of <paramref name="input"/> viewed through the output shape (0 on broadcast axes).</summary>
        public static int[] BroadcastStrides(int[] input, int[] output)
        {
            var strides = Shapes.Strides(input);
            var result = new int[output.Length];
            for (int d = 0; d < output.Length; d++)
            {
                int j = d - (output.Length - input.Length);
                result[d] = j < 0 || input[j] == 1 ? 0 : strides[j];
            }
            return result;
        }

        public override void Emit(EmitContext ctx)
        {
            RequireSupported(ctx.Node.Inputs[0]!.Type == DataType.Float, $"{OpType} on {ctx.Node.Inputs[0]!.Type} runs only at build time (constant inputs)");
            var shape = ctx.Node.Outputs[0].Shape!;
            string Ints(int[] v) => "new int[] { " + string.Join(", ", v) + " }";
            ctx.Code.Line($"{EmitContext.Runtime}.Kernels.{Kernel}({ctx.Input(0)}, {ctx.Input(1)}, {ctx.Output(0)}, {Ints(shape)}, " +
                $"{Ints(BroadcastStrides(ctx.Node.Inputs[0]!.Shape!, shape))}, {Ints(BroadcastStrides(ctx.Node.Inputs[1]!.Shape!, shape))});");
        }
    }
}
