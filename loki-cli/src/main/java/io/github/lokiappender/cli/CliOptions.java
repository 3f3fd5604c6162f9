package io.github.lokiappender.cli;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed command line: options may come before or after the command, as {@code --name value}
 * or {@code --name=value}; {@code --} ends the options.
 */
final class CliOptions {

    /** Options and whether they take a value. */
    private static final Map<String, Boolean> KNOWN = new LinkedHashMap<>();

    static {
        for (String withValue : new String[]{"url", "tenant", "username", "password", "bearer-token", "ca-cert", "timeout", "retries",
                "since", "from", "to", "time", "limit", "step", "output"}) {
            KNOWN.put(withValue, true);
        }
        for (String flag : new String[]{"insecure", "forward", "help"}) {
            KNOWN.put(flag, false);
        }
    }

    final Map<String, String> values = new LinkedHashMap<>();
    final List<String> positional = new ArrayList<>();

    private CliOptions() {
    }

    static CliOptions parse(String[] args) throws UsageException {
        CliOptions o = new CliOptions();
        boolean optionsEnded = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (optionsEnded || !a.startsWith("-") || a.equals("-")) {
                o.positional.add(a);
                continue;
            }
            if (a.equals("--")) {
                optionsEnded = true;
                continue;
            }
            String name;
            String value = null;
            if (a.equals("-h")) {
                name = "help";
            } else if (a.equals("-o")) {
                name = "output";
            } else if (a.startsWith("--")) {
                name = a.substring(2);
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
            } else {
                throw new UsageException("unknown option " + a);
            }
            Boolean takesValue = KNOWN.get(name);
            if (takesValue == null) {
                throw new UsageException("unknown option --" + name);
            }
            if (takesValue) {
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new UsageException("--" + name + " needs a value");
                    }
                    value = args[++i];
                }
            } else if (value != null) {
                throw new UsageException("--" + name + " takes no value");
            } else {
                value = "true";
            }
            if (o.values.containsKey(name)) {
                throw new UsageException("--" + name + " is given twice");
            }
            o.values.put(name, value);
        }
        return o;
    }

    String get(String name) {
        return values.get(name);
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String command() {
        return positional.isEmpty() ? null : positional.get(0);
    }

    List<String> arguments() {
        return positional.isEmpty() ? Collections.emptyList() : positional.subList(1, positional.size());
    }
}
