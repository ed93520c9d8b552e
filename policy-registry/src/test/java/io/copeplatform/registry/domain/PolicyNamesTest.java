package io.copeplatform.registry.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PolicyNamesTest {

    @Test
    void parsesEveryReferenceForm() {
        assertEquals(new PolicyReference.Version("hate-speech", 12),
                PolicyNames.reference("policies/hate-speech/versions/12", "r", false));
        assertEquals(new PolicyReference.Live("spam"), PolicyNames.reference("policies/spam@live", "r", false));
        assertEquals(new PolicyReference.Latest("spam"), PolicyNames.reference("policies/spam@latest", "r", false));
        assertEquals(new PolicyReference.Draft("spam"), PolicyNames.reference("policies/spam/draft", "r", true));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "spam", "policies/spam", "policies/spam@next", "policies/spam/versions/0",
            "policies/spam/versions/-1", "policies/Spam@live", "policies/spam/draft", "policies//versions/1"})
    void refusesMalformedReferences(String reference) {
        RegistryException e = assertThrows(RegistryException.class,
                () -> PolicyNames.reference(reference, "reference", false));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertEquals("reference", e.violations().get(0).field());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "1abc", "abc-", "a--b", "UPPER", "under_score",
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
    void refusesIdsThatAreNotSlugs(String id) {
        assertThrows(RegistryException.class, () -> PolicyNames.requireValidId(id, "policy_id"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ab", "hate-speech", "self-harm-2",
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
    void acceptsSlugs(String id) {
        assertEquals(id, PolicyNames.requireValidId(id, "policy_id"));
    }
}
