package io.copeplatform.registry.service;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import io.copeplatform.registry.config.RegistryConfig;
import io.copeplatform.registry.domain.ErrorReason;
import io.copeplatform.registry.domain.PolicyNames;
import io.copeplatform.registry.domain.PolicyReference;
import io.copeplatform.registry.domain.RegistryException;
import io.copeplatform.registry.domain.Sha256;
import io.copeplatform.registry.messaging.PolicyEventOutbox;
import io.copeplatform.registry.repository.DeploymentEntity;
import io.copeplatform.registry.repository.DeterminismScoreEntity;
import io.copeplatform.registry.repository.EvaluationScoreEntity;
import io.copeplatform.registry.repository.PolicyEntity;
import io.copeplatform.registry.repository.PolicyVersionEntity;
import io.copeplatform.registry.repository.ResolutionCache;
import io.copeplatform.registry.service.Commands.Determinism;
import io.copeplatform.registry.service.Commands.Evaluation;
import io.copeplatform.registry.service.Commands.NewPolicy;
import io.copeplatform.registry.service.Commands.PolicyChanges;
import io.copeplatform.registry.service.Commands.PolicyDetails;
import io.copeplatform.registry.service.Commands.PublishGate;
import io.copeplatform.registry.service.Commands.TextDiff;
import io.copeplatform.registry.service.Commands.VersionDetails;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;

/**
 * The registry's logic and transaction boundaries. Every change that other services care about writes its event to the
 * outbox in the same transaction. Changes to one policy serialize on its row lock ({@code SELECT ... FOR
 * UPDATE}), which is what makes version numbers gap-free and unique under concurrent publishes.
 */
@ApplicationScoped
public class PolicyService {

    private static final Pattern TAG = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?");
    private static final int MAX_DISPLAY_NAME = 200;
    private static final int MAX_DESCRIPTION = 4_000;
    private static final int MAX_NOTE = 4_000;
    private static final int MAX_TAGS = 32;

    private final RegistryConfig config;
    private final PolicyLinting linting;
    private final PolicyEventOutbox outbox;
    private final RequestIds requestIds;
    private final Clock clock;
    private final ResolutionCache resolutions;

    public PolicyService(RegistryConfig config, PolicyLinting linting, PolicyEventOutbox outbox,
            RequestIds requestIds, Clock clock, ResolutionCache resolutions) {
        this.config = config;
        this.linting = linting;
        this.outbox = outbox;
        this.requestIds = requestIds;
        this.clock = clock;
        this.resolutions = resolutions;
    }

    // ---- policies ----

    @WithTransaction
    public Uni<PolicyDetails> create(NewPolicy request, String requestId, String actor) {
        String id = PolicyNames.requireValidId(request.id(), "policy_id");
        String text = requireText(request.text(), "policy.draft.text");
        String displayName = request.displayName() == null || request.displayName().isBlank()
                ? id
                : limit(request.displayName().strip(), MAX_DISPLAY_NAME, "policy.display_name");
        String description = limit(nullToEmpty(request.description()), MAX_DESCRIPTION, "policy.description");
        List<String> tags = validTags(request.tags());
        String note = limit(nullToEmpty(request.note()), MAX_NOTE, "policy.draft.note");
        return requestIds
                .previous(requestId, "CreatePolicy", id, text, displayName, description, String.join(",", tags))
                .flatMap(previous -> previous.isPresent()
                        ? get(id)
                        : PolicyEntity.<PolicyEntity>findById(id).flatMap(existing -> {
                            if (existing != null) {
                                throw RegistryException.of(ErrorReason.POLICY_ALREADY_EXISTS,
                                        "Policy policies/" + id + " already exists"
                                                + (existing.isDeleted() ? " (soft-deleted; ids are never reused)" : ""),
                                        Map.of("policy", id));
                            }
                            OffsetDateTime now = now();
                            PolicyEntity policy = new PolicyEntity();
                            policy.id = id;
                            policy.displayName = displayName;
                            policy.description = description;
                            policy.setTagList(tags);
                            policy.creator = actor;
                            policy.createTime = now;
                            policy.updateTime = now;
                            policy.revision = 1;
                            policy.draftRevision = 1;
                            setDraft(policy, text, note, actor, now);
                            applyGate(policy, request.gate() == null ? PublishGate.DEFAULT : request.gate());
                            return policy.persistAndFlush()
                                    .call(() -> requestIds.remember(requestId, "CreatePolicy",
                                            PolicyNames.policyName(id), id, text, displayName, description,
                                            String.join(",", tags)))
                                    .replaceWith(new PolicyDetails(policy, null));
                        }));
    }

