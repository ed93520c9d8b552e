package io.copeplatform.labeling.service;

import java.util.concurrent.ExecutorService;

import jakarta.enterprise.context.ApplicationScoped;

/** Runs evaluations (scheduled together with binocular jobs). */
@ApplicationScoped
public class EvaluationRunner {

    void schedule(ExecutorService threads) {
    }
}
