using System;
using System.Collections.Generic;
using System.Linq;
using Google.Protobuf;
using ModelGen.Onnx.Proto;

namespace ModelGen.Tests.Infrastructure;

/// <summary>Builds small ONNX models in C# with the protobuf classes, so tests need no Python.</summary>
public sealed class ModelBuilder
{
    private readonly GraphProto _graph = new() { Name = "test" };
    private readonly int _opset;
    private readonly long _irVersion;
    private int _counter;
    private readonly List<(string Domain, int Version)> _imports = new();

    public ModelBuilder(int opset = 17, long irVersion = 8)
    {
        _opset = opset;
        _irVersion = irVersion;
    }

    public ModelBuilder Input(string name, params long[] shape) => Input(name, TensorProto.Types.DataType.Float, shape);

    public ModelBuilder Input(string name, TensorProto.Types.DataType type, params long[] shape)
    {
        _graph.Input.Add(ValueInfo(name, type, shape));
        return this;
    }

    /// <summary>An input with symbolic ("N") or unnamed (null) dimensions.</summary>
    public ModelBuilder SymbolicInput(string name, TensorProto.Types.DataType type, params object?[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            var dim = new TensorShapeProto.Types.Dimension();
            if (d is string s) dim.DimParam = s;
            else if (d is int i) dim.DimValue = i;
            else if (d is long l) dim.DimValue = l;
            shape.Dim.Add(dim);
        }
        _graph.Input.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } });
        return this;
    }

    public ModelBuilder Output(string name, TensorProto.Types.DataType type = TensorProto.Types.DataType.Float)
    {
        _graph.Output.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type } } });
        return this;
    }

    public ModelBuilder Initializer(string name, float[] data, params long[] shape)
    {
        _graph.Initializer.Add(FloatTensor(name, data, shape));
        return this;
    }

    public ModelBuilder Initializer(string name, long[] data, params long[] shape)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.AddRange(shape);
        t.Int64Data.AddRange(data);
        _graph.Initializer.Add(t);
        return this;
    }

    /// <summary>A uint8 initializer (raw data).</summary>
    public ModelBuilder Initializer(string name, byte[] data, params long[] shape) =>
        Initializer(RawTensor(name, TensorProto.Types.DataType.Uint8, data, shape));

    /// <summary>An int8 initializer (raw data).</summary>
    public ModelBuilder Initializer(string name, sbyte[] data, params long[] shape) =>
        Initializer(RawTensor(name, TensorProto.Types.DataType.Int8, (byte[])(Array)data, shape));

    /// <summary>An int32 initializer (raw data, little-endian).</summary>
    public ModelBuilder Initializer(string name, int[] data, params long[] shape)
    {
        var bytes = new byte[data.Length * 4];
        Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
        return Initializer(RawTensor(name, TensorProto.Types.DataType.Int32, bytes, shape));
    }

    /// <summary>A tensor of any element type from its raw little-endian bytes.</summary>
    public static TensorProto RawTensor(string name, TensorProto.Types.DataType type, byte[] raw, params long[] shape)
    {
        var t = new TensorProto { Name = name, DataType = (int)type };
        t.Dims.AddRange(shape);
        t.RawData = ByteString.CopyFrom(raw);
        return t;
    }

    /// <summary>Imports an operator set of another domain (e.g. "com.microsoft" for ONNX Runtime's contrib ops).</summary>
    public ModelBuilder Import(string domain, int version)
    {
        _imports.Add((domain, version));
        return this;
    }

    /// <summary>Adds a node of another domain (see <see cref="Import"/>).</summary>
    public ModelBuilder DomainNode(string domain, string opType, string[] inputs, string[] outputs, params (string Name, object Value)[] attributes)
    {
        Node(opType, inputs, outputs, attributes);
        _graph.Node[_graph.Node.Count - 1].Domain = domain;
        return this;
    }

    public ModelBuilder Initializer(TensorProto tensor)
    {
        _graph.Initializer.Add(tensor);
        return this;
    }

    public static TensorProto FloatTensor(string name, float[] data, params long[] shape)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(shape);
        var bytes = new byte[data.Length * 4];
        Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
        t.RawData = ByteString.CopyFrom(bytes);
        return t;
    }

    /// <summary>Adds a node; attributes are (name, value) with value int, long, float, string, int[]/long[], float[] or TensorProto.</summary>
    public ModelBuilder Node(string opType, string[] inputs, string[] outputs, params (string Name, object Value)[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = $"{opType.ToLowerInvariant()}_{_counter++}" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        foreach (var (name, value) in attributes) node.Attribute.Add(Attribute(name, value));
        _graph.Node.Add(node);
        return this;
    }

    public static AttributeProto Attribute(string name, object value)
    {
        var a = new AttributeProto { Name = name };
        switch (value)
        {
            case int i: a.Type = AttributeProto.Types.AttributeType.Int; a.I = i; break;
            case long l: a.Type = AttributeProto.Types.AttributeType.Int; a.I = l; break;
            case float f: a.Type = AttributeProto.Types.AttributeType.Float; a.F = f; break;
            case double d: a.Type = AttributeProto.Types.AttributeType.Float; a.F = (float)d; break;
            case string s: a.Type = AttributeProto.Types.AttributeType.String; a.S = ByteString.CopyFromUtf8(s); break;
            case int[] ints: a.Type = AttributeProto.Types.AttributeType.Ints; a.Ints.AddRange(ints.Select(x => (long)x)); break;
            case long[] longs: a.Type = AttributeProto.Types.AttributeType.Ints; a.Ints.AddRange(longs); break;
            case float[] floats: a.Type = AttributeProto.Types.AttributeType.Floats; a.Floats.AddRange(floats); break;
            case TensorProto t: a.Type = AttributeProto.Types.AttributeType.Tensor; a.T = t; break;
            case GraphProto g: a.Type = AttributeProto.Types.AttributeType.Graph; a.G = g; break;
            default: throw new ArgumentException($"unsupported attribute value {value.GetType()}");
        }
        return a;
    }

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, long[] shape)
    {
        var s = new TensorShapeProto();
        foreach (var d in shape) s.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = s } } };
    }

    public ModelProto Build()
    {
        var model = new ModelProto { IrVersion = _irVersion, ProducerName = "ModelGen.Tests", Graph = _graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = _opset });
        foreach (var (domain, version) in _imports) model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain, Version = version });
        return model;
    }

    public byte[] ToBytes() => Build().ToByteArray();

    /// <summary>The graph alone, as the body of an If, Loop or Scan attribute.</summary>
    public GraphProto Graph() => _graph;
}