    @WithSession
    public Uni<PolicyDetails> get(String policyId) {
        return findActive(policyId).flatMap(this::withLiveDeployment);
    }

    @WithSession
    public Uni<Page<PolicyDetails>> list(int pageSize, String pageToken, String tag, boolean showDeleted) {
        int size = pageSize(pageSize);
        String after = PageTokens.decode("policies", pageToken);
        StringBuilder query = new StringBuilder("id > ?1");
        List<Object> params = new ArrayList<>(List.of(after == null ? "" : after));
        if (!showDeleted) {
            query.append(" and deleteTime is null");
        }
        if (tag != null && !tag.isEmpty()) {
            params.add("%," + tag + ",%");
            query.append(" and concat(',', tags, ',') like ?").append(params.size());
        }
        query.append(" order by id");
        return PolicyEntity.<PolicyEntity>find(query.toString(), params.toArray()).range(0, size).list()
                .flatMap(rows -> {
                    boolean more = rows.size() > size;
                    List<PolicyEntity> page = more ? rows.subList(0, size) : rows;
                    String next = more ? PageTokens.encode("policies", page.get(page.size() - 1).id) : "";
                    return liveDeployments(page).map(live -> new Page<>(
                            page.stream().map(p -> new PolicyDetails(p, live.get(p.id))).toList(), next));
                });
    }

