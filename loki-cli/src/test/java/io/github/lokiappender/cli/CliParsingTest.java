package io.github.lokiappender.cli;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CliParsingTest {

    private static final Instant NOW = Instant.parse("2024-06-01T12:00:00Z");

    @Test
    void durations() throws UsageException {
        assertThat(CliTime.parseDuration("--since", "90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(CliTime.parseDuration("--since", "1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(CliTime.parseDuration("--since", "7d")).isEqualTo(Duration.ofDays(7));
        assertThat(CliTime.parseDuration("--since", "2w")).isEqualTo(Duration.ofDays(14));
        assertThat(CliTime.parseDuration("--step", "250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(CliTime.parseDuration("--step", "15")).isEqualTo(Duration.ofSeconds(15));
        for (String bad : new String[]{"", "h", "1.5h", "-1h", "0s", "1h 30m", "10y"}) {
            assertThatThrownBy(() -> CliTime.parseDuration("--since", bad)).as(bad).isInstanceOf(UsageException.class);
        }
    }

    @Test
    void instants() throws UsageException {
        assertThat(CliTime.parseInstant("--from", "2024-01-01T10:00:00Z", NOW)).isEqualTo(Instant.parse("2024-01-01T10:00:00Z"));
        assertThat(CliTime.parseInstant("--from", "2024-01-01T12:00:00.123456789+02:00", NOW))
                .isEqualTo(Instant.parse("2024-01-01T10:00:00.123456789Z"));
        assertThat(CliTime.parseInstant("--to", "now", NOW)).isEqualTo(NOW);
        assertThat(CliTime.parseInstant("--to", "1704067200", NOW)).isEqualTo(Instant.parse("2024-01-01T00:00:00Z"));
        assertThat(CliTime.parseInstant("--to", "1704067200000000001", NOW)).isEqualTo(Instant.parse("2024-01-01T00:00:00.000000001Z"));
        assertThatThrownBy(() -> CliTime.parseInstant("--to", "2024-01-01", NOW)).isInstanceOf(UsageException.class);
    }

    @Test
    void optionsMayComeAnywhereAndDoubleDashEndsThem() throws UsageException {
        CliOptions o = CliOptions.parse(new String[]{"--url", "http://x", "query", "-o", "jsonl", "--forward", "--", "--odd"});
        assertThat(o.command()).isEqualTo("query");
        assertThat(o.arguments()).containsExactly("--odd");
        assertThat(o.get("url")).isEqualTo("http://x");
        assertThat(o.get("output")).isEqualTo("jsonl");
        assertThat(o.has("forward")).isTrue();
        assertThat(o.has("insecure")).isFalse();
        CliOptions eq = CliOptions.parse(new String[]{"labels", "--since=2h", "--tenant=a|b"});
        assertThat(eq.get("since")).isEqualTo("2h");
        assertThat(eq.get("tenant")).isEqualTo("a|b");
    }
}
