/**
 * The Log4j2 adapter: the {@code <Loki>} appender plugin ({@link io.github.lokiappender.log4j2.LokiAppender})
 * with its {@code <Label>} and {@code <StructuredMetadata>} child elements. Log4j2 finds the plugins
 * through the {@code Log4j2Plugins.dat} file in this jar; when that file is lost (a shaded jar built
 * without Log4j2's plugin cache transformer), {@code <Configuration packages="io.github.lokiappender.log4j2">}
 * makes Log4j2 scan this package instead.
 */
package io.github.lokiappender.log4j2;