    /** The live deployment of each deployed policy of a page, in one query. */
    private static Uni<Map<String, DeploymentEntity>> liveDeployments(List<PolicyEntity> page) {
        List<PolicyEntity> deployed = page.stream().filter(p -> p.liveVersion != null).toList();
        if (deployed.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        // The live deployment is always the latest record: every move of `live` appends one.
        StringBuilder query = new StringBuilder();
        List<Object> params = new ArrayList<>();
        for (PolicyEntity policy : deployed) {
            query.append(params.isEmpty() ? "" : " or ")
                    .append("(policyId = ?").append(params.size() + 1)
                    .append(" and seq = ?").append(params.size() + 2).append(')');
            params.add(policy.id);
            params.add(policy.deploymentCount);
        }
        return DeploymentEntity.<DeploymentEntity>find(query.toString(), params.toArray()).list()
                .map(rows -> rows.stream().collect(Collectors.toMap(d -> d.policyId, d -> d)));
    }

    @WithTransaction
    public Uni<PolicyDetails> update(String policyId, PolicyChanges changes, String etag) {
        return lockActive(policyId).flatMap(policy -> {
            requireEtag(etag, policy.etag(), "policy.etag");
            changes.displayName().ifPresent(
                    name -> policy.displayName = limit(name.strip(), MAX_DISPLAY_NAME, "policy.display_name"));
            changes.description().ifPresent(
                    d -> policy.description = limit(d, MAX_DESCRIPTION, "policy.description"));
            changes.tags().ifPresent(tags -> policy.setTagList(validTags(tags)));
            changes.gate().ifPresent(gate -> applyGate(policy, gate));
            policy.revision++;
            policy.updateTime = now();
            return withLiveDeployment(policy);
        });
    }

    @WithTransaction
    public Uni<PolicyEntity> updateDraft(String policyId, String text, String note, String etag, String actor) {
        String validText = requireText(text, "draft.text");
        String validNote = limit(nullToEmpty(note), MAX_NOTE, "draft.note");
        return lockActive(policyId).map(policy -> {
            requireEtag(etag, policy.draftEtag(), "draft.etag");
            setDraft(policy, validText, validNote, actor, now());
            policy.draftRevision++;
            return policy;
        });
    }

    public Uni<PolicyDetails> delete(String policyId, String etag, String actor) {
        return changing(policyId, () -> lockActive(policyId).flatMap(policy -> {
            requireEtag(etag, policy.etag(), "etag");
            if (policy.liveVersion != null) {
                throw RegistryException.of(ErrorReason.POLICY_HAS_LIVE_DEPLOYMENT,
                        "Policy policies/" + policyId + " is deployed (live = version " + policy.liveVersion
                                + "); undeploy it before deleting",
                        Map.of("policy", policyId, "live_version", String.valueOf(policy.liveVersion)));
            }
            policy.deleteTime = now();
            policy.updateTime = policy.deleteTime;
            policy.revision++;
            return outbox.deleted(policy, actor).replaceWith(new PolicyDetails(policy, null));
        }));
    }

    // ---- versions ----

    public Uni<VersionDetails> publish(String policyId, String changelog, String draftEtag, String paraphraseOf,
            String requestId, String actor) {
        return changing(policyId, () -> {
            String validChangelog = limit(nullToEmpty(changelog), MAX_NOTE, "changelog");
            String paraphrase = nullToEmpty(paraphraseOf);
            if (!paraphrase.isEmpty()) {
                PolicyNames.versionName(paraphrase, "paraphrase_of");
            }
            // The request id is looked up under the policy's lock: a retry that arrives while the first attempt is still
            // publishing waits for it and then answers its version, instead of finding the draft already taken.
            return lockActive(policyId).flatMap(policy -> requestIds
                    .previous(requestId, "PublishPolicyVersion", policyId, validChangelog, paraphrase)
                    .flatMap(previous -> {
                        if (previous.isPresent()) {
                            PolicyReference.Version v = PolicyNames.versionName(previous.get(), "request_id");
                            return version(v.policyId(), v.version());
                        }
                        return publishLocked(policy, validChangelog, draftEtag, paraphrase, requestId, actor);
                    }));
        });
    }

    private Uni<VersionDetails> publishLocked(PolicyEntity policy, String changelog, String draftEtag,
            String paraphraseOf, String requestId, String actor) {
        requireEtag(draftEtag, policy.draftEtag(), "draft_etag");
        LintReport lint = linting.fromJson(policy.draftLintReport);
        if (lint.errorCount() > 0 && !policy.allowPublishWithLintErrors) {
            throw RegistryException.of(ErrorReason.LINT_ERRORS_BLOCK_PUBLISH,
                    "The draft of policies/" + policy.id + " has " + lint.errorCount()
                            + " lint error(s); fix them (see the draft's lint report) or allow publishing with "
                            + "lint errors in the policy's publish gate",
                    Map.of("policy", policy.id, "lint_error_count", String.valueOf(lint.errorCount())));
        }
        if (!policy.hasUnpublishedChanges()) {
            throw RegistryException.of(ErrorReason.NO_UNPUBLISHED_CHANGES,
                    "The draft of policies/" + policy.id + " equals version " + policy.draftBaseVersion
                            + "; edit the draft before publishing",
                    Map.of("policy", policy.id, "version", String.valueOf(policy.draftBaseVersion)));
        }
        PolicyVersionEntity version = new PolicyVersionEntity();
        version.policyId = policy.id;
        version.version = policy.latestVersion + 1;
        version.text = policy.draftText;
        version.sha256 = policy.draftSha256;
        version.changelog = changelog;
        version.author = actor;
        version.parentVersion = policy.latestVersion == 0 ? null : policy.latestVersion;
        version.paraphraseOf = paraphraseOf;
        version.lintReport = policy.draftLintReport;
        version.createTime = now();
        version.state = PolicyVersionEntity.ACTIVE;
        version.deprecationReason = "";
        policy.latestVersion = version.version;
        policy.draftBaseVersion = version.version;
        policy.draftBaseSha256 = version.sha256;
        policy.updateTime = version.createTime;
        String name = PolicyNames.versionName(policy.id, version.version);
        return version.persist()
                .call(() -> outbox.versionPublished(version, actor))
                .call(() -> requestIds.remember(requestId, "PublishPolicyVersion", name, policy.id, changelog,
                        paraphraseOf))
                .replaceWith(new VersionDetails(version, policy, null, List.of()));
    }

    @WithSession
    public Uni<VersionDetails> version(String policyId, int number) {
        return findActive(policyId).flatMap(policy -> findVersion(policyId, number)
                .flatMap(version -> withMetrics(version, policy)));
    }

    @WithSession
    public Uni<Page<VersionDetails>> versions(String policyId, int pageSize, String pageToken) {
        int size = pageSize(pageSize);
        String scope = "versions/" + policyId;
        int after = PageTokens.decodeInt(scope, pageToken);
        return findActive(policyId).flatMap(policy -> PolicyVersionEntity
                .<PolicyVersionEntity>find("policyId = ?1 and version > ?2 order by version", policyId, after)
                .range(0, size).list()
                .flatMap(rows -> {
                    boolean more = rows.size() > size;
                    List<PolicyVersionEntity> page = more ? rows.subList(0, size) : rows;
                    String next = more
                            ? PageTokens.encode(scope, String.valueOf(page.get(page.size() - 1).version))
                            : "";
                    return withMetrics(page, policy).map(versions -> new Page<>(versions, next));
                }));
    }

    public Uni<VersionDetails> deprecate(String policyId, int number, String reason, String actor) {
        return changing(policyId,
                () -> lockActive(policyId).flatMap(policy -> findVersion(policyId, number).flatMap(version -> {
                    if (policy.liveVersion != null && policy.liveVersion == number) {
                        throw RegistryException.of(ErrorReason.VERSION_IS_LIVE,
                                "Version " + number + " of policies/" + policyId
                                        + " is live; deploy another version before deprecating it",
                                Map.of("policy", policyId, "version", String.valueOf(number)));
                    }
                    if (version.isDeprecated()) {
                        return withMetrics(version, policy);
                    }
                    version.state = PolicyVersionEntity.DEPRECATED;
                    version.deprecateTime = now();
                    version.deprecationReason = limit(nullToEmpty(reason), MAX_NOTE, "reason");
                    return outbox.versionDeprecated(version, actor).flatMap(ignored -> withMetrics(version, policy));
                })));
    }

    // ---- deployments ----

    public Uni<DeploymentEntity> deploy(String policyId, int number, Double threshold, String note, String requestId,
            String actor) {
        return changing(policyId, () -> {
            if (threshold != null && !(threshold >= 0.0 && threshold <= 1.0)) {
                throw RegistryException.invalidField(ErrorReason.INVALID_THRESHOLD, "threshold",
                        "must be within [0, 1] (got " + threshold + ")");
            }
            String validNote = limit(nullToEmpty(note), MAX_NOTE, "note");
            String thresholdInput = threshold == null ? "" : threshold.toString();
            return requestIds
                    .previous(requestId, "DeployPolicyVersion", policyId, String.valueOf(number), thresholdInput,
                            validNote)
                    .flatMap(
                            previous -> previous.isPresent()
                                    ? deployment(previous.get())
                                    : lockActive(policyId).flatMap(policy -> findVersion(policyId, number)
                                            .call(version -> checkDeployable(policy, version))
                                            .flatMap(version -> {
                                                DeploymentEntity deployment = newDeployment(policy, number, actor,
                                                        validNote);
                                                deployment.threshold = threshold != null
                                                        ? threshold
                                                        : policy.liveThreshold != null
                                                                ? policy.liveThreshold
                                                                : config.defaultThreshold();
                                                deployment.rollback = policy.liveVersion != null
                                                        && number < policy.liveVersion;
                                                policy.liveVersion = number;
                                                policy.liveThreshold = deployment.threshold;
                                                return deployment.persist()
                                                        .call(() -> outbox.versionDeployed(deployment, version.sha256))
                                                        .call(() -> requestIds.remember(requestId,
                                                                "DeployPolicyVersion",
                                                                PolicyNames.deploymentName(policyId, deployment.seq),
                                                                policyId,
                                                                String.valueOf(number), thresholdInput, validNote))
                                                        .replaceWith(deployment);
                                            })));
        });
    }

    public Uni<DeploymentEntity> undeploy(String policyId, String note, String requestId, String actor) {
        return changing(policyId, () -> {
            String validNote = limit(nullToEmpty(note), MAX_NOTE, "note");
            return requestIds.previous(requestId, "UndeployPolicy", policyId, validNote)
                    .flatMap(previous -> previous.isPresent()
                            ? deployment(previous.get())
                            : lockActive(policyId).flatMap(policy -> {
                                if (policy.liveVersion == null) {
                                    throw RegistryException.of(ErrorReason.POLICY_NOT_DEPLOYED,
                                            "Policy policies/" + policyId + " is not deployed",
                                            Map.of("policy", policyId));
                                }
                                DeploymentEntity deployment = newDeployment(policy, null, actor, validNote);
                                policy.liveVersion = null;
                                policy.liveThreshold = null;
                                return deployment.persist()
                                        .call(() -> outbox.undeployed(deployment))
                                        .call(() -> requestIds.remember(requestId, "UndeployPolicy",
                                                PolicyNames.deploymentName(policyId, deployment.seq), policyId,
                                                validNote))
                                        .replaceWith(deployment);
                            }));
        });
    }

    @WithSession
    public Uni<Page<DeploymentEntity>> deployments(String policyId, int pageSize, String pageToken) {
        int size = pageSize(pageSize);
        String scope = "deployments/" + policyId;
        String before = PageTokens.decode(scope, pageToken);
        int beforeSeq = before == null ? Integer.MAX_VALUE : PageTokens.decodeInt(scope, pageToken);
        return findActive(policyId).flatMap(policy -> DeploymentEntity
                .<DeploymentEntity>find("policyId = ?1 and seq < ?2 order by seq desc", policyId, beforeSeq)
                .range(0, size).list()
                .map(rows -> {
                    boolean more = rows.size() > size;
                    List<DeploymentEntity> page = more ? rows.subList(0, size) : rows;
                    String next = more ? PageTokens.encode(scope, String.valueOf(page.get(page.size() - 1).seq)) : "";
                    return new Page<>(page, next);
                }));
    }

    // ---- metrics ----

    @WithTransaction
    public Uni<VersionDetails> recordMetrics(String policyId, int number, Determinism determinism,
            Evaluation evaluation, String requestId) {
        if (determinism == null && evaluation == null) {
            throw RegistryException.invalidField(ErrorReason.INVALID_ARGUMENT, "determinism",
                    "give determinism, evaluation or both");
        }
        return requestIds.previous(requestId, "RecordPolicyVersionMetrics", policyId, String.valueOf(number),
                String.valueOf(determinism), String.valueOf(evaluation))
                .flatMap(previous -> findActive(policyId).flatMap(policy -> findVersion(policyId, number)
                        .call(version -> previous.isPresent()
                                ? Uni.createFrom().voidItem()
                                : persistMetrics(policyId, number, determinism, evaluation)
                                        .call(() -> requestIds.remember(requestId, "RecordPolicyVersionMetrics",
                                                PolicyNames.versionName(policyId, number), policyId,
                                                String.valueOf(number), String.valueOf(determinism),
                                                String.valueOf(evaluation))))
                        .flatMap(version -> withMetrics(version, policy))));
    }

    private Uni<Void> persistMetrics(String policyId, int number, Determinism d, Evaluation e) {
        OffsetDateTime now = now();
        Uni<Void> result = Uni.createFrom().voidItem();
        if (d != null) {
            requireFraction(d.percentAgreement(), "determinism.percent_agreement");
            DeterminismScoreEntity score = new DeterminismScoreEntity();
            score.policyId = policyId;
            score.version = number;
            score.percentAgreement = d.percentAgreement();
            score.cohensKappa = d.cohensKappa();
            score.kappaCiLower = d.kappaCiLower();
            score.kappaCiUpper = d.kappaCiUpper();
            score.kappaCiLevel = d.kappaCiLevel();
            score.sampleSize = d.sampleSize();
            score.job = nullToEmpty(d.job());
            score.iteration = d.iteration();
            score.paraphraseVersion = nullToEmpty(d.paraphraseVersion());
            score.labeler = nullToEmpty(d.labeler());
            score.recordTime = now;
            result = result.call(score::persist);
        }
        if (e != null) {
            requireFraction(e.precision(), "evaluation.precision");
            requireFraction(e.recall(), "evaluation.recall");
            requireFraction(e.f1(), "evaluation.f1");
            requireFraction(e.accuracy(), "evaluation.accuracy");
            requireFraction(e.threshold(), "evaluation.threshold");
            EvaluationScoreEntity score = new EvaluationScoreEntity();
            score.policyId = policyId;
            score.version = number;
            score.precision = e.precision();
            score.recall = e.recall();
            score.f1 = e.f1();
            score.accuracy = e.accuracy();
            score.model = nullToEmpty(e.model());
            score.modelVersion = nullToEmpty(e.modelVersion());
            score.threshold = e.threshold();
            score.sampleSize = e.sampleSize();
            score.evaluation = nullToEmpty(e.evaluation());
            score.dataset = nullToEmpty(e.dataset());
            score.recordTime = now;
            result = result.call(score::persist);
        }
        return result;
    }

    // ---- diff and lint ----

    @WithSession
    public Uni<TextDiff> texts(PolicyReference base, PolicyReference target) {
        return text(base).flatMap(b -> text(target).map(t -> new TextDiff(b[0], t[0], Sha256.hex(b[1]),
                Sha256.hex(t[1]), b[1], t[1])));
    }

    /** [resource name, text] of a reference. */
    private Uni<String[]> text(PolicyReference reference) {
        return findActive(reference.policyId()).flatMap(policy -> {
            if (reference instanceof PolicyReference.Draft) {
                return Uni.createFrom().item(new String[]{PolicyNames.draftName(policy.id), policy.draftText});
            }
            if (reference instanceof PolicyReference.Version v) {
                return versionText(policy.id, v.version());
            }
            if (reference instanceof PolicyReference.Live) {
                if (policy.liveVersion == null) {
                    throw liveNotSet(policy.id);
                }
                return versionText(policy.id, policy.liveVersion);
            }
            if (policy.latestVersion == 0) {
                throw latestNotSet(policy.id);
            }
            return versionText(policy.id, policy.latestVersion);
        });
    }

    private Uni<String[]> versionText(String policyId, int number) {
        return findVersion(policyId, number)
                .map(v -> new String[]{PolicyNames.versionName(policyId, number), v.text});
    }

    public LintReport lintText(String text) {
        return linting.lint(requireText(text, "text"));
    }

    // ---- helpers ----

    static RegistryException liveNotSet(String policyId) {
        return RegistryException.of(ErrorReason.LIVE_ALIAS_NOT_SET,
                "Policy policies/" + policyId + " has no live deployment; deploy a version first",
                Map.of("policy", policyId));
    }

    static RegistryException latestNotSet(String policyId) {
        return RegistryException.of(ErrorReason.LATEST_ALIAS_NOT_SET,
                "Policy policies/" + policyId + " has no published version yet", Map.of("policy", policyId));
    }

    private Uni<Void> checkDeployable(PolicyEntity policy, PolicyVersionEntity version) {
        if (version.isDeprecated()) {
            throw RegistryException.of(ErrorReason.VERSION_DEPRECATED,
                    "Version " + version.version + " of policies/" + policy.id
                            + " is deprecated and cannot be deployed",
                    Map.of("policy", policy.id, "version", String.valueOf(version.version)));
        }
        if (policy.minDeterminismAgreement == null && policy.minDeterminismKappa == null) {
            return Uni.createFrom().voidItem();
        }
        return DeterminismScoreEntity
                .<DeterminismScoreEntity>find("policyId = ?1 and version = ?2 order by recordTime desc", policy.id,
                        version.version)
                .firstResult().invoke(score -> checkDeterminismGate(policy, version, score)).replaceWithVoid();
    }

    private static void checkDeterminismGate(PolicyEntity policy, PolicyVersionEntity version,
            DeterminismScoreEntity score) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("policy", policy.id);
        metadata.put("version", String.valueOf(version.version));
        if (score == null) {
            throw RegistryException.of(ErrorReason.DETERMINISM_SCORE_MISSING,
                    "The publish gate of policies/" + policy.id + " requires a determinism score on version "
                            + version.version + "; run a binocular labeling job first",
                    metadata);
        }
        if (policy.minDeterminismAgreement != null && score.percentAgreement < policy.minDeterminismAgreement) {
            metadata.put("min_agreement", policy.minDeterminismAgreement.toString());
            metadata.put("recorded_agreement", String.valueOf(score.percentAgreement));
            throw RegistryException.of(ErrorReason.DETERMINISM_BELOW_MINIMUM,
                    "Version " + version.version + " has agreement " + score.percentAgreement
                            + ", below the gate minimum " + policy.minDeterminismAgreement,
                    metadata);
        }
        if (policy.minDeterminismKappa != null
                && (score.cohensKappa == null || score.cohensKappa < policy.minDeterminismKappa)) {
            metadata.put("min_kappa", policy.minDeterminismKappa.toString());
            metadata.put("recorded_kappa", String.valueOf(score.cohensKappa));
            throw RegistryException.of(ErrorReason.DETERMINISM_BELOW_MINIMUM,
                    "Version " + version.version + " has Cohen's kappa " + score.cohensKappa
                            + ", below the gate minimum " + policy.minDeterminismKappa,
                    metadata);
        }
    }

