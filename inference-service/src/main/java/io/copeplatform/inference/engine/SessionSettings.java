package io.copeplatform.inference.engine;

/**
 * How to open the ONNX Runtime session.
 *
 * @param device
 *            {@code auto} (CUDA when it loads, else CPU with one warning), {@code cpu} or {@code cuda} (fail start-up
 *            when CUDA cannot load)
 * @param cudaDeviceId
 *            the GPU ordinal for CUDA
 * @param intraOpThreads
 *            threads inside one operator; 0 = ONNX Runtime's default (all cores)
 * @param interOpThreads
 *            threads across operators; 0 = ONNX Runtime's default
 */
public record SessionSettings(Mode device, int cudaDeviceId, int intraOpThreads, int interOpThreads) {

    /** The requested device policy. */
    public enum Mode {
        AUTO, CPU, CUDA
    }

    public static SessionSettings cpu() {
        return new SessionSettings(Mode.CPU, 0, 0, 0);
    }
}
