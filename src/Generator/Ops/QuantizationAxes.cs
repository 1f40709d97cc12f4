using System;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Onnx;

namespace ModelGen.Ops
{
    /// <summary>
    /// How QuantizeLinear and DequantizeLinear apply their scale and zero point to x, viewed as [outer, AxisLength, Inner]
    /// around the quantization axis: per-tensor (one scale), per-axis (a 1-D scale along axis, opset 13) or blocked
    /// (opset 21 block_size: the scale has x's shape with the axis cut into ceil(AxisLength / BlockSize) blocks).
    /// The kernels (Kernels.QuantizeLinear/DequantizeLinear) take AxisLength, Inner and BlockSize as they are here.
    /// </summary>
    internal sealed class QuantizationAxes
    {
        private QuantizationAxes(int axisLength, int inner, int blockSize, bool perTensor)
        {
            AxisLength = axisLength;
            Inner = inner;
            BlockSize = blockSize;
            PerTensor = perTensor;
        }

        public int AxisLength { get; }
        public int Inner { get; }
        /// <summary>0 unless blocked.</summary>
        public int BlockSize { get; }
        public bool PerTensor { get; }

        /// <summary>Checks the scale and zero point shapes against x and the attributes (IrException when they do not fit).</summary>
        public static QuantizationAxes Resolve(Node node, Value x, Value scale, Value? zeroPoint)
        {
            var s = scale.Shape!;
            // A scalar scale with a one-element 1-D zero point (or the reverse) is per-tensor too.
            bool bothSingle = zeroPoint is not null && s.Length <= 1 && zeroPoint.Shape!.Length <= 1 && Shapes.Size(s) == 1 && Shapes.Size(zeroPoint.Shape!) == 1;
            if (zeroPoint is not null && !bothSingle && !zeroPoint.Shape!.SequenceEqual(s))
                throw new IrException($"zero point '{zeroPoint.Name}' has shape {Shapes.Format(zeroPoint.Shape!)} but scale '{scale.Name}' has {Shapes.Format(s)}; they must match");
            long blockSize = node.Opset >= 21 ? node.Attributes.Int("block_size", 0) : 0;
            if (blockSize < 0) throw new IrException($"block_size {blockSize} is negative");
            var shape = x.Shape!;
            int rank = shape.Length;
            if (blockSize == 0)
            {
                if (s.Length <= 1 && Shapes.Size(s) == 1) return new QuantizationAxes(1, Shapes.Size(shape), 0, true);
                if (node.Opset < 13) throw new IrException($"scale '{scale.Name}' has shape {Shapes.Format(s)}; before opset 13 it must be a scalar");
                if (s.Length != 1) throw new IrException($"scale '{scale.Name}' has shape {Shapes.Format(s)}; it must be a scalar or 1-D (per-axis) without block_size");
                int axis = Shapes.NormalizeAxis(node.Attributes.Int("axis", 1), rank);
                if (s[0] != shape[axis])
                    throw new IrException($"scale '{scale.Name}' has {s[0]} elements but axis {axis} of '{x.Name}' {Shapes.Format(shape)} has {shape[axis]}");
                return new QuantizationAxes(shape[axis], InnerSize(shape, axis), 0, false);
            }
            {
                int axis = Shapes.NormalizeAxis(node.Attributes.Int("axis", 1), rank);
                int blocks = (int)((shape[axis] + blockSize - 1) / blockSize);
                bool fits = s.Length == rank && Enumerable.Range(0, rank).All(i => s[i] == (i == axis ? blocks : shape[i]));
                if (!fits)
                    throw new IrException($"scale '{scale.Name}' has shape {Shapes.Format(s)}; with block_size {blockSize} on axis {axis} of '{x.Name}' {Shapes.Format(shape)} it must have shape " +
                        Shapes.Format(shape.Select((d, i) => i == axis ? blocks : d).ToArray()));
                if (blockSize > shape[axis] && shape[axis] > 0) blockSize = shape[axis];
                return new QuantizationAxes(shape[axis], InnerSize(shape, axis), (int)Math.Max(blockSize, 1), false);
            }
        }

        private static int InnerSize(int[] shape, int axis) => Shapes.Size(shape.Skip(axis + 1).ToArray());

        /// <summary>The scale (and zero point) index of element <paramref name="index"/> of x.</summary>
        public int ScaleIndex(int index)
        {
            if (PerTensor) return 0;
            int a = index / Inner % AxisLength;
            if (BlockSize == 0) return a;
            int blocks = (AxisLength + BlockSize - 1) / BlockSize;
            int o = index / (Inner * AxisLength), i = index % Inner;
            return (o * blocks + a / BlockSize) * Inner + i;
        }

        /// <summary>The kernels' layout arguments.</summary>
        public (string Name, Plan.Arg Value)[] KernelArguments() =>
            new (string, Plan.Arg)[] { ("axisLength", AxisLength), ("inner", Inner), ("blockSize", BlockSize) };

        /// <summary>The quantized types that run at run time (int4 and uint4 only fold; float8, float4 and int2 are not supported).</summary>
        public static bool IsRuntimeQuantized(DataType t) => t is DataType.UInt8 or DataType.Int8 or DataType.UInt16 or DataType.Int16;

        public static (long Min, long Max) Range(DataType t) => t switch
        {
            DataType.UInt8 => (0, 255),
            DataType.Int8 => (-128, 127),
            DataType.UInt16 => (0, 65535),
            DataType.Int16 => (-32768, 32767),
            DataType.UInt4 => (0, 15),
            DataType.Int4 => (-8, 7),
            _ => throw new UnsupportedException($"quantizing to {DataTypes.OnnxName(t)} is not supported"),
        };

        /// <summary>The build-time twin of the kernels' quantization of one element: x / scale in float, NaN to the minimum, clamp, round half to even, + zero point.</summary>
        public static long QuantizeOne(float x, float scale, long zeroPoint, DataType type)
        {
            var (min, max) = Range(type);
            float lo = min - zeroPoint, hi = max - zeroPoint;
            float q = x / scale;
            q = float.IsNaN(q) ? lo : Math.Min(Math.Max(q, lo), hi);
            return (long)Math.Round((double)q, MidpointRounding.ToEven) + zeroPoint;
        }

        /// <summary>The build-time twin of dequantizing one element: (float)(x - zero point) * scale, rounded to float16 for a float16 scale.</summary>
        public static float DequantizeOne(long x, long zeroPoint, float scale, DataType output)
        {
            float r = (float)((float)(x - zeroPoint) * scale);
            return output == DataType.Float16 ? TensorReader.HalfToFloat(TensorReader.FloatToHalf(r)) : r;
        }
    }
}