    private DeploymentEntity newDeployment(PolicyEntity policy, Integer version, String actor, String note) {
        DeploymentEntity deployment = new DeploymentEntity();
        policy.deploymentCount++;
        deployment.policyId = policy.id;
        deployment.seq = policy.deploymentCount;
        deployment.version = version;
        deployment.previousVersion = policy.liveVersion;
        deployment.previousThreshold = policy.liveThreshold;
        deployment.actor = actor;
        deployment.note = note;
        deployment.createTime = now();
        policy.updateTime = deployment.createTime;
        return deployment;
    }

    private Uni<DeploymentEntity> deployment(String name) {
        String[] parts = name.split("/");
        return DeploymentEntity.<DeploymentEntity>find("policyId = ?1 and seq = ?2", parts[1],
                Integer.parseInt(parts[3])).singleResult();
    }

    private Uni<PolicyDetails> withLiveDeployment(PolicyEntity policy) {
        if (policy.liveVersion == null) {
            return Uni.createFrom().item(new PolicyDetails(policy, null));
        }
        // The live deployment is always the latest record: every move of `live` appends one.
        return DeploymentEntity.<DeploymentEntity>find("policyId = ?1 and seq = ?2", policy.id,
                policy.deploymentCount).firstResult().map(live -> new PolicyDetails(policy, live));
    }

