package io.copeplatform.registry.service;

import jakarta.enterprise.context.ApplicationScoped;

import io.copeplatform.registry.config.RegistryConfig;
import io.copeplatform.registry.domain.PolicyNames;
import io.copeplatform.registry.domain.PolicyReference;
import io.copeplatform.registry.domain.RegistryException;
import io.copeplatform.registry.repository.PolicyResolver;
import io.copeplatform.registry.repository.PolicyResolver.Selector;
import io.copeplatform.registry.repository.PolicyVersionEntity;
import io.copeplatform.registry.service.Commands.ResolvedPolicy;
import io.smallrye.mutiny.Uni;

/**
 * ResolvePolicy: reference to version text + sha256 + decision threshold. The threshold is the live deployment's when
 * the resolved version is the live one, otherwise {@code registry.default-threshold}.
 */
@ApplicationScoped
public class PolicyResolution {

    private final PolicyResolver resolver;
    private final RegistryConfig config;

    public PolicyResolution(PolicyResolver resolver, RegistryConfig config) {
        this.resolver = resolver;
        this.config = config;
    }

    public Uni<ResolvedPolicy> resolve(String reference) {
        PolicyReference parsed = PolicyNames.reference(reference, "reference", false);
        Selector selector = parsed instanceof PolicyReference.Live
                ? Selector.LIVE
                : parsed instanceof PolicyReference.Latest ? Selector.LATEST : Selector.NUMBER;
        int number = parsed instanceof PolicyReference.Version v ? v.version() : 0;
        String id = parsed.policyId();
        return resolver.resolve(id, selector, number).map(found -> {
            if (found == null) {
                throw RegistryException.policyNotFound(id);
            }
            if (found.version() == null) {
                throw switch (selector) {
                    case LIVE -> PolicyService.liveNotSet(id);
                    case LATEST -> PolicyService.latestNotSet(id);
                    case NUMBER -> RegistryException.versionNotFound(id, number);
                };
            }
            boolean live = found.version().equals(found.liveVersion());
            double threshold = live && found.liveThreshold() != null
                    ? found.liveThreshold()
                    : config.defaultThreshold();
            return new ResolvedPolicy(reference, id, found.version(), found.text(), found.sha256(), threshold, live,
                    PolicyVersionEntity.DEPRECATED.equals(found.state()), found.createTime());
        });
    }
}
