package io.copeplatform.labeling.domain;

import java.util.List;

/** One page of a list and the token of the next ("" when last). */
public record Page<T>(List<T> items, String nextPageToken) {
}
