package io.twlab.scenario;

import io.twlab.workload.Arrivals;
import io.twlab.workload.RateProfile;
import io.twlab.workload.ServiceSpec;

/** Clients of group {@code from} opening connections to port {@code port} of group {@code to}. */
public record WorkloadSpec(String name, String from, String to, int port, RateProfile rate, Arrivals arrivals,
                           ServiceSpec service, long connectTimeoutNs, int retries, long retryDelayNs,
                           boolean randomHostChoice, long startNs) {
}
