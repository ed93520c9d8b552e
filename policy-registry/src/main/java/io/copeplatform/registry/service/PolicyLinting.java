package io.copeplatform.registry.service;

import java.time.Clock;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.copeplatform.registry.config.RegistryConfig;
import io.copeplatform.registry.lint.LintFinding;
import io.copeplatform.registry.lint.LintSettings;
import io.copeplatform.registry.lint.PolicyLinter;

/** Lints policy texts with the configured token budget and stores reports as JSON. */
@ApplicationScoped
public class PolicyLinting {

    private final PolicyLinter linter;
    private final LintSettings settings;
    private final ObjectMapper json;
    private final Clock clock;

    public PolicyLinting(RegistryConfig config, ObjectMapper json, Clock clock) {
        this.settings = new LintSettings(config.lint().contextTokens(), config.lint().reservedContentTokens(),
                config.lint().templateTokens());
        this.linter = new PolicyLinter(settings);
        this.json = json;
        this.clock = clock;
    }

    public LintReport lint(String text) {
        List<LintFinding> findings = linter.lint(text);
        int budget = settings.contextTokens() - settings.templateTokens() - settings.reservedContentTokens();
        return LintReport.of(findings, PolicyLinter.estimateTokens(text), budget, clock.instant());
    }

    public String toJson(LintReport report) {
        try {
            return json.writeValueAsString(report);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Lint report not serializable", e);
        }
    }

    public LintReport fromJson(String stored) {
        try {
            return json.readValue(stored, LintReport.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored lint report unreadable", e);
        }
    }
}
