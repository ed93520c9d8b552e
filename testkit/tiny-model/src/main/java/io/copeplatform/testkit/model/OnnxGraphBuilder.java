package io.copeplatform.testkit.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.google.protobuf.ByteString;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

/**
 * Appends ONNX nodes, initializers, inputs and outputs to a {@link GraphProto}, naming intermediate values in creation
 * order.
 *
 * <p>
 * Tribuo's own ONNX graph helpers lack the operators a transformer needs (MatMul, Softmax, CumSum ...), so the graph is
 * built from raw {@link NodeProto}s; this class keeps that readable. Names are sequential, never random, so the same
 * construction always serializes to the same bytes.
 */
final class OnnxGraphBuilder {

    private final GraphProto.Builder graph;
    private final Map<String, String> constants = new HashMap<>();
    private int nodeCount;

    OnnxGraphBuilder(String name) {
        this.graph = GraphProto.newBuilder().setName(name);
    }

    GraphProto build() {
        return graph.build();
    }

    /** Declares a graph input; each dimension is a fixed {@code Long} or a named symbolic {@code String}. */
    void input(String name, TensorProto.DataType type, Object... dims) {
        graph.addInput(valueInfo(name, type, dims));
    }

    /** Declares a graph output; the node producing it must write to {@code name}. */
    void output(String name, TensorProto.DataType type, Object... dims) {
        graph.addOutput(valueInfo(name, type, dims));
    }

    /** A float tensor stored in the model file (little-endian raw data). */
    String initializer(String name, long[] dims, float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        graph.addInitializer(tensor(name, TensorProto.DataType.FLOAT, dims, bytes.array()));
        return name;
    }

    /** A one-dimensional int64 constant (shapes, axes, slice bounds); identical values share one initializer. */
    String int64s(long... values) {
        String key = "i64" + Arrays.toString(values);
        return constants.computeIfAbsent(key, k -> {
            ByteBuffer bytes = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asLongBuffer().put(values);
            String name = "const_i64_" + constants.size();
            graph.addInitializer(tensor(name, TensorProto.DataType.INT64, new long[]{values.length}, bytes.array()));
            return name;
        });
    }

    /** A scalar (rank 0) int64 constant. */
    String int64Scalar(long value) {
        return constants.computeIfAbsent("i64scalar" + value, k -> {
            ByteBuffer bytes = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(value);
            String name = "const_i64s_" + constants.size();
            graph.addInitializer(tensor(name, TensorProto.DataType.INT64, new long[0], bytes.array()));
            return name;
        });
    }

    /** A scalar (rank 0) float constant. */
    String floatScalar(float value) {
        return constants.computeIfAbsent("f32scalar" + Float.floatToRawIntBits(value), k -> {
            ByteBuffer bytes = ByteBuffer.allocate(Float.BYTES).order(ByteOrder.LITTLE_ENDIAN).putFloat(value);
            String name = "const_f32s_" + constants.size();
            graph.addInitializer(tensor(name, TensorProto.DataType.FLOAT, new long[0], bytes.array()));
            return name;
        });
    }

    /** Adds a node with one output and returns the output's generated name. */
    String op(String opType, List<String> inputs, AttributeProto... attributes) {
        return opInto(opType, "t" + nodeCount + "_" + opType, inputs, attributes);
    }

    /** Adds a node whose single output gets a chosen name, e.g. a graph output. */
    String opInto(String opType, String output, List<String> inputs, AttributeProto... attributes) {
        NodeProto.Builder node = NodeProto.newBuilder()
                .setName("n" + nodeCount + "_" + opType)
                .setOpType(opType)
                .addAllInput(inputs)
                .addOutput(output);
        for (AttributeProto attribute : attributes) {
            node.addAttribute(attribute);
        }
        graph.addNode(node);
        nodeCount++;
        return output;
    }

    static AttributeProto intAttribute(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static AttributeProto intsAttribute(String name, long... values) {
        AttributeProto.Builder attribute = AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.INTS);
        for (long value : values) {
            attribute.addInts(value);
        }
        return attribute.build();
    }

    private static TensorProto tensor(String name, TensorProto.DataType type, long[] dims, byte[] rawData) {
        TensorProto.Builder tensor = TensorProto.newBuilder()
                .setName(name)
                .setDataType(type.getNumber())
                .setRawData(ByteString.copyFrom(rawData));
        for (long dim : dims) {
            tensor.addDims(dim);
        }
        return tensor.build();
    }

    private static ValueInfoProto valueInfo(String name, TensorProto.DataType type, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object dim : dims) {
            TensorShapeProto.Dimension.Builder dimension = TensorShapeProto.Dimension.newBuilder();
            if (dim instanceof Long fixed) {
                dimension.setDimValue(fixed);
            } else if (dim instanceof Integer fixed) {
                dimension.setDimValue(fixed);
            } else {
                dimension.setDimParam((String) dim);
            }
            shape.addDim(dimension);
        }
        TypeProto.Tensor.Builder tensorType = TypeProto.Tensor.newBuilder()
                .setElemType(type.getNumber())
                .setShape(shape);
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder().setTensorType(tensorType))
                .build();
    }
}
