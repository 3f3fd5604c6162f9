package io.github.lokiappender.core.query;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What {@code GET /loki/api/v1/status/buildinfo} reports; use {@link #isAtLeast} for version-dependent features. */
public final class BuildInfo {

    private static final Pattern SEMVER = Pattern.compile("^v?(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    private final String version;
    private final String revision;
    private final String branch;
    private final String buildUser;
    private final String buildDate;
    private final String goVersion;

    BuildInfo(String version, String revision, String branch, String buildUser, String buildDate, String goVersion) {
        this.version = version;
        this.revision = revision;
        this.branch = branch;
        this.buildUser = buildUser;
        this.buildDate = buildDate;
        this.goVersion = goVersion;
    }

    /** E.g. {@code 3.4.2}; empty when the server did not say. */
    public String version() {
        return version;
    }

    public String revision() {
        return revision;
    }

    public String branch() {
        return branch;
    }

    public String buildUser() {
        return buildUser;
    }

    public String buildDate() {
        return buildDate;
    }

    public String goVersion() {
        return goVersion;
    }

    /**
     * True when {@link #version()} is a release version ({@code 3.4.2}, {@code v2.9.1}) of at least
     * {@code major.minor.patch}; false for versions that cannot be compared, such as weekly builds.
     */
    public boolean isAtLeast(int major, int minor, int patch) {
        Matcher m = SEMVER.matcher(version);
        if (!m.find()) {
            return false;
        }
        try {
            int[] have = {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    m.group(3) == null ? 0 : Integer.parseInt(m.group(3))};
            int[] want = {major, minor, patch};
            for (int i = 0; i < 3; i++) {
                if (have[i] != want[i]) {
                    return have[i] > want[i];
                }
            }
            return true;
        } catch (NumberFormatException tooLong) {
            return false;
        }
    }

    public boolean isAtLeast(int major, int minor) {
        return isAtLeast(major, minor, 0);
    }

    @Override
    public String toString() {
        return "Loki " + version + " (revision " + revision + ", branch " + branch + ", built " + buildDate
                + " by " + buildUser + ", " + goVersion + ")";
    }
}
