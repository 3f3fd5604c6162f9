/**
 * In-process stand-in for Grafana Loki, for tests of the appenders: {@link io.github.lokiappender.testsupport.FakeLoki}.
 *
 * <p>The push path decodes and validates like Loki 3.x (see {@code LOKI-PROTOCOL.md}); the read API covers
 * stream selectors with line filters, labels, series and {@code count_over_time} instant queries. Anything
 * beyond that is answered with a 400 naming what the stand-in does not support, never with a wrong result.
 */
package io.github.lokiappender.testsupport;
