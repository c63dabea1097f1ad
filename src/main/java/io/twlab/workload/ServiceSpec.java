package io.twlab.workload;

/** The exchange a server port serves: request and response sizes, who closes, think time. */
public record ServiceSpec(Pattern pattern, int requestBytes, int responseBytes, int requestsPerConnection,
                          long thinkNs) {
}