    /** A page of versions with their metrics, as Get shows them: two queries for the whole page. */
    private Uni<List<VersionDetails>> withMetrics(List<PolicyVersionEntity> versions, PolicyEntity policy) {
        if (versions.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        List<Integer> numbers = versions.stream().map(v -> v.version).toList();
        return DeterminismScoreEntity
                .<DeterminismScoreEntity>find("policyId = ?1 and version in ?2 order by recordTime desc, id desc",
                        policy.id, numbers)
                .list()
                .flatMap(scores -> EvaluationScoreEntity
                        .<EvaluationScoreEntity>find(
                                "policyId = ?1 and version in ?2 order by recordTime desc, id desc", policy.id,
                                numbers)
                        .list()
                        .map(evaluations -> {
                            Map<Integer, DeterminismScoreEntity> newest = new HashMap<>();
                            scores.forEach(score -> newest.putIfAbsent(score.version, score));
                            Map<Integer, List<EvaluationScoreEntity>> byVersion = evaluations.stream()
                                    .collect(Collectors.groupingBy(e -> e.version));
                            return versions.stream().map(v -> new VersionDetails(v, policy, newest.get(v.version),
                                    byVersion.getOrDefault(v.version, List.of()))).toList();
                        }));
    }

    private Uni<VersionDetails> withMetrics(PolicyVersionEntity version, PolicyEntity policy) {
        return DeterminismScoreEntity
                .<DeterminismScoreEntity>find("policyId = ?1 and version = ?2 order by recordTime desc, id desc",
                        version.policyId, version.version)
                .firstResult()
                .flatMap(determinism -> EvaluationScoreEntity
                        .<EvaluationScoreEntity>find("policyId = ?1 and version = ?2 order by recordTime desc, id desc",
                                version.policyId, version.version)
                        .list()
                        .map(evaluations -> new VersionDetails(version, policy, determinism, evaluations)));
    }

    /**
     * Runs a change to {@code policyId} that ResolvePolicy can see in its own transaction; once it has committed, this
     * replica's cached resolutions of the policy are dropped before the caller hears of success (read-your-writes;
     * other replicas drop theirs on PostgreSQL's notification).
     */
    private <T> Uni<T> changing(String policyId, Supplier<Uni<T>> change) {
        return Panache.withTransaction(change).invoke(() -> resolutions.invalidate(policyId));
    }

    private Uni<PolicyEntity> findActive(String policyId) {
        return PolicyEntity.<PolicyEntity>findById(policyId).map(policy -> requireActive(policy, policyId));
    }

    private Uni<PolicyEntity> lockActive(String policyId) {
        return PolicyEntity.<PolicyEntity>findById(policyId, LockModeType.PESSIMISTIC_WRITE)
                .map(policy -> requireActive(policy, policyId));
    }

    private static PolicyEntity requireActive(PolicyEntity policy, String policyId) {
        if (policy == null || policy.isDeleted()) {
            throw RegistryException.policyNotFound(policyId);
        }
        return policy;
    }

    private static Uni<PolicyVersionEntity> findVersion(String policyId, int number) {
        return PolicyVersionEntity.<PolicyVersionEntity>find("policyId = ?1 and version = ?2", policyId, number)
                .firstResult().map(version -> {
                    if (version == null) {
                        throw RegistryException.versionNotFound(policyId, number);
                    }
                    return version;
                });
    }

    private void setDraft(PolicyEntity policy, String text, String note, String actor, OffsetDateTime now) {
        policy.draftText = text;
        policy.draftSha256 = Sha256.hex(text);
        policy.draftNote = note;
        policy.draftUpdater = actor;
        policy.draftUpdateTime = now;
        policy.draftLintReport = linting.toJson(linting.lint(text));
        policy.updateTime = now;
    }

    private static void applyGate(PolicyEntity policy, PublishGate gate) {
        if (gate.minDeterminismAgreement() != null) {
            requireFraction(gate.minDeterminismAgreement(), "policy.publish_gate.min_determinism_agreement");
        }
        if (gate.minDeterminismKappa() != null && !(gate.minDeterminismKappa() >= -1.0
                && gate.minDeterminismKappa() <= 1.0)) {
            throw RegistryException.invalidField(ErrorReason.INVALID_ARGUMENT,
                    "policy.publish_gate.min_determinism_kappa", "must be within [-1, 1]");
        }
        policy.allowPublishWithLintErrors = gate.allowPublishWithLintErrors();
        policy.minDeterminismAgreement = gate.minDeterminismAgreement();
        policy.minDeterminismKappa = gate.minDeterminismKappa();
    }

    private String requireText(String text, String field) {
        if (text == null || text.isBlank()) {
            throw RegistryException.invalidField(ErrorReason.TEXT_EMPTY, field, "must not be empty");
        }
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > config.maxTextBytes()) {
            throw RegistryException.invalidField(ErrorReason.TEXT_TOO_LARGE, field,
                    "is " + bytes + " bytes; the limit is " + config.maxTextBytes() + " bytes (UTF-8)");
        }
        return text;
    }

