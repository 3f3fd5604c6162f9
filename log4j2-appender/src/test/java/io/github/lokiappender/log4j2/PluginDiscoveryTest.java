package io.github.lokiappender.log4j2;

import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.plugins.processor.PluginCache;
import org.apache.logging.log4j.core.config.plugins.processor.PluginEntry;
import org.apache.logging.log4j.core.config.plugins.processor.PluginProcessor;
import org.apache.logging.log4j.core.config.plugins.util.PluginRegistry;
import org.apache.logging.log4j.core.config.plugins.util.PluginType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Log4j2 finds the plugins through the {@code Log4j2Plugins.dat} file the annotation processor
 * writes into the jar, and through package scanning ({@code packages="io.github.lokiappender.log4j2"})
 * when that file was lost, for example by shading without Log4j2's cache-file transformer.
 */
class PluginDiscoveryTest {

    @TempDir
    Path dir;
    private LoggerContext ctx;

    @AfterEach
    void stop() {
        Log4jTestSupport.stop(ctx);
    }

    @Test
    void thePluginCacheFileListsThePlugins() throws Exception {
        Map<String, PluginEntry> ours = new HashMap<>();
        for (URL url : Collections.list(getClass().getClassLoader().getResources(PluginProcessor.PLUGIN_CACHE_FILE))) {
            PluginCache cache = new PluginCache();
            cache.loadCacheFiles(Collections.enumeration(List.of(url)));
            for (PluginEntry e : cache.getCategory("core").values()) {
                if (e.getClassName().startsWith("io.github.lokiappender.log4j2.")) {
                    ours.put(e.getKey(), e);
                }
            }
        }

        assertThat(ours).containsOnlyKeys("loki", "label", "structuredmetadata");
        assertThat(ours.get("loki").getClassName()).isEqualTo(LokiAppender.class.getName());
        assertThat(ours.get("loki").getName()).isEqualTo("appender");
        assertThat(ours.get("loki").isPrintable()).isTrue();
        assertThat(ours.get("label").getClassName()).isEqualTo(Label.class.getName());
        assertThat(ours.get("label").getName()).isEqualTo("Label");
        assertThat(ours.get("structuredmetadata").getClassName()).isEqualTo(StructuredMetadata.class.getName());
        assertThat(ours.get("structuredmetadata").getName()).isEqualTo("StructuredMetadata");
    }

    @Test
    void packageScanningFindsThePluginsToo() {
        Map<String, List<PluginType<?>>> byCategory =
                PluginRegistry.getInstance().loadFromPackage("io.github.lokiappender.log4j2");

        List<String> keys = new ArrayList<>();
        for (PluginType<?> t : byCategory.get("core")) {
            keys.add(t.getKey());
        }
        assertThat(keys).containsExactlyInAnyOrder("loki", "label", "structuredmetadata");
    }

    @Test
    void aConfigurationNamingThePackageWorks() {
        ctx = Log4jTestSupport.startXml(dir, "packages", Log4jTestSupport.xml(
                "packages=\"io.github.lokiappender.log4j2\"", "http://127.0.0.1:9", "",
                "<Label name=\"app\" value=\"shop\"/>", ""));

        assertThat((Object) Log4jTestSupport.loki(ctx)).isInstanceOf(LokiAppender.class);
    }
}
