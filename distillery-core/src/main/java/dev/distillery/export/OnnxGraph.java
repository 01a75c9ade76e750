package dev.distillery.export;

import com.google.protobuf.ByteString;
import dev.distillery.export.onnx.OnnxProto.AttributeProto;
import dev.distillery.export.onnx.OnnxProto.GraphProto;
import dev.distillery.export.onnx.OnnxProto.ModelProto;
import dev.distillery.export.onnx.OnnxProto.NodeProto;
import dev.distillery.export.onnx.OnnxProto.OperatorSetIdProto;
import dev.distillery.export.onnx.OnnxProto.TensorProto;
import dev.distillery.export.onnx.OnnxProto.TensorShapeProto;
import dev.distillery.export.onnx.OnnxProto.TypeProto;
import dev.distillery.export.onnx.OnnxProto.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A thin builder over the ONNX protobuf schema (classes generated from {@code onnx.proto}): initializers, nodes with
 * attributes, graph inputs and outputs whose first dimension is the batch. Names are made unique by a counter, so a
 * caller only says what a tensor is for.
 */
final class OnnxGraph {
    /** The operator set the exported graphs use: every operator needed is in it, and ONNX Runtime 1.x runs it. */
    static final int OPSET = 13;
    /** The IR version that goes with opset 13. */
    static final long IR_VERSION = 7;
    static final String BATCH = "batch";

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private int counter;

    OnnxGraph(String name) {
        graph.setName(name);
    }

    /** A float initializer of the given shape from row-major values. */
    String floats(String hint, float[] values, long... shape) {
        long size = 1;
        for (long d : shape) {
            size *= d;
        }
        if (size != values.length) {
            throw new IllegalArgumentException(hint + ": " + values.length + " values for shape " + java.util.Arrays.toString(shape));
        }
        ByteBuffer raw = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN); // ONNX raw_data is little-endian
        raw.asFloatBuffer().put(values);
        return initializer(hint, TensorProto.DataType.FLOAT, raw.array(), shape);
    }

    /** An int32 initializer (indices into a table, at half an int64 table's size). */
    String ints(String hint, int[] values, long... shape) {
        ByteBuffer raw = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        raw.asIntBuffer().put(values);
        return initializer(hint, TensorProto.DataType.INT32, raw.array(), shape);
    }

    /** A float64 initializer (for a part of a graph computed in double precision). */
    String doubles(String hint, double[] values, long... shape) {
        ByteBuffer raw = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        raw.asDoubleBuffer().put(values);
        return initializer(hint, TensorProto.DataType.DOUBLE, raw.array(), shape);
    }

    /** {@code input} cast to {@code type}. */
    String cast(String input, TensorProto.DataType type) {
        return node("Cast", new String[] {input}, integer("to", type.getNumber()));
    }

    /** An int64 initializer (axes, shapes). */
    String longs(String hint, long[] values, long... shape) {
        ByteBuffer raw = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        raw.asLongBuffer().put(values);
        return initializer(hint, TensorProto.DataType.INT64, raw.array(), shape);
    }

    private String initializer(String hint, TensorProto.DataType type, byte[] raw, long... shape) {
        String name = fresh(hint);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.getNumber()).setRawData(ByteString.copyFrom(raw));
        for (long d : shape) {
            t.addDims(d);
        }
        graph.addInitializer(t);
        return name;
    }

    /** Adds a node with one output and returns that output's name. */
    String node(String op, String[] inputs, AttributeProto... attributes) {
        String out = fresh(op.toLowerCase(java.util.Locale.ROOT));
        return node(op, out, inputs, attributes);
    }

    /** Adds a node whose single output has the given (graph output) name. */
    String node(String op, String output, String[] inputs, AttributeProto... attributes) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(fresh(op + "_node")).addOutput(output);
        for (String in : inputs) {
            n.addInput(in);
        }
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        graph.addNode(n);
        return output;
    }

    void input(String name, TensorProto.DataType type, long... dimsAfterBatch) {
        graph.addInput(valueInfo(name, type, null, dimsAfterBatch));
    }

    /** A graph input whose dimensions after the batch are named symbols (e.g. a text's length). */
    void input(String name, TensorProto.DataType type, String symbolicDim) {
        graph.addInput(valueInfo(name, type, symbolicDim));
    }

    /** A graph input (batch, {@code fixed}..., {@code symbolicLast}): fixed dimensions, then a named one. */
    void input(String name, TensorProto.DataType type, long[] fixed, String symbolicLast) {
        graph.addInput(valueInfo(name, type, null, fixed, symbolicLast));
    }

    void output(String name, long... dimsAfterBatch) {
        graph.addOutput(valueInfo(name, TensorProto.DataType.FLOAT, null, dimsAfterBatch));
    }

    private static ValueInfoProto valueInfo(String name, TensorProto.DataType type, String symbolicDim, long... dims) {
        return valueInfo(name, type, symbolicDim, dims, null);
    }

    /** (batch, {@code symbolicFirst}?, {@code dims}..., {@code symbolicLast}?): a null name is no dimension. */
    private static ValueInfoProto valueInfo(String name, TensorProto.DataType type, String symbolicFirst, long[] dims,
            String symbolicLast) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH));
        if (symbolicFirst != null) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(symbolicFirst));
        }
        for (long d : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        if (symbolicLast != null) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(symbolicLast));
        }
        TypeProto.Tensor tensor = TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape).build();
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(tensor)).build();
    }

    static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    static AttributeProto real(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    /** The finished model: this graph, opset {@link #OPSET}, with producer and documentation strings. */
    ModelProto model(String producerVersion, String doc) {
        return ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName("distillery")
                .setProducerVersion(producerVersion)
                .setDocString(doc)
                .setGraph(graph)
                .build();
    }

    private String fresh(String hint) {
        return hint + "_" + counter++;
    }
}
