package io.copeplatform.inference.engine;

/** Where the model runs. */
public enum Device {
    CPU, CUDA
}