    private static void requireEtag(String given, String current, String field) {
        if (given != null && !given.isEmpty() && !given.equals(current)) {
            throw RegistryException.of(ErrorReason.ETAG_MISMATCH,
                    field + " '" + given + "' is stale (current: '" + current
                            + "'); re-read the resource and retry your change",
                    Map.of("field", field, "current_etag", current));
        }
    }

    private static void requireFraction(double value, String field) {
        if (!(value >= 0.0 && value <= 1.0)) {
            throw RegistryException.invalidField(ErrorReason.INVALID_ARGUMENT, field,
                    "must be within [0, 1] (got " + value + ")");
        }
    }

    private static List<String> validTags(List<String> tags) {
        List<String> values = tags == null ? List.of() : tags.stream().distinct().toList();
        if (values.size() > MAX_TAGS) {
            throw RegistryException.invalidField(ErrorReason.INVALID_ARGUMENT, "policy.tags",
                    "at most " + MAX_TAGS + " tags");
        }
        for (String tag : values) {
            if (!TAG.matcher(tag).matches()) {
                throw RegistryException.invalidField(ErrorReason.INVALID_ARGUMENT, "policy.tags",
                        "'" + tag + "' is not a tag: lower-case letters, digits and hyphens, at most 40 characters");
            }
        }
        return values;
    }

    private static String limit(String value, int max, String field) {
        if (value.length() > max) {
            throw RegistryException.invalidField(ErrorReason.INVALID_ARGUMENT, field,
                    "is " + value.length() + " characters; the limit is " + max);
        }
        return value;
    }

    private int pageSize(int requested) {
        if (requested < 0) {
            throw RegistryException.invalidField(ErrorReason.INVALID_ARGUMENT, "page_size", "must not be negative");
        }
        return requested == 0 ? config.defaultPageSize() : Math.min(requested, config.maxPageSize());
    }

    /** Now, at the database's precision (microseconds), so a re-read value equals the one first returned. */
    private OffsetDateTime now() {
        return OffsetDateTime.now(clock).truncatedTo(ChronoUnit.MICROS);
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
