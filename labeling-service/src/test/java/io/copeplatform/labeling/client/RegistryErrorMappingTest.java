package io.copeplatform.labeling.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.copeplatform.labeling.domain.ErrorReason;
import io.copeplatform.labeling.domain.LabelingException;
import io.grpc.Status;

/** Remote registry errors become labeling reasons; only an unreachable registry is a transient outage. */
class RegistryErrorMappingTest {

    @Test
    void notFoundAndInvalidReferencesKeepTheirMeaning() {
        assertEquals(ErrorReason.POLICY_VERSION_NOT_FOUND,
                RegistryClient.map(Status.NOT_FOUND.asRuntimeException(), "policies/x@live").reason());
        assertEquals(ErrorReason.INVALID_REFERENCE,
                RegistryClient.map(Status.INVALID_ARGUMENT.asRuntimeException(), "x").reason());
    }

    @Test
    void anUnreachableRegistryIsTransientButARefusalIsNot() {
        LabelingException down = RegistryClient.map(Status.UNAVAILABLE.asRuntimeException(), "policies/x");
        assertEquals(ErrorReason.REGISTRY_UNAVAILABLE, down.reason());
        assertFalse(down.metadata().containsKey("registry_code"));
        LabelingException refused = RegistryClient.map(Status.FAILED_PRECONDITION
                .withDescription("lint errors block publish").asRuntimeException(), "policies/x");
        assertEquals("FAILED_PRECONDITION", refused.metadata().get("registry_code"));
        assertTrue(io.copeplatform.labeling.service.JobRunnerOutages.isTransient(down));
        assertFalse(io.copeplatform.labeling.service.JobRunnerOutages.isTransient(refused));
    }
}
