package io.copeplatform.inference.engine;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

/**
 * One ONNX Runtime session over a causal-LM graph with the Hugging Face contract. It answers one question per prompt:
 * the logits of the two label tokens at the last position. Prompts of a batch are LEFT-padded (attention mask 0,
 * position ids counting real tokens from 0), so the last column is a real token in every row.
 * <p>
 * Thread-safe: ONNX Runtime sessions may be run concurrently.
 */
public final class CausalLmSession implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(CausalLmSession.class.getName());

    private final OrtEnvironment env;
    private final OrtSession session;
    private final ModelManifest manifest;
    private final Device device;
    private final int positive;
    private final int negative;

    private CausalLmSession(OrtEnvironment env, OrtSession session, ModelManifest manifest, Device device) {
        this.env = env;
        this.session = session;
        this.manifest = manifest;
        this.device = device;
        this.positive = manifest.labels().positiveTokenId();
        this.negative = manifest.labels().negativeTokenId();
    }

    /** Opens {@code graphFile} on the requested device and checks its tensors against the manifest. */
    public static CausalLmSession open(Path graphFile, ModelManifest manifest, SessionSettings settings) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Device device = settings.device() == SessionSettings.Mode.CPU ? Device.CPU : Device.CUDA;
        OrtSession session;
        try (OrtSession.SessionOptions options = options(settings, device)) {
            session = env.createSession(graphFile.toString(), options);
        } catch (CudaUnavailable e) {
            if (settings.device() == SessionSettings.Mode.CUDA) {
                throw new ModelLoadException("device=cuda but the CUDA execution provider cannot load ("
                        + e.getMessage() + "). Build with -Pcuda (onnxruntime_gpu) and install CUDA 12 + cuDNN 9, "
                        + "or use device=auto|cpu", e);
            }
            LOG.log(Level.WARNING, "CUDA unavailable ({0}); device=auto falls back to CPU", e.getMessage());
            device = Device.CPU;
            try (OrtSession.SessionOptions options = options(settings, device)) {
                session = env.createSession(graphFile.toString(), options);
            } catch (OrtException | CudaUnavailable cpuFailure) {
                throw new ModelLoadException("Cannot load " + graphFile + ": " + cpuFailure.getMessage(),
                        cpuFailure);
            }
        } catch (OrtException e) {
            throw new ModelLoadException("Cannot load " + graphFile + ": " + e.getMessage(), e);
        }
        CausalLmSession opened = new CausalLmSession(env, session, manifest, device);
        try {
            opened.checkTensors(graphFile);
        } catch (RuntimeException e) {
            opened.close();
            throw e;
        }
        return opened;
    }

    private static OrtSession.SessionOptions options(SessionSettings settings, Device device)
            throws OrtException, CudaUnavailable {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        // Idle intra-op threads must sleep, not spin: they share the cores with gRPC, tokenization and batching.
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
        if (settings.intraOpThreads() > 0) {
            options.setIntraOpNumThreads(settings.intraOpThreads());
        }
        if (settings.interOpThreads() > 0) {
            options.setInterOpNumThreads(settings.interOpThreads());
        }
        if (device == Device.CUDA) {
            try {
                options.addCUDA(settings.cudaDeviceId());
            } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
                options.close();
                throw new CudaUnavailable(e.getMessage());
            }
        }
        return options;
    }

    /** The graph must have exactly the tensors the manifest names. */
    private void checkTensors(Path graphFile) {
        try {
            ModelManifest.Graph graph = manifest.graph();
            Set<String> expectedInputs = new LinkedHashSet<>(List.of(graph.inputIds(), graph.attentionMask()));
            if (graph.positionIds() != null) {
                expectedInputs.add(graph.positionIds());
            }
            Set<String> expectedOutputs = new LinkedHashSet<>(List.of(graph.logits()));
            ModelManifest.PastKeyValues past = graph.pastKeyValues();
            if (past != null) {
                for (int layer = 0; layer < past.numLayers(); layer++) {
                    expectedInputs.add(past.pastKey(layer));
                    expectedInputs.add(past.pastValue(layer));
                    expectedOutputs.add(past.presentKey(layer));
                    expectedOutputs.add(past.presentValue(layer));
                }
            }
            List<String> problems = new ArrayList<>();
            compare("input", expectedInputs, session.getInputNames(), problems);
            Set<String> outputs = session.getOutputNames();
            for (String name : expectedOutputs) {
                if (!outputs.contains(name)) {
                    problems.add("output '" + name + "' named by the manifest is missing");
                }
            }
            NodeInfo logits = session.getOutputInfo().get(graph.logits());
            if (logits != null && logits.getInfo() instanceof TensorInfo info) {
                long[] shape = info.getShape();
                long vocab = shape[shape.length - 1];
                if (vocab > 0 && (positive >= vocab || negative >= vocab)) {
                    problems.add("label token ids " + positive + "/" + negative + " outside the logits vocabulary "
                            + vocab);
                }
            }
            if (!problems.isEmpty()) {
                throw new ModelLoadException("Graph " + graphFile + " does not match " + ModelManifest.FILE_NAME
                        + ": " + String.join("; ", problems));
            }
        } catch (OrtException e) {
            throw new ModelLoadException("Cannot inspect " + graphFile + ": " + e.getMessage(), e);
        }
    }

    private static void compare(String kind, Set<String> expected, Set<String> actual, List<String> problems) {
        for (String name : expected) {
            if (!actual.contains(name)) {
                problems.add(kind + " '" + name + "' named by the manifest is missing");
            }
        }
        Set<String> extra = new TreeSet<>(actual);
        extra.removeAll(expected);
        if (!extra.isEmpty()) {
            problems.add("graph has " + kind + "s the manifest does not name: " + extra);
        }
    }

    /**
     * Runs one batch and returns, per prompt, {@code [logit("1"), logit("0")]} at its last position.
     */
    public float[][] labelLogits(List<long[]> prompts) {
        int batch = prompts.size();
        int length = prompts.stream().mapToInt(p -> p.length).max().orElse(0);
        long[] ids = new long[batch * length];
        long[] mask = new long[batch * length];
        long[] positions = new long[batch * length];
        for (int row = 0; row < batch; row++) {
            long[] prompt = prompts.get(row);
            int pad = length - prompt.length;
            for (int col = 0; col < length; col++) {
                int at = row * length + col;
                if (col < pad) {
                    ids[at] = manifest.tokenizer().padTokenId();
                } else {
                    ids[at] = prompt[col - pad];
                    mask[at] = 1;
                    positions[at] = col - pad;
                }
            }
        }
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            ModelManifest.Graph graph = manifest.graph();
            long[] shape = {batch, length};
            inputs.put(graph.inputIds(), OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
            inputs.put(graph.attentionMask(), OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
            if (graph.positionIds() != null) {
                inputs.put(graph.positionIds(), OnnxTensor.createTensor(env, LongBuffer.wrap(positions), shape));
            }
            ModelManifest.PastKeyValues past = graph.pastKeyValues();
            if (past != null) {
                long[] empty = {batch, past.numKvHeads(), 0, past.headDim()};
                for (int layer = 0; layer < past.numLayers(); layer++) {
                    inputs.put(past.pastKey(layer), emptyPast(empty));
                    inputs.put(past.pastValue(layer), emptyPast(empty));
                }
            }
            try (OrtSession.Result result = session.run(inputs, Set.of(graph.logits()))) {
                return labelsOf((OnnxTensor) result.get(graph.logits()).orElseThrow(), batch);
            }
        } catch (OrtException e) {
            throw new InferenceException("ONNX Runtime failed on a batch of " + batch + ": " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    /** Runs {@code prefix} (one row, no padding) and keeps its key/value tensors. Needs a graph with past inputs. */
    public PrefixPast computePast(long[] prefix) {
        ModelManifest.PastKeyValues past = requirePast();
        ModelManifest.Graph graph = manifest.graph();
        Map<String, OnnxTensor> inputs = new HashMap<>();
        long[] mask = new long[prefix.length];
        long[] positions = new long[prefix.length];
        for (int i = 0; i < prefix.length; i++) {
            mask[i] = 1;
            positions[i] = i;
        }
        Set<String> outputs = new LinkedHashSet<>();
        for (int layer = 0; layer < past.numLayers(); layer++) {
            outputs.add(past.presentKey(layer));
            outputs.add(past.presentValue(layer));
        }
        try {
            long[] shape = {1, prefix.length};
            inputs.put(graph.inputIds(), OnnxTensor.createTensor(env, LongBuffer.wrap(prefix), shape));
            inputs.put(graph.attentionMask(), OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
            inputs.put(graph.positionIds(), OnnxTensor.createTensor(env, LongBuffer.wrap(positions), shape));
            long[] empty = {1, past.numKvHeads(), 0, past.headDim()};
            for (int layer = 0; layer < past.numLayers(); layer++) {
                inputs.put(past.pastKey(layer), emptyPast(empty));
                inputs.put(past.pastValue(layer), emptyPast(empty));
            }
            try (OrtSession.Result result = session.run(inputs, outputs)) {
                ByteBuffer[] keys = new ByteBuffer[past.numLayers()];
                ByteBuffer[] values = new ByteBuffer[past.numLayers()];
                for (int layer = 0; layer < past.numLayers(); layer++) {
                    keys[layer] = offHeapCopy((OnnxTensor) result.get(past.presentKey(layer)).orElseThrow());
                    values[layer] = offHeapCopy((OnnxTensor) result.get(past.presentValue(layer)).orElseThrow());
                }
                return new PrefixPast(keys, values, prefix.length, past.numKvHeads(), past.headDim());
            }
        } catch (OrtException e) {
            throw new InferenceException("ONNX Runtime failed on a prefix of " + prefix.length + " tokens", e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    /**
     * Label logits of {@code suffixes} each continuing {@code prefix}: the prefix past is repeated along the batch,
     * suffixes are left-padded after it (attention mask spans past + current; position ids continue after the prefix,
     * counting real tokens), so every row equals its whole prompt run alone. A batch of one passes the cached buffers
     * to ONNX Runtime without copying them.
     */
    public float[][] labelLogitsAfter(PrefixPast prefix, List<long[]> suffixes) {
        ModelManifest.PastKeyValues past = requirePast();
        ModelManifest.Graph graph = manifest.graph();
        int batch = suffixes.size();
        int length = suffixes.stream().mapToInt(s -> s.length).max().orElse(0);
        int pastLength = prefix.length();
        long[] ids = new long[batch * length];
        long[] mask = new long[batch * (pastLength + length)];
        long[] positions = new long[batch * length];
        for (int row = 0; row < batch; row++) {
            long[] suffix = suffixes.get(row);
            int pad = length - suffix.length;
            for (int i = 0; i < pastLength; i++) {
                mask[row * (pastLength + length) + i] = 1;
            }
            for (int col = 0; col < length; col++) {
                int at = row * length + col;
                if (col < pad) {
                    ids[at] = manifest.tokenizer().padTokenId();
                    positions[at] = pastLength;
                } else {
                    ids[at] = suffix[col - pad];
                    mask[row * (pastLength + length) + pastLength + col] = 1;
                    positions[at] = pastLength + col - pad;
                }
            }
        }
        Map<String, OnnxTensor> inputs = new HashMap<>();
        // A batch of one passes the cached buffers themselves; more rows need the past repeated.
        RepeatedPastBuffer repeated = batch == 1 ? null : RepeatedPastBuffer.forPass(prefix.bytes() * batch);
        try {
            inputs.put(graph.inputIds(), OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[]{batch, length}));
            inputs.put(graph.attentionMask(), OnnxTensor.createTensor(env, LongBuffer.wrap(mask),
                    new long[]{batch, pastLength + length}));
            inputs.put(graph.positionIds(), OnnxTensor.createTensor(env, LongBuffer.wrap(positions),
                    new long[]{batch, length}));
            long[] pastShape = {batch, prefix.kvHeads(), pastLength, prefix.headDim()};
            for (int layer = 0; layer < past.numLayers(); layer++) {
                inputs.put(past.pastKey(layer), pastTensor(prefix.key(layer), repeated, batch, pastShape));
                inputs.put(past.pastValue(layer), pastTensor(prefix.value(layer), repeated, batch, pastShape));
            }
            try (OrtSession.Result result = session.run(inputs, Set.of(graph.logits()))) {
                return labelsOf((OnnxTensor) result.get(graph.logits()).orElseThrow(), batch);
            }
        } catch (OrtException e) {
            throw new InferenceException("ONNX Runtime failed on a cached-prefix batch of " + batch, e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
            if (repeated != null) {
                repeated.close();
            }
        }
    }

    private ModelManifest.PastKeyValues requirePast() {
        ModelManifest.PastKeyValues past = manifest.graph().pastKeyValues();
        if (past == null || manifest.graph().positionIds() == null) {
            throw new IllegalStateException("Model " + manifest.name() + " has no past-key-values inputs");
        }
        return past;
    }

    /** Whether this graph can score suffixes after a cached prefix past. */
    public boolean supportsPrefixReuse() {
        return manifest.graph().pastKeyValues() != null && manifest.graph().positionIds() != null;
    }

    /**
     * One past input as the graph's element type: the cached buffer itself for a batch of one, else {@code batch}
     * copies side by side from the pass's {@code repeated} memory.
     */
    private OnnxTensor pastTensor(ByteBuffer one, RepeatedPastBuffer repeated, int batch, long[] shape)
            throws OrtException {
        ByteBuffer data = repeated == null ? one : repeated.repeat(one, batch);
        return OnnxTensor.createTensor(env, data, shape, pastElementType());
    }

    private OnnxJavaType pastElementType() {
        return manifest.bytesPerElement() == 2 ? OnnxJavaType.FLOAT16 : OnnxJavaType.FLOAT;
    }

    /** A present tensor's bytes, copied into a direct native-order buffer that outlives the run's result. */
    private static ByteBuffer offHeapCopy(OnnxTensor tensor) {
        ByteBuffer bytes = tensor.getByteBuffer();
        ByteBuffer copy = ByteBuffer.allocateDirect(bytes.remaining()).order(ByteOrder.nativeOrder());
        copy.put(bytes).flip();
        return copy;
    }

    private float[][] labelsOf(OnnxTensor logits, int batch) throws OrtException {
        long[] logitsShape = logits.getInfo().getShape();
        int positionsOut = (int) logitsShape[1];
        int vocab = (int) logitsShape[2];
        FloatBuffer values = logits.getFloatBuffer();
        float[][] labels = new float[batch][2];
        for (int row = 0; row < batch; row++) {
            int base = (row * positionsOut + positionsOut - 1) * vocab;
            labels[row][0] = values.get(base + positive);
            labels[row][1] = values.get(base + negative);
        }
        return labels;
    }

    private OnnxTensor emptyPast(long[] shape) throws OrtException {
        if (manifest.bytesPerElement() == 2) {
            return OnnxTensor.createTensor(env, ByteBuffer.allocateDirect(0), shape, OnnxJavaType.FLOAT16);
        }
        return OnnxTensor.createTensor(env, FloatBuffer.allocate(0), shape);
    }

    public Device device() {
        return device;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            LOG.log(Level.WARNING, "Closing the ONNX Runtime session failed: {0}", e.getMessage());
        }
    }

    /** CUDA could not be added to the session options. */
    private static final class CudaUnavailable extends Exception {
        CudaUnavailable(String message) {
            super(message);
        }
    }
}
