package io.copeplatform.review.stats;

import java.util.Map;

/** One item (task) and the binary label each rater gave it. */
public record RatedItem(String id, Map<String, Boolean> labels) {
}
