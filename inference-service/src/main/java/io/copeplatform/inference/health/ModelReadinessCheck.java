package io.copeplatform.inference.health;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.eclipse.microprofile.health.Startup;

import io.copeplatform.inference.service.ModelHost;

/**
 * Ready (and started) only once the model is loaded and one warm-up forward pass ran. Liveness stays independent, so a
 * slow load of a 9B model is not mistaken for a hung process; use the startup probe for the load.
 */
@Readiness
@Startup
public class ModelReadinessCheck implements HealthCheck {

    private final ModelHost host;

    public ModelReadinessCheck(ModelHost host) {
        this.host = host;
    }

    @Override
    public HealthCheckResponse call() {
        if (!host.ready()) {
            return HealthCheckResponse.down("model");
        }
        var bundle = host.engine().bundle();
        return HealthCheckResponse.named("model").up()
                .withData("name", bundle.manifest().name())
                .withData("version", bundle.manifest().version())
                .withData("test_model", bundle.manifest().testModel())
                .withData("device", bundle.session().device().name())
                .build();
    }
}
