package io.github.lokiappender.core.http;

import io.github.lokiappender.core.StatusReporter;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Captures status messages as "LEVEL message". */
public final class RecordingStatus implements StatusReporter {

    public final List<String> messages = new CopyOnWriteArrayList<>();

    @Override
    public void info(String message) {
        messages.add("INFO " + message);
    }

    @Override
    public void warn(String message, Throwable cause) {
        messages.add("WARN " + message);
    }

    @Override
    public void error(String message, Throwable cause) {
        messages.add("ERROR " + message);
    }
}
