package io.copeplatform.registry.service;

import java.util.List;

/** One page of a list and the opaque token of the next page (empty when this is the last). */
public record Page<T>(List<T> items, String nextPageToken) {
}
